"""``xlt rank``: choose transfer (source) languages for a target language."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, emit_json, stdout_console, write_json
from xlt.cli.options import config_options, split_commas
from xlt.errors import ConfigError
from xlt.languages.codes import resolve as resolve_language
from xlt.ranking.learned import LambdaRankConfig

rank_app = typer.Typer(
    help="Rank source languages for a target: fit, predict, evaluate.", no_args_is_help=True
)

TableKind = Literal["auto", "ranks", "scores"]
KindOption = typer.Option("auto", "--kind", help="Table values: ranks (lower = better), scores, or auto.")
TransposeOption = typer.Option(
    False, "--transpose", help="The table has targets as rows, sources as columns."
)


def _split(value: str | list[str] | None) -> list[str] | None:
    """Comma-joined and/or repeated values as one list (None when none was given)."""
    if not value:
        return None
    return split_commas([value] if isinstance(value, str) else value) or None


def _features(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    out: list[str] = []
    for v in values:
        out.extend(_split(v) or [])
    return tuple(out)


@rank_app.command("fit")
@config_options(
    LambdaRankConfig,
    exclude=("method",),
    names={"samples_dir": ("--samples",)},
    aliases={"samples_dir": ("--samples-dir",)},
    comma=("features",),
    panel="Ranker options (LambdaRankConfig)",
)
def fit_cmd(
    table: Path = typer.Option(..., "--table", help="Transfer table CSV (sources × targets)."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory for model.txt + ranker.json."),
    kind: TableKind = KindOption,
    transpose: bool = TransposeOption,
    config: Path | None = typer.Option(None, "--config", help="YAML config of the lambdarank ranker."),
    calibrate_on: list[str] = typer.Option(
        [],
        "--calibrate-on",
        help="Dev targets (repeated or comma-separated, or 'all') on which to choose the temperatures "
        "of the choice probabilities and of the voting weights (leave-one-target-out Plackett-Luce "
        "likelihood of the top-3).",
    ),
    sets: list[str] = SetOption,
    fmt: OutputFormat = FormatOption,
    options: dict[str, Any] | None = None,
) -> None:
    """Train a LambdaRank ranker on a transfer table and save it (LightGBM text + JSON)."""
    from xlt.cli.common import config_from_cli
    from xlt.io.tables import read_transfer_table
    from xlt.ranking.learned import LambdaRankRanker

    cfg = config_from_cli(LambdaRankConfig, config_file=config, sets=sets, flags=options)
    tbl = read_transfer_table(table, kind=_kind(kind), transpose=transpose)
    ranker = LambdaRankRanker(cfg).fit(tbl)
    calibrate = _split(calibrate_on)
    if calibrate:
        from xlt.ranking.base import as_langs
        from xlt.ranking.evaluate import calibrate_relevance, calibrate_temperature

        dev = list(tbl.targets) if calibrate == ["all"] else as_langs(calibrate)
        for t in dev:
            tbl.target_index(t)  # unknown targets fail before any training
        ranker.temperature_, _ = calibrate_temperature(tbl, lambda: LambdaRankRanker(cfg), targets=dev)
        ranker.vote_temperature_, _ = calibrate_temperature(
            tbl, lambda: LambdaRankRanker(cfg), targets=dev, score=lambda r, ranked: r.vote_scores(ranked)
        )
        ranker.vote_calibration_ = list(
            calibrate_relevance(
                tbl, lambda: LambdaRankRanker(cfg), targets=dev, score=lambda r, ranked: r.vote_scores(ranked)
            )
        )
    ranker.save(out)
    curve = getattr(ranker, "vote_calibration_", None)
    missing = ranker.missing_
    summary = {
        "model": str(out),
        "table": str(table),
        "kind": tbl.kind,
        "sources": len(tbl.sources),
        "targets": ranker.n_targets_,
        "features": ranker.feature_names,
        "temperature": float(getattr(ranker, "temperature_", 1.0)),
        "vote_temperature": float(getattr(ranker, "vote_temperature_", 1.0)),
        "source_level_terms": list(getattr(ranker, "source_level_", [])),
        "vote_calibration_knots": len(curve[0]) if curve else 0,
        "feature_gain": ranker.feature_importance(),
        "missing": missing,
    }
    if fmt == OutputFormat.json:
        emit_json(summary)
        return
    console = stdout_console()
    console.print(
        f"trained on {summary['targets']} targets × {summary['sources']} sources ({tbl.kind}); saved to {out}"
    )
    for name, gain in sorted(summary["feature_gain"].items(), key=lambda kv: -kv[1]):
        console.print(f"  {name:<22} gain {gain:10.1f}", markup=False)
    for what, langs in missing.items():
        console.print(f"  no {what} for: {', '.join(langs)} (values imputed)", markup=False)


def _kind(kind: str) -> str:
    if kind not in ("auto", "ranks", "scores"):
        raise ConfigError(f"--kind must be auto, ranks or scores, not {kind!r}")
    return kind


@rank_app.command("predict")
def predict_cmd(
    target: str = typer.Option(..., "--target", help="Target language code."),
    model: Path | None = typer.Option(None, "--model", help="Directory of a ranker saved by `xlt rank fit`."),
    task: str = typer.Option(
        "ner", "--task", help="Packaged pretrained ranker to use when --model is absent."
    ),
    method: str | None = typer.Option(
        None, "--method", help="Use an unsupervised ranker instead (e.g. geographic, rank-average)."
    ),
    candidates: list[str] = typer.Option(
        [],
        "--candidates",
        help="Candidate sources, repeated or comma-separated (default: the model's sources).",
    ),
    top_k: int | None = typer.Option(None, "--top-k", min=1, help="Return only the best N sources."),
    temperature: float | None = typer.Option(
        None,
        "--temperature",
        min=1e-6,
        help="Softmax temperature of the voting weights (default: the ranker's calibrated "
        "vote_temperature, else 1).",
    ),
    target_text: Path | None = typer.Option(
        None,
        "--target-text",
        help="A text sample of the target (one sentence per line): its text features are computed from it.",
    ),
    tokenizer: Path | None = typer.Option(
        None,
        "--tokenizer",
        help="Model directory whose tokenizer.json built the profiles (for subword_coverage with --target-text).",
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Rank candidate source languages for a target (best first), with explanations and weights.

    A target that xlt or URIEL does not know is ranked from its text features only (with a
    warning): its FLORES-200 text when packaged, or --target-text.
    """
    from xlt.ranking.api import load_ranker
    from xlt.ranking.base import as_langs, rankers, softmax_weights

    tgt = _parse_target(target, target_text is not None)
    cand_codes = _split(candidates)
    if method is not None:
        if model is not None:
            raise ConfigError("give either --model or --method, not both")
        if not cand_codes:
            raise ConfigError(
                f"--method {method} needs --candidates (it has no training set to take them from)"
            )
        ranker = rankers.build(method)
        scores = ranker.rank(tgt, as_langs(cand_codes))
        if top_k is not None:
            scores = scores[:top_k]
        t = temperature if temperature is not None else 1.0
        weights = p_best = softmax_weights([s.score for s in scores], t)
    else:
        learned = load_ranker(model, task=task)
        if target_text is not None:
            from xlt.ranking.text import read_text_file

            learned = _copy_ranker(learned)
            learned.use_target_text(
                tgt, read_text_file(target_text), tokenizer_dir=tokenizer or _default_tokenizer(learned)
            )
        _warn_unknown_target(learned, tgt, target_text is not None)
        scores = learned.rank(tgt, as_langs(cand_codes or learned.sources_))
        if top_k is not None:
            scores = scores[:top_k]
        # weight: for voting over sources that label the same sentences (xlt project
        # --rank-target, voting: rank); p_best: Plackett-Luce probability of being the best
        weights = learned.vote_weights_for(tgt, [s.language for s in scores], temperature)
        p_best = softmax_weights([s.score for s in scores], float(getattr(learned, "temperature_", 1.0)))
    rows = [
        {
            "language": str(s.language),
            "code": s.language.code,
            "score": s.score,
            "weight": w,
            "p_best": p,
            "explanation": dict(s.explanation),
            "features": dict(s.features),
        }
        for s, w, p in zip(scores, weights, p_best, strict=True)
    ]
    if fmt == OutputFormat.json:
        emit_json(rows)
        return
    console = stdout_console()
    console.print(f"sources for {target} (best first)", markup=False)
    for i, row in enumerate(rows, start=1):
        terms = [kv for kv in row["explanation"].items() if kv[0] != "bias"]
        top = sorted(terms, key=lambda kv: -abs(kv[1]))[:3]
        why = ", ".join(f"{k} {v:+.2f}" for k, v in top)
        console.print(
            f"{i:>3}. {row['language']:<10} score {row['score']:+.3f}  weight {row['weight']:.3f}"
            f"  p_best {row['p_best']:.3f}  ({why})",
            markup=False,
        )


