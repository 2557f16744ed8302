"""``xlt project``: carry token or BIO span labels across word alignments;
``xlt project evaluate``: span F1 (strict IOB2) or token accuracy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, emit_json, stdout_console
from xlt.cli.options import check_applicable, config_options
from xlt.io.conllu import read_tagged
from xlt.io.sentences import read_target_tokens
from xlt.projection.spans import SpanProjectorConfig
from xlt.projection.tokens import TokenProjectorConfig

__all__ = ["project_app", "read_target_tokens"]  # read_target_tokens re-exported

project_app = typer.Typer(
    help="Label projection through word alignments (tokens / BIO spans, multi-source voting).",
    invoke_without_command=True,
)

TASKS = {"ner": "spans", "spans": "spans", "pos": "tokens", "tokens": "tokens"}
Task = Literal["ner", "spans", "pos", "tokens"]
TargetFormat = Literal["auto", "conll", "conllu", "parallel", "lines"]


@project_app.callback()
@config_options(
    SpanProjectorConfig,
    TokenProjectorConfig,
    exclude=("method",),
    comma=("ignore_labels",),
    panel="Projector options (from the config models: spans for ner, tokens for pos)",
)
def project_cmd(
    ctx: typer.Context,
    source: list[Path] = typer.Option(
        [],
        "--source",
        help="Labelled source CoNLL / CoNLL-U (repeat with --alignments for multi-source voting).",
    ),
    target: Path | None = typer.Option(
        None,
        "--target",
        help="Target tokens: CoNLL, CoNLL-U, src ||| tgt, or one tokenised sentence per line.",
    ),
    alignments: list[Path] = typer.Option(
        [], "--alignments", "-a", help="Pharaoh file(s), 0-based, source-target."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output CoNLL file (token label)."),
    task: Task = typer.Option("ner", "--task", help="ner (BIO spans) or pos (token tags)."),
    weights: list[float] = typer.Option([], "--weight", help="Voting weight per --source (default: equal)."),
    rank_target: str | None = typer.Option(
        None, "--rank-target", help="Weight the sources by `xlt rank` scores for this target language."
    ),
    source_langs: list[str] = typer.Option(
        [], "--source-lang", help="Language of each --source (with --rank-target)."
    ),
    column: str = typer.Option("upos", "--column", help="CoNLL-U column holding the source labels."),
    target_format: TargetFormat = typer.Option(
        "auto", "--target-format", help="Format of --target (auto: from the file)."
    ),
    unlabelled: str | None = typer.Option(
        None, "--unlabelled", help="Label written for unlabelled tokens (default: O for ner, _ for pos)."
    ),
    stats_out: Path | None = typer.Option(
        None, "--stats", help="Write statistics and per-span statuses (JSON)."
    ),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML config of the projector."),
    sets: list[str] = SetOption,
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Project labels from source sentences onto aligned target sentences."""
    if ctx.invoked_subcommand is not None:
        return
    from xlt.cli.common import config_from_cli
    from xlt.errors import ConfigError, MismatchError
    from xlt.io.conll import write_conll
    from xlt.io.files import atomic_writer
    from xlt.io.pharaoh import read_pharaoh
    from xlt.projection import projectors, vote
    from xlt.types import SentencePair

    if not source or target is None or not alignments or out is None:
        raise ConfigError("xlt project run needs --source, --target, --alignments and --out (or: evaluate)")
    if task not in TASKS:
        raise ConfigError(f"--task {task!r}: expected ner or pos")
    if len(source) != len(alignments):
        raise ConfigError(f"{len(source)} --source files but {len(alignments)} --alignments files")
    if weights and len(weights) != len(source):
        raise ConfigError(f"{len(weights)} --weight values for {len(source)} sources")
    if rank_target is not None:
        from xlt.projection.multisource import rank_weights

        if weights:
            raise ConfigError("give either --weight values or --rank-target, not both")
        if len(source_langs) != len(source):
            raise ConfigError(f"--rank-target needs one --source-lang per --source ({len(source)})")
        weights = rank_weights(rank_target, source_langs, task="ner" if task == "ner" else "pos")
    method = TASKS[task]
    cfg_cls = projectors.config_class(method)
    check_applicable(options or {}, cfg_cls, f"--task {task} (the {method} projector)")
    cfg = config_from_cli(cfg_cls, config_file=config, sets=sets, flags={**(options or {}), "method": method})
    tgt = read_target_tokens(target, target_format)
    results, stats = [], []
    for src_path, align_path in zip(source, alignments, strict=True):
        src = read_tagged(src_path, column)
        if len(src) != len(tgt):
            raise MismatchError(f"{src_path} has {len(src)} sentences but {target} has {len(tgt)}")
        # indices are checked against both sentences here, so a bad link names the
        # alignment file and line (not only the sentence it lands in)
        aligns = read_pharaoh(
            align_path,
            pairs=[SentencePair(s.tokens, t.tokens, id=s.id) for s, t in zip(src, tgt, strict=True)],
        )
        projector = projectors.build(method, cfg)
        results.append(projector.project(src, tgt, aligns))
        stats.append({"source": str(src_path), **projector.stats_})
    final = results[0] if len(results) == 1 else vote(results, weights or None, mode=method)
    none_label = unlabelled if unlabelled is not None else ("O" if method == "spans" else "_")
    write_conll(final, out, none_label=none_label)
    labelled = sum(1 for s in final for lab in s.labels if lab not in (None, "O"))
    summary = {
        "out": str(out),
        "task": task,
        "sentences": len(final),
        "labelled_tokens": labelled,
        "weights": list(weights) if weights else None,
        "sources": stats,
    }
    if stats_out is not None:
        with atomic_writer(stats_out) as fh:
            spans = [s.meta.get("spans", []) for s in results[0]] if method == "spans" else None
            json.dump({**summary, "span_status": spans}, fh, ensure_ascii=False)
    if fmt == OutputFormat.json:
        emit_json(summary)
        return
    console = stdout_console()
    console.print(f"projected {len(final)} sentences -> {out}")
    for st in stats:
        extra = ", ".join(f"{k}={v}" for k, v in st.items() if k != "source")
        console.print(f"  {st['source']}: {extra}")


