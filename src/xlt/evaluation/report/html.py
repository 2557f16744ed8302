"""The report as one self-contained HTML file (inline SVG, inline CSS, no scripts, no network).

Each section is a function from the `Report` to a list of HTML fragments; the page around them
(head, CSS, title, table of contents) is the Jinja2 template ``templates/report.html.j2``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from jinja2 import Environment, PackageLoader, StrictUndefined

from xlt.evaluation import svg
from xlt.evaluation.matrix import system_labeler
from xlt.evaluation.report.html_tables import (
    chart_and_table,
    correlation_table,
    per_target_table,
    runs_table,
    td,
)
from xlt.evaluation.report.model import Report, label_scores, ranking_items
from xlt.evaluation.report.numbers import (
    correlation_note,
    format_bootstrap_p,
    format_p,
    format_percent,
    format_r,
)
from xlt.evaluation.rundir import RunRecord


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
        out += chart_and_table(f"{escape(task)} · {escape(method)} · {escape(metric)}", chart, table, scale)
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
        out += chart_and_table(f"{escape(task)} ({escape(metric)})", chart, table, scale)
    if report.comparisons:
        out.append("<h3>Best vs runner-up (paired bootstrap)</h3>")
        out.append(
            "<p class='note'>Berg-Kirkpatrick et al. (2012) paired bootstrap, H0: the better system is not "
            "better (one-sided, so p &lt; 0.05 can occur while the two-sided 95% CI of Δ touches 0); p &lt; 0.05 in green. Win rate: share of resamples where the best system wins (Koehn 2004). "
            "Systems with several seeds are tested seed by seed; the largest p-value is shown.</p>"
        )
        rows = "".join(
            "<tr>"
            + td(escape(c.task), "l")
            + td(escape(c.target), "l")
            + td(escape(c.best), "l")
            + td(escape(c.runner_up), "l")
            + td(f"{c.test.delta * scale:+.2f}")
            + td(f"[{c.test.delta_low * scale:+.2f}, {c.test.delta_high * scale:+.2f}]")
            + td(
                f"<span class='{'sig' if c.test.significant() else 'nsig'}'>{escape(format_bootstrap_p(c.test))}</span>"
            )
            + td(f"{c.test.win_rate_a:.3f}")
            + td(str(c.test.n))
            + td(", ".join("–" if x is None else str(x) for x in c.seeds))
            + "</tr>"
            for c in report.comparisons
        )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("task", "target", "best", "runner-up", "Δ", "Δ 95% CI", "p", "win rate", "n", "seeds")
        )
        out.append(f"<table><tr>{head}</tr>{rows}</table>")
    return out


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
            note = correlation_note(corr.pearson_r, corr.spearman_rho, corr.n)
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
        out.append(correlation_table(correlations))
        per_target = report.target_correlations.get(task)
        if per_target:
            out.append(per_target_table(per_target))
    return out


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
            + "".join(td(svg.fmt(sum(v) / len(v), scale) if (v := acc.get((r, c))) else "–") for c in cols)
            + "</tr>"
            for r in rows
        )
        out.append(
            f"<details><summary>{escape(task)}: F1 per label (mean over targets and seeds)</summary>"
            f"<table>{head}{body}</table></details>"
        )
    return ["<h2 id='labels'>Per-label scores</h2>", *out] if out else []


def _ranking_section(report: Report) -> list[str]:
    if not report.rankings:
        return []
    out = [
        "<h2 id='ranking'>Source-language ranking explanations</h2>",
        "<p class='note'>Per-feature contributions to each candidate's score, as the ranker reported them.</p>",
    ]
    for run_id, ranking in report.rankings:
        target, items = ranking_items(ranking)
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
        note = correlation_note(mc["pearson_r"], mc["spearman_rho"], mc["n"])
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
            f"<p>Correlation with measured transfer from English ({mc['n']} targets): Pearson r = {format_r(mc['pearson_r'])} "
            f"(p = {format_p(mc['pearson_p'])}), Spearman ρ = {format_r(mc['spearman_rho'])} (p = {format_p(mc['spearman_p'])}).</p>"
        )
    return out


#: column headings of the projection resources table; the first three columns are text
RESOURCE_COLUMNS = (
    "run",
    "target",
    "sources (verse pairs, projected coverage %)",
    "verses kept / in",
    "labelled train tokens %",
    "source agreement %",
    "zero-shot agreement %",
    "zero-shot test",
    "test words in multiword tokens %",
    "parallel tokens retokenized %",
    "parallel tokens split %",
    "score",
)


def _resource_row(run: RunRecord, resources: Mapping, scale: float) -> list[str]:
    """One run's cells of the projection resources table, as plain text."""
    sources = ", ".join(
        f"{s.get('language')} ({s.get('verse_pairs') or 0:,} verses, "
        f"{format_percent(s.get('projected_token_coverage'))}%)"
        for s in resources.get("sources") or []
    )
    agree = list((resources.get("source_agreement") or {}).values())
    zero = [v for v in (resources.get("zero_shot_agreement") or {}).values() if v is not None]
    tok = resources.get("test_tokenization") or {}
    return [
        run.run_id,
        run.target or "–",
        sources or "–",
        f"{resources.get('verses_kept') or 0:,} / {resources.get('target_verses') or 0:,}",
        format_percent(resources.get("train_token_coverage")),
        format_percent(sum(agree) / len(agree)) if agree else "–",
        format_percent(sum(zero) / len(zero)) if zero else "–",
        format_percent(resources.get("zero_shot_test")),
        format_percent(tok.get("multiword_word_share")) if tok else "–",
        format_percent(match["target_tokens_changed"] / match["target_tokens"])
        if (match := resources.get("match_tokenization") or {}).get("target_tokens")
        else "–",
        format_percent(split["target_tokens_split"] / split["target_tokens"])
        if (split := resources.get("multiword_split") or {}).get("target_tokens")
        else "–",
        svg.fmt(run.score, scale, 1),
    ]