def _parse_target(code: str, has_text: bool):
    """``xlt.languages.resolve``; an unknown code is accepted as-is (with a warning) when text is given."""
    from xlt.errors import UnknownNameError
    from xlt.types import Lang

    try:
        return resolve_language(code)
    except UnknownNameError:
        if not has_text:
            raise
        _warn(f"{code!r} is not a language code xlt knows: using its --target-text features only")
        return Lang(code.strip().lower(), None, code)


def _copy_ranker(ranker):
    import copy

    return copy.copy(ranker)


def _default_tokenizer(ranker) -> Path | None:
    """``models/<name>`` (the directory `xlt models import` suggests) when it holds the tokenizer
    the profiles were built with."""
    from xlt.ranking.features import LANGSIM_FEATURES

    sim = ranker._langsim(LANGSIM_FEATURES)
    name = sim.meta.get("tokenizer") if sim is not None else None
    cand = Path("models") / name if name else None
    return cand if cand is not None and (cand / "tokenizer.json").is_file() else None


def _warn(message: str) -> None:
    from xlt.cli.common import stderr_console

    stderr_console().print(f"warning: {message}", markup=False)


def _warn_unknown_target(ranker, tgt, has_text: bool) -> None:
    from xlt.languages import typology

    if typology.uriel_code(tgt.code) is not None:
        return
    from xlt.ranking.features import LANGSIM_FEATURES

    sim = ranker._langsim(LANGSIM_FEATURES)
    known = sim is not None and tgt.code in sim.known_targets()
    if not known and not has_text:
        _warn(
            f"{tgt} is in neither URIEL nor the packaged text table: every feature is missing, so the "
            "ranking is by source prior only (give --target-text FILE)"
        )
    else:
        _warn(f"{tgt} is not in URIEL: ranking by text features only")


