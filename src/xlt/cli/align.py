"""``xlt align``: word-align parallel text (Pharaoh output); ``xlt align evaluate``: AER/P/R/F1."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from xlt.alignment.eflomal import EflomalConfig
from xlt.alignment.embedding import EmbeddingAlignerConfig
from xlt.alignment.hybrid import HybridAlignerConfig
from xlt.alignment.symmetrize import ALIASES as SYMMETRIZE_ALIASES
from xlt.cli.common import FormatOption, OutputFormat, SetOption, emit_json, stdout_console
from xlt.cli.options import check_applicable, config_options
from xlt.io.parallel import read_pairs, read_pairs_with_join
from xlt.io.pharaoh import GOLD_FORMATS, read_gold

__all__ = ["GOLD_FORMATS", "align_app", "read_gold", "read_pairs", "read_pairs_with_join"]  # re-exported

align_app = typer.Typer(
    help="Word alignment of parallel text (eflomal, embedding, hybrid) and its evaluation.",
    invoke_without_command=True,
)


#: the built-in aligners whose config fields become `xlt align` options (others: --config / --set)
ALIGNER_CONFIGS = (EflomalConfig, EmbeddingAlignerConfig, HybridAlignerConfig)


@align_app.callback()
@config_options(
    *ALIGNER_CONFIGS,
    exclude=("method",),
    names={"symmetrize": ("--symmetrize", "-s")},
    choice_aliases={"symmetrize": SYMMETRIZE_ALIASES},
    panel="Aligner options (from the config models; see docs/alignment.md)",
)
def align_cmd(
    ctx: typer.Context,
    parallel: list[Path] = typer.Option(
        [],
        "--parallel",
        "-p",
        help="src ||| tgt / TSV file, or give twice: source and target files or Bibles.",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Output Pharaoh file (0-based, one line per pair)."
    ),
    method: str = typer.Option(
        "eflomal", "--method", "-m", help="Aligner: eflomal, embedding or hybrid (both combined)."
    ),
    train_extra: list[Path] = typer.Option(
        [], "--train-extra", help="Extra src ||| tgt / TSV files used only to train the statistical model."
    ),
    write_pairs: Path | None = typer.Option(
        None, "--write-pairs", help="Also write the aligned (tokenised) pairs as src ||| tgt."
    ),
    write_ids: Path | None = typer.Option(
        None,
        "--write-ids",
        help="Also write the id of each aligned pair, one per line (verse ids for Bibles, FILE:LINE otherwise).",
    ),
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML config of the aligner."),
    sets: list[str] = SetOption,
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Align parallel sentences; writes Pharaoh links (0-based) in input order."""
    if ctx.invoked_subcommand is not None:
        return
    from xlt.alignment import aligners
    from xlt.cli.common import config_from_cli
    from xlt.errors import ConfigError
    from xlt.io.parallel import iter_parallel, write_parallel
    from xlt.io.pharaoh import write_pharaoh

    if not parallel or out is None:
        raise ConfigError(
            "xlt align run needs --parallel FILE and --out PRED.txt (or a subcommand: evaluate)"
        )
    cfg_cls = aligners.config_class(method)
    flags = dict(options or {})
    check_applicable(flags, cfg_cls, f"the {method} aligner")
    cfg = config_from_cli(cfg_cls, config_file=config, sets=sets, flags={**flags, "method": method})
    pairs, join = read_pairs_with_join(parallel)
    if not pairs:
        raise ConfigError(
            f"no sentence pairs to align ({join.summary() if join is not None else 'empty input'})"
        )
    extra = [p for f in train_extra for p in iter_parallel(f)]
    aligner = aligners.build(method, cfg)
    start = time.perf_counter()
    alignments = aligner.align(pairs, extra=extra)
    seconds = time.perf_counter() - start
    write_pharaoh(alignments, out, include_possible=False)
    if write_pairs is not None:
        write_parallel(pairs, write_pairs)
    if write_ids is not None:
        from xlt.io.files import atomic_writer

        with atomic_writer(write_ids) as fh:
            fh.writelines(f"{p.id}\n" for p in pairs)
    summary = {
        "out": str(out),
        "method": method,
        "pairs": len(pairs),
        "extra_pairs": len(extra),
        "links": sum(len(a) for a in alignments),
        "empty_alignments": sum(1 for a in alignments if not a.sure),
        "seconds": round(seconds, 3),
        "config": cfg.to_dict(),
        "join": join.to_dict() if join is not None else None,
        "dropped": join.n_dropped if join is not None else 0,
    }
    if fmt == OutputFormat.json:
        emit_json(summary)
    else:
        console = stdout_console()
        if join is not None:
            console.print(f"verse join: {join.summary()}", markup=False, highlight=False)
        console.print(
            f"aligned {len(pairs)} pairs ({len(extra)} extra for training) with {method} in {seconds:.1f}s: "
            f"{summary['links']} links, {summary['empty_alignments']} empty -> {out}",
            markup=False,
            highlight=False,
        )


#: the explicit verb (``xlt align run ...``); ``xlt align --... `` without it still works
align_app.command("run")(align_cmd)


@align_app.command("evaluate")
def evaluate_cmd(
    pred: Path = typer.Option(..., "--pred", help="Predicted Pharaoh file (0-based)."),
    gold: Path = typer.Option(..., "--gold", help="Gold alignments."),
    gold_format: str = typer.Option(
        "auto",
        "--gold-format",
        help="xlwa (TSV src/tgt/0-based links), naacl (1-based i-j / ipj per line), pharaoh (0-based), "
        "aer (sent i j S|P lines), auto.",
    ),
    text: Path | None = typer.Option(None, "--text", help="src ||| tgt text of the gold (bounds checks)."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """AER, precision, recall and F1 of predicted links against sure/possible gold."""
    from xlt.alignment.metrics import alignment_scores
    from xlt.errors import ConfigError, MismatchError
    from xlt.io.pharaoh import read_pharaoh

    if gold_format not in GOLD_FORMATS:
        raise ConfigError(f"--gold-format {gold_format!r}: expected one of {', '.join(GOLD_FORMATS)}")
    gold_aligns, pairs = read_gold(gold, gold_format, text)
    predicted = read_pharaoh(pred, pairs=pairs)
    if len(predicted) != len(gold_aligns):
        raise MismatchError(f"{pred} has {len(predicted)} alignments but {gold} has {len(gold_aligns)}")
    scores = alignment_scores(predicted, gold_aligns)
    if fmt == OutputFormat.json:
        emit_json(scores)
        return
    stdout_console().print(
        f"AER {scores['aer']:.4f}  P {scores['precision']:.4f}  R {scores['recall']:.4f}  "
        f"F1 {scores['f1']:.4f}  ({int(scores['n_pairs'])} pairs)"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(align_app, name="align")
