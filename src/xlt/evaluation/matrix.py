"""Result tables assembled from runs: the source x target transfer matrix and the
method-per-target comparison table.

Runs that share a configuration and differ only in seed are averaged (mean ± std).
A run that evaluated several languages (``per_language`` in metrics.json) fills one
cell per language. When a cell holds exactly one run with ``predictions.jsonl``,
it also gets a percentile bootstrap 95% CI over that run's examples.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xlt.evaluation.aggregate import SeedSummary, mean_std
from xlt.evaluation.bootstrap import Interval, metric_kind, per_language_ci
from xlt.evaluation.rundir import RunRecord


@dataclass(frozen=True)
class Cell:
    """One table cell: the seed summary of a score, an optional bootstrap CI, and its runs."""

    summary: SeedSummary
    ci: Interval | None = None
    run_ids: tuple[str, ...] = ()

    @property
    def mean(self) -> float:
        return self.summary.mean

    def error_bar(self) -> tuple[float, float] | None:
        """``(low, high)``: the bootstrap CI for one run, mean ± std for several seeds."""
        if self.ci is not None:
            return self.ci.low, self.ci.high
        if self.summary.n > 1:
            return self.summary.mean - self.summary.std, self.summary.mean + self.summary.std
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": self.summary.mean,
            "std": self.summary.std,
            "n_seeds": self.summary.n,
            "values": list(self.summary.values),
            "ci": self.ci.to_dict() if self.ci else None,
            "run_ids": list(self.run_ids),
        }


@dataclass(frozen=True)
class Table:
    """A labelled grid of cells (rows x columns); missing cells are absent from ``cells``."""

    title: str
    row_label: str
    col_label: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)
    metric: str | None = None

    def get(self, row: str, col: str) -> Cell | None:
        return self.cells.get((row, col))

    def value(self, row: str, col: str) -> float | None:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.mean

    def best_in_column(self, col: str) -> str | None:
        scored = [(c.mean, r) for (r, cc), c in self.cells.items() if cc == col]
        return max(scored)[1] if scored else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "row_label": self.row_label,
            "col_label": self.col_label,
            "metric": self.metric,
            "rows": list(self.rows),
            "cols": list(self.cols),
            "cells": {f"{r}|{c}": cell.to_dict() for (r, c), cell in self.cells.items()},
        }


def language_points(
    run: RunRecord, with_ci: bool = True, n_resamples: int = 1000, seed: int = 0
) -> dict[str, tuple[float, Interval | None]]:
    """``{language: (score, 95% CI or None)}``: CIs bootstrapped from predictions.jsonl, else read
    from metrics.json."""
    scores = run.language_scores()
    cis: dict[str, Interval] = {}
    if with_ci and run.has_predictions:
        records = run.predictions()
        if records:
            metric = metric_kind(run.primary_metric, [r["gold"] for r in records[:200]], run.task)
            cis = per_language_ci(
                records, metric, default_lang=run.target or "-", n_resamples=n_resamples, seed=seed
            )
    if not cis:
        cis = _stored_cis(run, scores)
    return {lang: (score, cis.get(lang)) for lang, score in scores.items()}


def _stored_cis(run: RunRecord, scores: dict[str, float]) -> dict[str, Interval]:
    """CIs written into metrics.json (``ci`` / ``per_language.<lang>.ci``, as :func:`evaluate` does)."""
    out: dict[str, Interval] = {}
    per_lang = run.metrics.get("per_language")
    for lang, score in scores.items():
        block = per_lang.get(lang) if isinstance(per_lang, dict) and per_lang else run.metrics
        ci = block.get("ci", {}).get(run.primary_metric or "") if isinstance(block, dict) else None
        if isinstance(ci, dict) and "low" in ci and "high" in ci:
            out[lang] = Interval(
                score, float(ci["low"]), float(ci["high"]), float(ci.get("level", 0.95)),
                int(ci.get("n", 0)), int(ci.get("n_resamples", 0)), run.primary_metric or "",
            )  # fmt: skip
    return out


def build_table(
    runs: Sequence[RunRecord],
    *,
    row_of: Callable[[RunRecord], str],
    title: str,
    row_label: str,
    col_label: str = "target",
    with_ci: bool = True,
    n_resamples: int = 1000,
    seed: int = 0,
    points: Mapping[str, Mapping[str, tuple[float, Interval | None]]] | None = None,
) -> Table:
    """Group runs by (row, evaluated language, configuration) and summarise over seeds.

    ``points`` (run id -> :func:`language_points`) reuses scores and CIs already bootstrapped,
    e.g. when several tables are built from the same runs.
    """
    groups: dict[tuple[str, str], dict[Hashable, list[tuple[RunRecord, float, Interval | None]]]] = {}
    for run in runs:
        run_points = (
            points[run.run_id] if points is not None else language_points(run, with_ci, n_resamples, seed)
        )
        for lang, (score, ci) in run_points.items():
            groups.setdefault((row_of(run), lang), {}).setdefault(run.config_key, []).append((run, score, ci))
    cells: dict[tuple[str, str], Cell] = {}
    for key, configs in groups.items():
        # several configurations in one cell (e.g. two models): seeds of all of them are pooled
        members = [m for ms in configs.values() for m in ms]
        summary = mean_std(score for _, score, _ in members)
        ci = members[0][2] if len(members) == 1 else None
        cells[key] = Cell(summary, ci, tuple(r.run_id for r, _, _ in members))
    rows = tuple(sorted({r for r, _ in cells}))
    cols = tuple(sorted({c for _, c in cells}))
    metrics = {r.primary_metric for r in runs if r.primary_metric}
    metric = metrics.pop() if len(metrics) == 1 else None
    return Table(title, row_label, col_label, rows, cols, cells, metric)


def transfer_matrix(runs: Sequence[RunRecord], **kwargs: Any) -> Table:
    """Source (set) x target matrix of primary-metric scores."""
    methods = sorted({r.method or "-" for r in runs})
    title = "Transfer matrix" + (f" ({methods[0]})" if len(methods) == 1 else "")
    return build_table(runs, row_of=lambda r: r.source_key, title=title, row_label="source", **kwargs)


def transfer_matrices(runs: Sequence[RunRecord], **kwargs: Any) -> dict[tuple[str, str], Table]:
    """One transfer matrix per (task, method)."""
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for run in runs:
        groups.setdefault((run.task or "-", run.method or "-"), []).append(run)
    return {key: transfer_matrix(rs, **kwargs) for key, rs in sorted(groups.items())}


def system_labeler(runs: Sequence[RunRecord]) -> Callable[[RunRecord], str]:
    """Label a run by the parts of (method, sources, model) that vary across ``runs``."""
    vary_method = len({r.method for r in runs}) > 1
    vary_sources = len({r.source_key for r in runs}) > 1
    vary_model = len({r.model for r in runs}) > 1

    def label(run: RunRecord) -> str:
        parts = []
        if vary_method or not (vary_sources or vary_model):
            parts.append(run.method or "-")
        if vary_sources:
            parts.append(f"from {run.source_key}")
        if vary_model:
            parts.append(f"[{_short_model(run.model)}]")
        return " ".join(parts)

    return label


def _short_model(model: str | None) -> str:
    if not model:
        return "-"
    return model.rstrip("/").split("/")[-1]


def method_table(runs: Sequence[RunRecord], **kwargs: Any) -> Table:
    """Systems (method / sources / model, whichever vary) x target, for comparing methods per target."""
    return build_table(
        runs, row_of=system_labeler(runs), title="Methods per target", row_label="system", **kwargs
    )


def pair_scores(runs: Sequence[RunRecord]) -> dict[tuple[str, str], float]:
    """Mean score per (single source, target language) pair, for correlation with distances."""
    acc: dict[tuple[str, str], list[float]] = {}
    for run in runs:
        if len(run.sources) != 1:
            continue
        for lang, score in run.language_scores().items():
            acc.setdefault((run.sources[0], lang), []).append(score)
    return {pair: sum(v) / len(v) for pair, v in acc.items()}
