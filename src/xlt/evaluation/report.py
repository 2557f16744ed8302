"""Evaluation reports from runs: one self-contained HTML file (inline SVG, inline CSS,
no scripts, no network) or Markdown tables for papers and READMEs.

Sections: runs table, transfer matrix heatmap (per task and method), per-target bars
with 95% bootstrap CIs (or ± std over seeds), the method comparison table with a paired
bootstrap test of the best system against the runner-up, distance-vs-score scatter
plots with least-squares fits and the correlation table, ranker explanations, and MEXA.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from xlt.evaluation import svg
from xlt.evaluation.bootstrap import metric_kind
from xlt.evaluation.correlation import Correlation, distance_correlations, per_target_correlations
from xlt.evaluation.matrix import (
    Table,
    language_points,
    method_table,
    pair_scores,
    system_labeler,
    transfer_matrices,
)
from xlt.evaluation.mexa import MexaReport, correlate_with_transfer
from xlt.evaluation.significance import PairedTest, paired_bootstrap
from xlt.evaluation.store import RunRecord, aligned_predictions
from xlt.io.files import atomic_writer


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


# --------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;
color:#1b1b1b;background:#fff;line-height:1.45;padding:0 16px}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:1.05em;margin:20px 0 6px}.meta{color:#666;font-size:.9em}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.88em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right;white-space:nowrap}
th{background:#f5f5f7;text-align:center}td.l,th.l{text-align:left}
td.best{font-weight:700;background:#eef6ee}.ci{color:#777;font-size:.85em}
.charts{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure{margin:0}figcaption{font-size:.82em;color:#555;max-width:520px}
.note{color:#555;font-size:.9em}.toc{margin:6px 0 0;font-size:.9em}.toc a{color:#0b5cad}\nsummary{cursor:pointer;margin:6px 0}.wide{overflow-x:auto}.sig{color:#0a7a2f;font-weight:600}.nsig{color:#999}
"""


def _td(text: str, cls: str = "") -> str:
    return f"<td class='{cls}'>{text}</td>" if cls else f"<td>{text}</td>"


def _cell_text(table: Table, row: str, col: str, scale: float) -> str:
    cell = table.get(row, col)
    if cell is None:
        return "–"
    text = cell.summary.format(1, scale)
    if cell.ci is not None:
        text += f" <span class='ci'>[{svg.fmt(cell.ci.low, scale)}, {svg.fmt(cell.ci.high, scale)}]</span>"
    return text


def _table_html(table: Table, scale: float) -> str:
    head = f"<tr><th class='l'>{escape(table.row_label)} \\ {escape(table.col_label)}</th>"
    head += "".join(f"<th>{escape(c)}</th>" for c in table.cols) + "<th>avg</th></tr>"
    best = {c: table.best_in_column(c) for c in table.cols}
    body = []
    for row in table.rows:
        vals = [table.value(row, c) for c in table.cols]
        present = [v for v in vals if v is not None]
        avg = sum(present) / len(present) if present else None
        tds = "".join(
            _td(_cell_text(table, row, c, scale), "best" if best[c] == row and len(table.rows) > 1 else "")
            for c in table.cols
        )
        body.append(f"<tr><td class='l'>{escape(row)}</td>{tds}{_td(svg.fmt(avg, scale))}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _runs_html(runs: Sequence[RunRecord], scale: float) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("run", "task", "method", "model", "sources", "target", "seed", "metric", "score", "created")
    )
    rows = []
    for r in runs:
        rows.append(
            "<tr>"
            + "".join(
                _td(escape(str(v)), "l")
                for v in (
                    r.run_id,
                    r.task or "–",
                    r.method or "–",
                    r.model or "–",
                    r.source_key,
                    r.target or "–",
                )
            )
            + _td(escape(str(r.seed if r.seed is not None else "–")))
            + _td(escape(r.primary_metric or "–"))
            + _td(svg.fmt(r.score, scale, 2))
            + _td(escape(r.created_at or "–"), "l")
            + "</tr>"
        )
    return f"<div class='wide'><table><tr>{head}</tr>{''.join(rows)}</table></div>"