def _resources_section(report: Report, scale: float) -> list[str]:
    """One row per projection run with a resource report: what the pipeline used for the target
    (sources, verses, coverage, agreement between voters, test-set multiword tokens), next to
    its score, so a reader sees why a language did well or badly (``templates/resources.html.j2``)."""
    rows = [
        _resource_row(run, resources, scale)
        for run in report.runs
        if isinstance(run.metrics, Mapping) and isinstance(resources := run.metrics.get("resources"), Mapping)
    ]
    if not rows:
        return []
    template = _ENVIRONMENT.get_template("resources.html.j2")
    return [template.render(columns=RESOURCE_COLUMNS, rows=rows, text_columns=3)]


def _environment() -> Environment:
    """Templates from the package; values are escaped by the ``escape_html`` filter (`html.escape`,
    as the sections do), so the page writes the same entities as its sections."""
    env = Environment(
        loader=PackageLoader("xlt.evaluation.report", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
    )
    env.filters["escape_html"] = escape
    return env


_ENVIRONMENT = _environment()


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8, no external resources)."""
    scale = report.scale
    sections = (
        _matrix_section(report, scale) + _bars_section(report, scale) + _per_label_section(report, scale)
    )
    sections += _correlation_section(report, scale) + _ranking_section(report) + _mexa_section(report)
    sections += _resources_section(report, scale)
    sections += ["<h2 id='runs'>Runs</h2>", runs_table(report.runs, scale)]
    toc = re.findall(r"<h2 id='([^']+)'>([^<]+)</h2>", "\n".join(sections))
    return _ENVIRONMENT.get_template("report.html.j2").render(
        title=report.title,
        n_runs=len(report.runs),
        created_at=report.created_at,
        percent=scale == 100,
        toc=toc,
        sections=sections,
    )