@rank_app.command("evaluate")
def evaluate_cmd(
    table: Path = typer.Option(..., "--table", help="Transfer table CSV (sources × targets)."),
    targets: list[str] = typer.Option(
        [], "--targets", help="Targets to hold out, repeated or comma-separated (default: all)."
    ),
    methods: list[str] = typer.Option(
        [], "--rankers", help="Rankers, repeated or comma-separated (default: lambdarank and every baseline)."
    ),
    features: list[str] = typer.Option(
        [], "--features", help="Features of the lambdarank ranker, repeated or comma-separated."
    ),
    samples: Path | None = typer.Option(None, "--samples", help="DIR of <code>.txt text samples."),
    kind: TableKind = KindOption,
    transpose: bool = TransposeOption,
    out: Path | None = typer.Option(None, "--out", "-o", help="Also write the JSON report here."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Leave-one-target-out NDCG@1/3/5, P@1 and MAP of the learned ranker and every baseline."""
    from xlt.io.tables import read_transfer_table
    from xlt.ranking.base import as_langs, rankers
    from xlt.ranking.evaluate import leave_one_target_out

    tbl = read_transfer_table(table, kind=_kind(kind), transpose=transpose)
    # default: the learned ranker and every unsupervised baseline (lambdarank-auto, which runs an
    # inner cross-validation per fold, only when asked for)
    names = _split(methods) or ["lambdarank", *[n for n in rankers.names() if not n.startswith("lambdarank")]]
    held_out = as_langs(_split(targets)) if targets else list(tbl.targets)
    for t in held_out:
        tbl.target_index(t)  # unknown targets fail before any training
    lr_cfg: dict[str, object] = {}
    if _features(features):
        lr_cfg["features"] = _features(features)
    if samples:
        lr_cfg["samples_dir"] = str(samples)
    results = []
    for name in names:
        cfg = (
            lr_cfg
            if name == "lambdarank"
            else (
                {"samples_dir": str(samples)}
                if samples and name in ("rank-average", "lambdarank-auto")
                else {}
            )
        )
        results.append(
            leave_one_target_out(
                tbl, lambda n=name, c=cfg: rankers.build(n, dict(c)), name=name, targets=held_out
            )
        )
    report = {
        "table": str(table),
        "sha256": tbl.digest,
        "targets": [str(t) for t in held_out],
        "results": [r.to_dict() for r in results],
    }
    if out is not None:
        write_json(out, report)
    if fmt == OutputFormat.json:
        emit_json(report)
        return
    print_results(results, len(held_out))


def print_results(results: list, n_targets: int) -> None:
    """A fixed-width table of mean metrics (×100), best NDCG@3 first."""
    console = stdout_console()
    keys = list(results[0].mean) if results else []
    console.print(f"leave-one-target-out over {n_targets} targets (metrics ×100)", markup=False)
    from xlt.ranking.evaluate import standard_error

    console.print(f"{'ranker':<16}" + "".join(f"{k:>9}" for k in keys) + f"{'±ndcg@3':>9}", markup=False)
    for r in sorted(results, key=lambda r: -r.mean.get("ndcg@3", 0.0)):
        cells = "".join(f"{100 * r.mean[k]:9.1f}" if not math.isnan(r.mean[k]) else f"{'-':>9}" for k in keys)
        sem = 100 * standard_error([m.get("ndcg@3", math.nan) for m in r.per_target.values()])
        console.print(f"{r.name:<16}{cells}{sem:9.1f}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(rank_app, name="rank")
