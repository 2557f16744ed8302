"""``xlt translate``: machine-translate a text file, or a labelled CoNLL file with its spans
projected into the translation (markers or constrained decoding)."""

from __future__ import annotations

from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, emit_json, stdout_console


def register(app: typer.Typer) -> None:
    @app.command("translate")
    def translate_cmd(
        input_path: Path = typer.Argument(
            ..., help="One sentence per line, or CoNLL (token label) with --project."
        ),
        out: Path = typer.Option(..., "--out", "-o", help="Output file (lines, or CoNLL with --project)."),
        src: str = typer.Option(..., "--src", help="Source language (eng, en, eng_Latn, English...)."),
        tgt: str = typer.Option(..., "--tgt", help="Target language."),
        translator: str = typer.Option(
            "hf-seq2seq",
            "--translator",
            "-t",
            help="Backend: hf-seq2seq, file or openai (`xlt methods translators`).",
        ),
        model: str | None = typer.Option(
            None, "--model", "-m", help="MT model (hf-seq2seq: path or hub id; openai: model name)."
        ),
        base_url: str | None = typer.Option(
            None, "--base-url", help="openai: server URL, e.g. http://127.0.0.1:8000/v1."
        ),
        translations: Path | None = typer.Option(
            None, "--translations", help="file: the pre-translated lines."
        ),
        config: Path | None = typer.Option(
            None, "--config", "-c", help="YAML with the translator's options."
        ),
        project: str | None = typer.Option(
            None,
            "--project",
            help="Read CoNLL and project its BIO spans: markers, constrained or candidates.",
        ),
        project_sets: list[str] = typer.Option(
            [], "--project-set", help="Projector option KEY=VALUE (repeatable), e.g. fallback=copy."
        ),
        sets: list[str] = SetOption,
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Translate INPUT into OUT; with --project, carry its entity spans across (EasyProject / Codec)."""
        from xlt.cli.common import config_from_cli
        from xlt.config import apply_overrides
        from xlt.languages import resolve
        from xlt.translation import translators
        from xlt.translation.api import project_labeled, translate_lines

        cls = translators.config_class(translator)
        flags = {"method": translator}
        fields = cls.model_fields
        for name, value in (("model", model), ("base_url", base_url), ("path", translations)):
            if value is not None and name in fields:
                flags[name] = str(value)
        cfg = config_from_cli(cls, config_file=config, sets=sets, flags=flags)
        backend = translators.build(translator, cfg)
        s, t = resolve(src), resolve(tgt)
        if project is None:
            summary = translate_lines(input_path, out, backend, s, t)
        else:
            from xlt.io.conll import read_conll, write_conll

            source = [x for x in read_conll(input_path) if len(x)]
            kept, stats = project_labeled(source, backend, s, t, project, apply_overrides({}, project_sets))
            write_conll(kept, out)
            summary = {"input": str(input_path), "output": str(out), "projection": project, **stats}
        if fmt == OutputFormat.json:
            emit_json(summary)
            return
        console = stdout_console()
        if project is None:
            console.print(
                f"translated {summary['sentences']} lines {s} -> {t} in {summary['seconds']} s "
                f"({summary['empty_outputs']} empty) -> {out}"
            )
        else:
            console.print(
                f"{summary['kept']} of {summary['sentences']} sentences kept -> {out}; dropped: "
                f"{summary['dropped_by_reason'] or 'none'}; "
                + (f"markers: {summary['markers']}" if "markers" in summary else f"spans: {summary['spans']}")
            )
