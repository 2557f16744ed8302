"""HTML building blocks of the report: cells, score tables with CIs, the runs table, the
correlation tables. Every value is escaped with `html.escape` here; the sections pass markup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from xlt.evaluation import svg
from xlt.evaluation.correlation import Correlation
from xlt.evaluation.matrix import Table
from xlt.evaluation.report.numbers import format_p, format_r
from xlt.evaluation.rundir import RunRecord


def td(text: str, cls: str = "") -> str:
    return f"<td class='{cls}'>{text}</td>" if cls else f"<td>{text}</td>"


def _cell_text(table: Table, row: str, col: str, scale: float) -> str:
    cell = table.get(row, col)
    if cell is None:
        return "–"
    text = cell.summary.format(1, scale)
    if cell.ci is not None:
        text += f" <span class='ci'>[{svg.fmt(cell.ci.low, scale)}, {svg.fmt(cell.ci.high, scale)}]</span>"
    return text


def table_html(table: Table, scale: float) -> str:
    head = f"<tr><th class='l'>{escape(table.row_label)} \\ {escape(table.col_label)}</th>"
    head += "".join(f"<th>{escape(c)}</th>" for c in table.cols) + "<th>avg</th></tr>"
    best = {c: table.best_in_column(c) for c in table.cols}
    body = []
    for row in table.rows:
        vals = [table.value(row, c) for c in table.cols]
        present = [v for v in vals if v is not None]
        avg = sum(present) / len(present) if present else None
        tds = "".join(
            td(_cell_text(table, row, c, scale), "best" if best[c] == row and len(table.rows) > 1 else "")
            for c in table.cols
        )
        body.append(f"<tr><td class='l'>{escape(row)}</td>{tds}{td(svg.fmt(avg, scale))}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def runs_table(runs: Sequence[RunRecord], scale: float) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("run", "task", "method", "model", "sources", "target", "seed", "metric", "score", "created")
    )
    rows = []
    for r in runs:
        rows.append(
            "<tr>"
            + "".join(
                td(escape(str(v)), "l")
                for v in (
                    r.run_id,
                    r.task or "–",
                    r.method or "–",
                    r.model or "–",
                    r.source_key,
                    r.target or "–",
                )
            )
            + td(escape(str(r.seed if r.seed is not None else "–")))
            + td(escape(r.primary_metric or "–"))
            + td(svg.fmt(r.score, scale, 2))
            + td(escape(r.created_at or "–"), "l")
            + "</tr>"
        )
    return f"<div class='wide'><table><tr>{head}</tr>{''.join(rows)}</table></div>"


def chart_and_table(heading: str, chart: str, table: Table, scale: float) -> list[str]:
    """An ``<h3>`` heading (HTML), one chart and the table of its numbers."""
    return [
        f"<h3>{heading}</h3>",
        f"<div class='charts'><figure>{chart}</figure></div>",
        table_html(table, scale),
    ]


def correlation_table(correlations: Sequence[Correlation]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("distance", "n", "Pearson r", "p", "Spearman ρ", "p"))
    rows = "".join(
        "<tr>"
        + td(escape(c.distance), "l")
        + td(str(c.n))
        + td(format_r(c.pearson_r))
        + td(format_p(c.pearson_p))
        + td(format_r(c.spearman_rho))
        + td(format_p(c.spearman_p))
        + "</tr>"
        for c in correlations
    )
    return f"<table><tr>{head}</tr>{rows}</table>"


def per_target_table(per_target: Mapping[str, Sequence[Correlation]]) -> str:
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
            td(format_r(by_kind[k].spearman_rho) if k in by_kind and by_kind[k].n >= 3 else "–")
            for k in kinds
        )
        rows.append(f"<tr><td class='l'>{escape(tgt)}</td><td>{n}</td>{cells}</tr>")
    return (
        "<h3>Within each target (Spearman ρ over its sources)</h3>"
        "<p class='note'>Negative ρ: closer source languages transferred better to this target.</p>"
        f"<table>{head}{''.join(rows)}</table>"
    )