#: the explicit verb (``xlt project run ...``); ``xlt project --... `` without it still works
project_app.command("run")(project_cmd)


@project_app.command("evaluate")
def evaluate_cmd(
    pred: Path = typer.Option(..., "--pred", help="Projected CoNLL file."),
    gold: Path = typer.Option(..., "--gold", help="Gold CoNLL / CoNLL-U file of the same sentences."),
    task: Literal["auto", "ner", "spans", "pos", "tokens"] = typer.Option(
        "auto", "--task", help="ner (span F1), pos (accuracy) or auto (from the labels)."
    ),
    column: str = typer.Option("upos", "--column", help="CoNLL-U column of the gold labels."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Span F1 (strict IOB2) for span tasks, token accuracy for token tasks."""
    from xlt.errors import ConfigError, MismatchError
    from xlt.evaluation.metrics import span_prf, token_accuracy
    from xlt.projection.base import looks_like_bio

    g = read_tagged(gold, column)
    p = read_tagged(pred, column)
    if len(g) != len(p):
        raise MismatchError(f"{gold} has {len(g)} sentences but {pred} has {len(p)}")
    for k, (a, b) in enumerate(zip(g, p, strict=True)):
        if a.tokens != b.tokens:
            raise MismatchError(f"sentence {k + 1}: tokens of {pred} differ from {gold}")
    if task == "auto":
        task = "ner" if looks_like_bio(g) else "pos"
    if task not in TASKS:
        raise ConfigError(f"--task {task!r}: expected ner, pos or auto")
    gold_labels = [list(s.labels) for s in g]
    pred_labels = [[None if lab == "_" else lab for lab in s.labels] for s in p]
    if TASKS[task] == "spans":
        scores = span_prf(gold_labels, pred_labels)
    else:
        scores = token_accuracy(gold_labels, pred_labels)
    n_tokens = sum(len(x) for x in pred_labels)
    scores = {
        "task": task,
        **scores,
        "labelled_token_share": sum(1 for x in pred_labels for lab in x if lab is not None) / n_tokens
        if n_tokens
        else 0.0,
    }
    if TASKS[task] == "spans":
        from xlt.projection.base import bio_spans

        scores["n_pred_spans"] = float(sum(len(bio_spans(x)) for x in pred_labels))
    if fmt == OutputFormat.json:
        emit_json(scores)
        return
    stdout_console().print(
        "  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in scores.items())
    )


def register(app: typer.Typer) -> None:
    app.add_typer(project_app, name="project")
