"""The report's data: runs collected into transfer matrices and method tables (with bootstrap CIs),
paired tests of the best system against the runner-up, distance correlations, ranker explanations
and MEXA. Renderers (`html`, `markdown`, `latex`) only format a `Report`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from xlt.evaluation.bootstrap import metric_kind
from xlt.evaluation.correlation import Correlation, distance_correlations, per_target_correlations
from xlt.evaluation.matrix import (
    Table,
    language_points,
    method_table,
    pair_scores,
    transfer_matrices,
)
from xlt.evaluation.mexa import MexaReport, correlate_with_transfer
from xlt.evaluation.rundir import RunRecord, aligned_predictions
from xlt.evaluation.significance import PairedTest, paired_bootstrap


@dataclass
class Comparison:
    """Paired bootstrap test of the best system against the runner-up on one target."""

    task: str
    target: str
    best: str
    runner_up: str
    test: PairedTest  # with several seeds: the seed-matched test with the largest p-value
    seeds: tuple[int | None, ...] = ()


@dataclass
class Report:
    title: str
    runs: list[RunRecord]
    matrices: dict[tuple[str, str], Table] = field(default_factory=dict)
    method_tables: dict[str, Table] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    pair_scores: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)  # per task
    distances: dict[str, dict[tuple[str, str], float]] = field(default_factory=dict)
    correlations: dict[str, list[Correlation]] = field(default_factory=dict)  # per task
    target_correlations: dict[str, dict[str, list[Correlation]]] = field(
        default_factory=dict
    )  # task -> target
    rankings: list[tuple[str, Any]] = field(default_factory=list)
    mexa: MexaReport | None = None
    mexa_correlation: dict[str, Any] | None = None
    created_at: str = ""

    @property
    def scale(self) -> float:
        """100 when scores are fractions (shown as percentages), 1 otherwise."""
        vals = [r.score for r in self.runs if r.score is not None]
        return 100.0 if all(abs(v) <= 1.0 for v in vals) else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "created_at": self.created_at,
            "runs": [r.to_dict() for r in self.runs],
            "transfer_matrices": {f"{t}|{m}": tab.to_dict() for (t, m), tab in self.matrices.items()},
            "method_tables": {t: tab.to_dict() for t, tab in self.method_tables.items()},
            "comparisons": [
                {
                    "task": c.task,
                    "target": c.target,
                    "best": c.best,
                    "runner_up": c.runner_up,
                    "seeds": list(c.seeds),
                    **c.test.to_dict(),
                }
                for c in self.comparisons
            ],
            "correlations": {t: [c.to_dict() for c in cs] for t, cs in self.correlations.items()},
            "target_correlations": {
                task: {tgt: [c.to_dict() for c in cs] for tgt, cs in per.items()}
                for task, per in self.target_correlations.items()
            },
            "rankings": [{"run_id": rid, "ranking": rk} for rid, rk in self.rankings],
            "mexa": self.mexa.to_dict() if self.mexa else None,
            "mexa_correlation": self.mexa_correlation,
        }


def build_report(
    runs: Sequence[RunRecord],
    *,
    title: str = "xlt evaluation report",
    distances: Mapping[str, Mapping[tuple[str, str], float]] | None = None,
    mexa: MexaReport | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
) -> Report:
    """Assemble every table, test and correlation of a report from runs."""
    runs = list(runs)
    # scores and bootstrap CIs once per run, shared by the transfer matrices and method tables
    kw = {"points": {r.run_id: language_points(r, True, n_resamples, seed) for r in runs}}
    report = Report(title, runs, created_at=datetime.now(tz=timezone.utc).isoformat(timespec="seconds"))
    report.matrices = transfer_matrices(runs, **kw)
    by_task: dict[str, list[RunRecord]] = {}
    for run in runs:
        by_task.setdefault(run.task or "-", []).append(run)
    for task, task_runs in sorted(by_task.items()):
        report.method_tables[task] = method_table(task_runs, **kw)
        report.comparisons.extend(
            _compare_best(task, task_runs, report.method_tables[task], n_resamples * 2, seed)
        )
    report.pair_scores = {
        task: ps for task, task_runs in sorted(by_task.items()) if (ps := pair_scores(task_runs))
    }
    if distances:
        report.distances = {k: dict(v) for k, v in distances.items()}
        report.correlations = {
            task: distance_correlations(ps, report.distances) for task, ps in report.pair_scores.items()
        }
        report.target_correlations = {
            task: tc
            for task, ps in report.pair_scores.items()
            if (tc := per_target_correlations(ps, report.distances))
        }
    report.rankings = [(r.run_id, r.ranking()) for r in runs if r.has_ranking]
    if mexa is not None:
        report.mexa = mexa
        target_scores = english_source_scores(runs)
        if target_scores:
            report.mexa_correlation = correlate_with_transfer(mexa, target_scores)
    return report


def english_source_scores(runs: Sequence[RunRecord]) -> dict[str, float]:
    """Mean score per target of runs transferring from English alone (MEXA's pivot)."""
    from xlt.languages.codes import language_key

    acc: dict[str, list[float]] = {}
    for run in runs:
        if len(run.sources) == 1 and language_key(run.sources[0]) == "eng":
            for lang, score in run.language_scores().items():
                acc.setdefault(lang, []).append(score)
    return {k: sum(v) / len(v) for k, v in acc.items()}


def _compare_best(
    task: str, runs: Sequence[RunRecord], table: Table, n_resamples: int, seed: int
) -> list[Comparison]:
    """For each target, a paired bootstrap test of the best system against the runner-up.

    Needs predictions on the same examples. Systems with several seeds are compared seed by
    seed (runs with the same seed); the least significant of those tests is reported.
    """
    by_id = {r.run_id: r for r in runs}
    read: dict[str, list[dict[str, Any]]] = {}  # each run's predictions, read once for all columns

    def records(run: RunRecord) -> list[dict[str, Any]]:
        if run.run_id not in read:
            read[run.run_id] = run.predictions()
        return read[run.run_id]

    out = []
    for col in table.cols:
        ranked = sorted(
            ((c.mean, r, c) for (r, cc), c in table.cells.items() if cc == col), key=lambda t: -t[0]
        )
        if len(ranked) < 2:
            continue
        (_, best, cell_a), (_, second, cell_b) = ranked[0], ranked[1]
        runs_a = [by_id[i] for i in cell_a.run_ids if i in by_id and by_id[i].has_predictions]
        runs_b = [by_id[i] for i in cell_b.run_ids if i in by_id and by_id[i].has_predictions]
        if not runs_a or not runs_b:
            continue
        if len(runs_a) == 1 and len(runs_b) == 1:
            pairs = [(runs_a[0], runs_b[0])]
        else:
            seeds_b = {r.seed: r for r in runs_b}
            pairs = [(ra, seeds_b[ra.seed]) for ra in runs_a if ra.seed in seeds_b]
        tests = []
        for ra, rb in pairs:
            aligned = aligned_predictions(ra, rb, col, records=(records(ra), records(rb)))
            if aligned is not None:
                gold, pa, pb = aligned
                metric = metric_kind(ra.primary_metric, gold, ra.task)
                tests.append(
                    (paired_bootstrap(gold, pa, pb, metric, n_resamples=n_resamples, seed=seed), ra.seed)
                )
        if tests:
            worst = max(tests, key=lambda t: t[0].p_value)[0]
            out.append(Comparison(task, col, best, second, worst, tuple(s for _, s in tests)))
    return out


def label_scores(run: RunRecord) -> dict[str, float]:
    """Per-label F1 of a run: ``per_label.<label>.f1``, else ``f1_<label>`` keys (top level or ``test``)."""
    per = run.metrics.get("per_label")
    if isinstance(per, Mapping) and per:
        return {str(k): float(v["f1"]) for k, v in per.items() if isinstance(v, Mapping) and "f1" in v}
    for block in (run.metrics, run.metrics.get("test")):
        if isinstance(block, Mapping):
            found = {
                k[3:]: float(v)
                for k, v in block.items()
                if k.startswith("f1_") and isinstance(v, (int, float))
            }
            if found:
                return found
    return {}


def ranking_items(ranking: Any) -> tuple[str, list[dict[str, Any]]]:
    """Normalise ranking.json: ``{"target", "candidates": [...]}`` or a bare candidate list."""
    if isinstance(ranking, Mapping):
        target = str(ranking.get("target") or "")
        cands = ranking.get("candidates") or ranking.get("ranking") or []
    else:
        target, cands = "", ranking or []
    items = []
    for c in cands:
        if not isinstance(c, Mapping):
            continue
        lang = c.get("language")
        if isinstance(lang, Mapping):
            lang = lang.get("given") or lang.get("code")
        items.append(
            {
                "language": str(lang),
                "score": c.get("score"),
                "explanation": dict(c.get("explanation") or {}),
            }
        )
    return target, items
