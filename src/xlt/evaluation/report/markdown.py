"""The report as Markdown pipe tables, for papers and READMEs (best per column in bold)."""

from __future__ import annotations

from collections.abc import Sequence

from xlt.evaluation import svg
from xlt.evaluation.matrix import Table
from xlt.evaluation.report.model import Report, ranking_items
from xlt.evaluation.report.numbers import format_bootstrap_p, format_p, format_r


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
                        format_bootstrap_p(c.test),
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
                        format_r(c.pearson_r),
                        format_p(c.pearson_p),
                        format_r(c.spearman_rho),
                        format_p(c.spearman_p),
                    ]
                )
            )
        out.append("")
    for run_id, ranking in report.rankings:
        target, items = ranking_items(ranking)
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
