"""``xlt mexa``: label-free alignment of a model's languages with English (Kargaran et al. 2024)."""

from __future__ import annotations

from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, emit_json, stdout_console


def _parse_parallel(
    specs: list[str], langs: list[str] | None, pivot: str, split: str, limit: int | None
) -> dict:
    """``DIR`` (SIB-200 layout) or ``LANG=FILE`` items (plain line-aligned text, or Bible XML /
    ``verse_id<TAB>text`` files, aligned by verse id)."""
    from xlt.errors import ConfigError
    from xlt.evaluation.mexa import read_line_aligned, read_sib200, read_verse_aligned

    if len(specs) == 1 and "=" not in specs[0]:
        return read_sib200(Path(specs[0]), langs, pivot=pivot, splits=split.split(","), limit=limit)
    files: dict[str, Path] = {}
    for spec in specs:
        lang, sep, path = spec.partition("=")
        if not sep or not lang or not path:
            raise ConfigError(f"--parallel {spec!r}: expected a SIB-200 directory or LANG=FILE items")
        files[lang] = Path(path)
    if pivot not in files:
        raise ConfigError(f"--parallel: give the pivot language too ({pivot}=FILE)")
    versed = all(_is_verse_file(p) for p in files.values())
    data = read_verse_aligned(files) if versed else read_line_aligned(files)
    if limit is not None:
        data = {k: v[:limit] for k, v in data.items()}
    return data


def _is_verse_file(path: Path) -> bool:
    from xlt.io.files import iter_lines, resolve_path

    name = resolve_path(path).name.lower()
    if ".xml" in name:
        return True
    for lineno, text in iter_lines(path):  # verse_id<TAB>text, with an optional header line
        if lineno == 1 and text.lower().startswith("verse_id\t"):
            continue
        return text.startswith("b.") and "\t" in text
    return False


def mexa(
    model: str = typer.Option(..., "--model", "-m", help="HF encoder or decoder: hub id or local path."),
    parallel: list[str] = typer.Option(
        ...,
        "--parallel",
        "-p",
        help="SIB-200 directory (…/sib200), or repeated LANG=FILE (line- or verse-aligned).",
    ),
    langs: str | None = typer.Option(
        None, help="Comma-separated languages (SIB-200 codes like wol_Latn); default all."
    ),
    pivot: str = typer.Option("eng_Latn", help="Pivot language (English in MEXA)."),
    split: str = typer.Option("dev", help="SIB-200 split(s), comma-separated."),
    limit: int | None = typer.Option(None, help="Use at most this many parallel sentences."),
    pooling: str = typer.Option(
        "mean", help="mean (encoders), weighted (position-weighted, decoders) or last."
    ),
    batch_size: int = typer.Option(32, help="Sentences per forward pass."),
    max_length: int = typer.Option(128, help="Truncate sentences to this many tokens."),
    device: str | None = typer.Option(None, help="cpu / cuda (default: cuda when available)."),
    trust_remote_code: bool = typer.Option(False, help="Allow custom model code from the hub."),
    runs: list[str] = typer.Option(
        [], "--runs", help="Run directories: correlate MEXA with transfer from English."
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the MEXA report as JSON (for `xlt report --mexa`)."
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """MEXA: per-language alignment with English from parallel sentences (Kargaran et al. 2024).

    Per layer, the share of parallel pairs whose pooled embeddings retrieve each other top-1 in
    both directions; a label-free predictor of transfer from English.
    """
    from transformers.utils import logging as hf_logging

    from xlt.cli.common import progress_bar, write_json
    from xlt.evaluation.mexa import LayerEmbedder, correlate_with_transfer
    from xlt.evaluation.mexa import mexa as run_mexa
    from xlt.evaluation.report import english_source_scores
    from xlt.evaluation.store import resolve_runs

    hf_logging.set_verbosity_error()  # keep the terminal for the result table
    hf_logging.disable_progress_bar()
    lang_list = [x.strip() for x in langs.split(",") if x.strip()] if langs else None
    data = _parse_parallel(parallel, lang_list, pivot, split, limit)
    embedder = LayerEmbedder(
        model, pooling=pooling, batch_size=batch_size, max_length=max_length, device=device,  # type: ignore[arg-type]
        trust_remote_code=trust_remote_code,
    )  # fmt: skip
    total = sum(len(v) for v in data.values())
    with progress_bar() as bar:
        task = bar.add_task("embedding", total=total)
        rep = run_mexa(data, embedder, pivot=pivot, progress=lambda k: bar.advance(task, k))
    result = rep.to_dict()
    if runs:
        scores = english_source_scores(resolve_runs(runs))
        result["transfer_correlation"] = correlate_with_transfer(rep, scores) if scores else None
    if out is not None:
        write_json(out, result)
    if fmt == OutputFormat.json:
        emit_json(result)
        return
    from rich.table import Table

    table = Table(
        title=f"MEXA alignment with {pivot} · {model} · {rep.n_layers} layers · n={len(data[pivot])}"
    )
    for col in ("language", "mean", "max", "best layer", "mid layer"):
        table.add_column(col, justify="left" if col == "language" else "right")
    for lang, r in sorted(rep.results.items(), key=lambda kv: -kv[1].mean):
        table.add_row(lang, f"{r.mean:.3f}", f"{r.max:.3f}", str(r.best_layer), f"{r.mid:.3f}")
    console = stdout_console()
    console.print(table)
    corr = result.get("transfer_correlation")
    if corr:
        console.print(
            f"correlation with transfer from English over {corr['n']} targets: "
            f"Pearson r = {corr['pearson_r']:.3f} (p = {corr['pearson_p']:.3g}), "
            f"Spearman ρ = {corr['spearman_rho']:.3f} (p = {corr['spearman_p']:.3g})"
        )


def register(app: typer.Typer) -> None:
    app.command("mexa")(mexa)