def _pct(value: Any) -> str:
    return f"{100 * value:.1f}" if isinstance(value, (int, float)) else "–"


def _resources_section(report: Report, scale: float) -> list[str]:
    """One row per projection run with a resource report: what the pipeline used for the target
    (sources, verses, coverage, agreement between voters, test-set multiword tokens), next to
    its score, so a reader sees why a language did well or badly."""
    rows = []
    for r in report.runs:
        res = r.metrics.get("resources") if isinstance(r.metrics, Mapping) else None
        if not isinstance(res, Mapping):
            continue
        sources = ", ".join(
            f"{s.get('language')} ({s.get('verse_pairs') or 0:,} verses, {_pct(s.get('projected_token_coverage'))}%)"
            for s in res.get("sources") or []
        )
        agree = list((res.get("source_agreement") or {}).values())
        zero = [v for v in (res.get("zero_shot_agreement") or {}).values() if v is not None]
        tok = res.get("test_tokenization") or {}
        cells = [
            _td(escape(r.run_id), "l"),
            _td(escape(r.target or "–"), "l"),
            _td(escape(sources or "–"), "l"),
            _td(f"{res.get('verses_kept') or 0:,} / {res.get('target_verses') or 0:,}"),
            _td(_pct(res.get("train_token_coverage"))),
            _td(_pct(sum(agree) / len(agree)) if agree else "–"),
            _td(_pct(sum(zero) / len(zero)) if zero else "–"),
            _td(_pct(res.get("zero_shot_test"))),
            _td(_pct(tok.get("multiword_word_share")) if tok else "–"),
            _td(svg.fmt(r.score, scale, 1)),
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        return []
    heads = (
        "run",
        "target",
        "sources (verse pairs, projected coverage %)",
        "verses kept / in",
        "labelled train tokens %",
        "source agreement %",
        "zero-shot agreement %",
        "zero-shot test",
        "test words in multiword tokens %",
        "score",
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    return [
        "<h2 id='resources'>Projection resources</h2>",
        "<p>What each projection run had to work with; low agreement between voters flags noisy "
        "alignments or a distant source, and test words inside multiword tokens are words the "
        "projected training data never shows split.</p>",
        f"<div class='wide'><table><tr>{head}</tr>{''.join(rows)}</table></div>",
    ]


def _chart_and_table(heading: str, chart: str, table: Table, scale: float) -> list[str]:
    """An ``<h3>`` heading (HTML), one chart and the table of its numbers."""
    return [
        f"<h3>{heading}</h3>",
        f"<div class='charts'><figure>{chart}</figure></div>",
        _table_html(table, scale),
    ]


def _matrix_section(report: Report, scale: float) -> list[str]:
    out = ["<h2 id='matrix'>Transfer matrix</h2>"]
    if not report.matrices:
        return [*out, "<p class='note'>No runs.</p>"]
    out.append(
        "<p class='note'>Rows: source language(s); columns: evaluated language. Cells: mean over seeds "
        "(± std when several seeds); [95% bootstrap CI] when a cell is one run with predictions.</p>"
    )
    for (task, method), table in report.matrices.items():
        metric = table.metric or "score"
        values = {k: c.mean for k, c in table.cells.items()}
        tips = {
            k: f"{k[0]} → {k[1]}: {c.summary.format(2, scale)}"
            + (f" [{svg.fmt(c.ci.low, scale, 2)}, {svg.fmt(c.ci.high, scale, 2)}]" if c.ci else "")
            for k, c in table.cells.items()
        }
        chart = svg.heatmap(
            table.rows, table.cols, values, title=f"{task}: {method} ({metric})", scale=scale, tooltips=tips
        )
        out += _chart_and_table(f"{escape(task)} · {escape(method)} · {escape(metric)}", chart, table, scale)
    return out


def _bars_section(report: Report, scale: float) -> list[str]:
    out = ["<h2 id='targets'>Per-target scores</h2>"]
    out.append(
        "<p class='note'>Whiskers: 95% percentile bootstrap CI over test examples (one run), or ± one std "
        "over seeds (several runs).</p>"
    )
    for task, table in report.method_tables.items():
        values = {(c, r): cell.mean for (r, c), cell in table.cells.items()}
        errors = {(c, r): eb for (r, c), cell in table.cells.items() if (eb := cell.error_bar()) is not None}
        metric = table.metric or "score"
        chart = svg.grouped_bars(
            table.cols,
            table.rows,
            values,
            errors,
            title=f"{task}: score per target",
            y_label=metric,
            scale=scale,
        )
        out += _chart_and_table(f"{escape(task)} ({escape(metric)})", chart, table, scale)
    if report.comparisons:
        out.append("<h3>Best vs runner-up (paired bootstrap)</h3>")
        out.append(
            "<p class='note'>Berg-Kirkpatrick et al. (2012) paired bootstrap, H0: the better system is not "
            "better (one-sided, so p &lt; 0.05 can occur while the two-sided 95% CI of Δ touches 0); p &lt; 0.05 in green. Win rate: share of resamples where the best system wins (Koehn 2004). "
            "Systems with several seeds are tested seed by seed; the largest p-value is shown.</p>"
        )
        rows = "".join(
            "<tr>"
            + _td(escape(c.task), "l")
            + _td(escape(c.target), "l")
            + _td(escape(c.best), "l")
            + _td(escape(c.runner_up), "l")
            + _td(f"{c.test.delta * scale:+.2f}")
            + _td(f"[{c.test.delta_low * scale:+.2f}, {c.test.delta_high * scale:+.2f}]")
            + _td(
                f"<span class='{'sig' if c.test.significant() else 'nsig'}'>{escape(_p_boot(c.test))}</span>"
            )
            + _td(f"{c.test.win_rate_a:.3f}")
            + _td(str(c.test.n))
            + _td(", ".join("–" if x is None else str(x) for x in c.seeds))
            + "</tr>"
            for c in report.comparisons
        )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("task", "target", "best", "runner-up", "Δ", "Δ 95% CI", "p", "win rate", "n", "seeds")
        )
        out.append(f"<table><tr>{head}</tr>{rows}</table>")
    return out


def _corr_note(pearson_r: float, spearman_rho: float, n: int) -> str:
    """Scatter-plot note: Pearson r, Spearman ρ and n (only n below 3 points)."""
    return f"r={pearson_r:.2f} ρ={spearman_rho:.2f} n={n}" if n >= 3 else f"n={n}"


def _correlation_section(report: Report, scale: float) -> list[str]:
    out = ["<h2 id='distance'>Language distance vs transfer</h2>"]
    if not report.correlations:
        out.append(
            "<p class='note'>No distances given (use <code>--typology</code> or <code>--distances FILE</code>) "
            "or no single-source runs.</p>"
        )
        return out
    out.append(
        "<p class='note'>Each point is one (source, target) pair of single-source runs (score averaged over "
        "seeds and methods); dashed line: least-squares fit. Pearson r and Spearman ρ with two-sided "
        "p-values (t distribution, n − 2 df).</p>"
    )
    for task, correlations in report.correlations.items():
        scores = report.pair_scores.get(task, {})
        out.append(f"<h3>{escape(task)}</h3><div class='charts'>")
        for corr in correlations:
            table = report.distances.get(corr.distance, {})
            pts = [
                (f"{s} → {t}", table[(s, t)], v) for (s, t), v in sorted(scores.items()) if (s, t) in table
            ]
            note = _corr_note(corr.pearson_r, corr.spearman_rho, corr.n)
            out.append("<figure>")
            out.append(
                svg.scatter(
                    pts,
                    title=f"{task}: {corr.distance} distance",
                    x_label=f"{corr.distance} distance" + (" (km)" if corr.distance == "geographic" else ""),
                    y_label="score",
                    fit=(corr.slope, corr.intercept),
                    note=note,
                    y_scale=scale,
                )
            )
            out.append("</figure>")
        out.append("</div>")
        out.append(_correlation_table_html(correlations))
        per_target = report.target_correlations.get(task)
        if per_target:
            out.append(_per_target_html(per_target))
    return out


def _per_target_html(per_target: Mapping[str, Sequence[Correlation]]) -> str:
    """Spearman ρ within each target (over its sources), one column per distance kind."""
    kinds = sorted({c.distance for cs in per_target.values() for c in cs})
    head = (
        "<tr><th class='l'>target</th><th>sources</th>"
        + "".join(f"<th>{escape(k)}</th>" for k in kinds)
        + "</tr>"
    )
    rows = []
    for tgt, cs in per_target.items():
        by_kind = {c.distance: c for c in cs}
        n = max((c.n for c in cs), default=0)
        cells = "".join(
            _td(_r(by_kind[k].spearman_rho) if k in by_kind and by_kind[k].n >= 3 else "–") for k in kinds
        )
        rows.append(f"<tr><td class='l'>{escape(tgt)}</td><td>{n}</td>{cells}</tr>")
    return (
        "<h3>Within each target (Spearman ρ over its sources)</h3>"
        "<p class='note'>Negative ρ: closer source languages transferred better to this target.</p>"
        f"<table>{head}{''.join(rows)}</table>"
    )


def _p(p: float) -> str:
    return "–" if p is None or math.isnan(p) else (f"{p:.2e}" if p < 1e-3 else f"{p:.4f}")


def _p_boot(test: PairedTest) -> str:
    """A bootstrap p-value; 0 means below the resolution 1/n_resamples."""
    return f"< {1 / test.n_resamples:.2g}" if test.p_value == 0 else f"{test.p_value:.4f}"


def _r(r: float) -> str:
    return "–" if r is None or math.isnan(r) else f"{r:+.3f}"


def _correlation_table_html(correlations: Sequence[Correlation]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("distance", "n", "Pearson r", "p", "Spearman ρ", "p"))
    rows = "".join(
        "<tr>"
        + _td(escape(c.distance), "l")
        + _td(str(c.n))
        + _td(_r(c.pearson_r))
        + _td(_p(c.pearson_p))
        + _td(_r(c.spearman_rho))
        + _td(_p(c.spearman_p))
        + "</tr>"
        for c in correlations
    )
    return f"<table><tr>{head}</tr>{rows}</table>"


def _ranking_items(ranking: Any) -> tuple[str, list[dict[str, Any]]]:
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


def _ranking_section(report: Report) -> list[str]:
    if not report.rankings:
        return []
    out = [
        "<h2 id='ranking'>Source-language ranking explanations</h2>",
        "<p class='note'>Per-feature contributions to each candidate's score, as the ranker reported them.</p>",
    ]
    for run_id, ranking in report.rankings:
        target, items = _ranking_items(ranking)
        out.append(f"<h3>{escape(run_id)}{' → ' + escape(target) if target else ''}</h3>")
        head = (
            "<tr><th>rank</th><th class='l'>language</th><th>score</th><th class='l'>top features</th></tr>"
        )
        rows = []
        for i, it in enumerate(items, start=1):
            feats = sorted(it["explanation"].items(), key=lambda kv: -abs(float(kv[1])))[:4]
            feat_text = ", ".join(f"{escape(k)} {float(v):+.3g}" for k, v in feats)
            score = it["score"]
            rows.append(
                f"<tr><td>{i}</td><td class='l'>{escape(it['language'])}</td>"
                f"<td>{float(score):.4g}</td><td class='l'>{feat_text}</td></tr>"
                if isinstance(score, (int, float))
                else f"<tr><td>{i}</td><td class='l'>{escape(it['language'])}</td><td>–</td><td class='l'>{feat_text}</td></tr>"
            )
        out.append(f"<table>{head}{''.join(rows)}</table><div class='charts'>")
        for it in items[:4]:
            if it["explanation"]:
                contrib = sorted(
                    ((k, float(v)) for k, v in it["explanation"].items()), key=lambda kv: -abs(kv[1])
                )
                out.append(f"<figure>{svg.signed_bars(contrib[:10], title=str(it['language']))}</figure>")
        out.append("</div>")
    return out


def _mexa_section(report: Report) -> list[str]:
    if report.mexa is None:
        return []
    m = report.mexa
    out = [
        "<h2 id='mexa'>MEXA alignment with English</h2>",
        f"<p class='note'>Model <code>{escape(m.model)}</code>, {escape(m.pooling)} pooling, pivot "
        f"{escape(m.pivot)}: share of parallel sentences whose pair similarity is the maximum of its row and "
        "column (Kargaran et al. 2024), per layer.</p>",
    ]
    series = {lang: list(r.per_layer) for lang, r in list(m.results.items())[:8]}
    out.append("<div class='charts'><figure>")
    out.append(svg.lines(series, title="alignment per layer", y_label="alignment"))
    out.append("</figure>")
    mc = report.mexa_correlation
    if mc and mc.get("points"):
        pts = [(lang, x, y) for lang, x, y in mc["points"]]
        note = _corr_note(mc["pearson_r"], mc["spearman_rho"], mc["n"])
        out.append("<figure>")
        out.append(
            svg.scatter(
                pts,
                title="MEXA vs transfer from English",
                x_label="MEXA alignment (mean over layers)",
                fit=(mc["slope"], mc["intercept"]),
                note=note,
                y_scale=report.scale,
            )
        )
        out.append("</figure>")
    out.append("</div>")
    head = "<tr><th class='l'>language</th><th>n</th><th>mean</th><th>max</th><th>best layer</th><th>mid layer</th></tr>"
    rows = "".join(
        f"<tr><td class='l'>{escape(lang)}</td><td>{r.n}</td><td>{r.mean:.3f}</td><td>{r.max:.3f}</td>"
        f"<td>{r.best_layer}</td><td>{r.mid:.3f}</td></tr>"
        for lang, r in m.results.items()
    )
    out.append(f"<table>{head}{rows}</table>")
    if mc:
        out.append(
            f"<p>Correlation with measured transfer from English ({mc['n']} targets): Pearson r = {_r(mc['pearson_r'])} "
            f"(p = {_p(mc['pearson_p'])}), Spearman ρ = {_r(mc['spearman_rho'])} (p = {_p(mc['spearman_p'])}).</p>"
        )
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


def _per_label_section(report: Report, scale: float) -> list[str]:
    """Per-label F1 per system, averaged over targets and seeds (collapsed by default)."""
    out: list[str] = []
    by_task: dict[str, list[RunRecord]] = {}
    for run in report.runs:
        by_task.setdefault(run.task or "-", []).append(run)
    for task, runs in sorted(by_task.items()):
        label = system_labeler(runs)
        acc: dict[tuple[str, str], list[float]] = {}
        for run in runs:
            for lab, f1 in label_scores(run).items():
                acc.setdefault((label(run), lab), []).append(f1)
        if not acc:
            continue
        rows = sorted({r for r, _ in acc})
        cols = sorted({c for _, c in acc})
        head = "<tr><th class='l'>system</th>" + "".join(f"<th>{escape(c)}</th>" for c in cols) + "</tr>"
        body = "".join(
            f"<tr><td class='l'>{escape(r)}</td>"
            + "".join(_td(svg.fmt(sum(v) / len(v), scale) if (v := acc.get((r, c))) else "–") for c in cols)
            + "</tr>"
            for r in rows
        )
        out.append(
            f"<details><summary>{escape(task)}: F1 per label (mean over targets and seeds)</summary>"
            f"<table>{head}{body}</table></details>"
        )
    return ["<h2 id='labels'>Per-label scores</h2>", *out] if out else []


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8, no external resources)."""
    scale = report.scale
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f"<p class='meta'>{len(report.runs)} runs · generated {escape(report.created_at)} by xlt"
        f"{' · scores ×100' if scale == 100 else ''}</p>",
    ]
    body = _matrix_section(report, scale) + _bars_section(report, scale) + _per_label_section(report, scale)
    body += _correlation_section(report, scale) + _ranking_section(report) + _mexa_section(report)
    body += _resources_section(report, scale)
    body += ["<h2 id='runs'>Runs</h2>", _runs_html(report.runs, scale)]
    toc = re.findall(r"<h2 id='([^']+)'>([^<]+)</h2>", "\n".join(body))
    parts.append(
        "<nav class='toc'>" + " · ".join(f"<a href='#{i}'>{escape(t)}</a>" for i, t in toc) + "</nav>"
    )
    return "\n".join([*parts, *body, "</body></html>"])


# --------------------------------------------------------------------------- Markdown


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _md_table(table: Table, scale: float) -> list[str]:
    best = {c: table.best_in_column(c) for c in table.cols}
    out = [
        _md_row([f"{table.row_label} \\ {table.col_label}", *table.cols, "avg"]),
        _md_row(["---", *(["---:"] * (len(table.cols) + 1))]),
    ]
    for row in table.rows:
        cells = []
        for c in table.cols:
            cell = table.get(row, c)
            text = "–" if cell is None else cell.summary.format(1, scale)
            if cell is not None and cell.ci is not None:
                text += f" [{svg.fmt(cell.ci.low, scale)}, {svg.fmt(cell.ci.high, scale)}]"
            if cell is not None and best[c] == row and len(table.rows) > 1:
                text = f"**{text}**"
            cells.append(text)
        vals = [v for c in table.cols if (v := table.value(row, c)) is not None]
        cells.append(svg.fmt(sum(vals) / len(vals) if vals else None, scale))
        out.append(_md_row([row, *cells]))
    return out


def render_markdown(report: Report) -> str:
    """Tables only (Markdown pipe tables), best per column in bold."""
    scale = report.scale
    out = [f"# {report.title}", "", f"{len(report.runs)} runs; scores{' ×100' if scale == 100 else ''}.", ""]
    for (task, method), table in report.matrices.items():
        out += [
            f"## Transfer matrix: {task}, {method} ({table.metric or 'score'})",
            "",
            *_md_table(table, scale),
            "",
        ]
    for task, table in report.method_tables.items():
        out += [
            f"## Methods per target: {task} ({table.metric or 'score'})",
            "",
            *_md_table(table, scale),
            "",
        ]
    if report.comparisons:
        out += ["## Best vs runner-up (paired bootstrap, Berg-Kirkpatrick et al. 2012)", ""]
        out.append(_md_row(["task", "target", "best", "runner-up", "Δ", "p", "n"]))
        out.append(_md_row(["---", "---", "---", "---", "---:", "---:", "---:"]))
        for c in report.comparisons:
            out.append(
                _md_row(
                    [
                        c.task,
                        c.target,
                        c.best,
                        c.runner_up,
                        f"{c.test.delta * scale:+.2f}",
                        _p_boot(c.test),
                        str(c.test.n),
                    ]
                )
            )
        out.append("")
    for task, correlations in report.correlations.items():
        out += [f"## Correlation of transfer scores with language distance: {task}", ""]
        out.append(_md_row(["distance", "n", "Pearson r", "p", "Spearman ρ", "p"]))
        out.append(_md_row(["---", "---:", "---:", "---:", "---:", "---:"]))
        for c in correlations:
            out.append(
                _md_row(
                    [
                        c.distance,
                        str(c.n),
                        _r(c.pearson_r),
                        _p(c.pearson_p),
                        _r(c.spearman_rho),
                        _p(c.spearman_p),
                    ]
                )
            )
        out.append("")
    for run_id, ranking in report.rankings:
        target, items = _ranking_items(ranking)
        out += [f"## Ranking: {run_id}{' → ' + target if target else ''}", ""]
        out += [
            _md_row(["rank", "language", "score", "top features"]),
            _md_row(["---:", "---", "---:", "---"]),
        ]
        for i, it in enumerate(items, start=1):
            feats = sorted(it["explanation"].items(), key=lambda kv: -abs(float(kv[1])))[:3]
            score = f"{float(it['score']):.4g}" if isinstance(it["score"], (int, float)) else "–"
            out.append(
                _md_row([str(i), it["language"], score, ", ".join(f"{k} {float(v):+.3g}" for k, v in feats)])
            )
        out.append("")
    if report.mexa is not None:
        out += [f"## MEXA alignment with {report.mexa.pivot} ({report.mexa.model})", ""]
        out += [_md_row(["language", "mean", "max", "best layer"]), _md_row(["---", "---:", "---:", "---:"])]
        for lang, r in report.mexa.results.items():
            out.append(_md_row([lang, f"{r.mean:.3f}", f"{r.max:.3f}", str(r.best_layer)]))
        out.append("")
    out += ["## Runs", "", _md_row(["run", "task", "method", "sources", "target", "seed", "score"])]
    out.append(_md_row(["---", "---", "---", "---", "---", "---:", "---:"]))
    for r in report.runs:
        out.append(
            _md_row(
                [
                    r.run_id,
                    r.task or "–",
                    r.method or "–",
                    r.source_key,
                    r.target or "–",
                    str(r.seed if r.seed is not None else "–"),
                    svg.fmt(r.score, scale, 2),
                ]
            )
        )
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- LaTeX

_TEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}  # fmt: skip


def tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_table(table: Table, scale: float, caption: str) -> list[str]:
    best = {c: table.best_in_column(c) for c in table.cols}
    out = [
        "\\begin{table}[t]", "\\centering\\small",
        f"\\begin{{tabular}}{{l{'r' * (len(table.cols) + 1)}}}", "\\toprule",
        " & ".join([tex_escape(table.row_label), *(tex_escape(c) for c in table.cols), "avg"]) + " \\\\",
        "\\midrule",
    ]  # fmt: skip
    for row in table.rows:
        cells = []
        for c in table.cols:
            cell = table.get(row, c)
            if cell is None:
                cells.append("--")
                continue
            text = svg.fmt(cell.mean, scale)
            if cell.summary.n > 1:
                text += f"{{\\scriptsize$\\pm${svg.fmt(cell.summary.std, scale)}}}"
            cells.append(f"\\textbf{{{text}}}" if best[c] == row and len(table.rows) > 1 else text)
        vals = [v for c in table.cols if (v := table.value(row, c)) is not None]
        cells.append(svg.fmt(sum(vals) / len(vals) if vals else None, scale).replace("–", "--"))
        out.append(" & ".join([tex_escape(row), *cells]) + " \\\\")
    out += ["\\bottomrule", "\\end{tabular}", f"\\caption{{{tex_escape(caption)}}}", "\\end{table}", ""]
    return out


def _tex_num(text: str) -> str:
    """A true minus sign for a signed number (``-0.7`` -> ``$-$0.7``)."""
    return "$-$" + text[1:] if text.startswith("-") else text


def render_latex(report: Report) -> str:
    """booktabs tables (transfer matrices, methods per target, distance correlations) for papers;
    best per column in bold, ± std over seeds in small type. Needs ``\\usepackage{booktabs}``."""
    scale = report.scale
    out = [
        f"% {report.title}: generated by xlt from {len(report.runs)} runs; needs \\usepackage{{booktabs}}",
        "",
    ]
    for (task, method), table in report.matrices.items():
        out += _tex_table(table, scale, f"Transfer matrix, {task}, {method} ({table.metric or 'score'}).")
    for task, table in report.method_tables.items():
        out += _tex_table(table, scale, f"Methods per target, {task} ({table.metric or 'score'}).")
    for task, correlations in report.correlations.items():
        out += ["\\begin{table}[t]", "\\centering\\small", "\\begin{tabular}{lrrrrr}", "\\toprule",
                "distance & $n$ & Pearson $r$ & $p$ & Spearman $\\rho$ & $p$ \\\\", "\\midrule"]  # fmt: skip
        for c in correlations:
            cells = [tex_escape(c.distance), str(c.n), _tex_num(_r(c.pearson_r)), _p(c.pearson_p),
                     _tex_num(_r(c.spearman_rho)), _p(c.spearman_p)]  # fmt: skip
            out.append(" & ".join(x.replace("–", "--") for x in cells) + " \\\\")
        out += ["\\bottomrule", "\\end{tabular}",
                f"\\caption{{Correlation of transfer scores with language distance ({tex_escape(task)}).}}",
                "\\end{table}", ""]  # fmt: skip
    return "\n".join(out)


def write_report(report: Report, path: str | Path, fmt: str = "html") -> Path:
    """Write the report atomically as ``html``, ``markdown`` or ``latex``."""
    renderers = {"html": render_html, "markdown": render_markdown, "latex": render_latex}
    text = renderers[fmt](report)
    with atomic_writer(path) as fh:
        fh.write(text)
    return Path(path)
