"""Evaluation reports from runs: one self-contained HTML file (inline SVG, inline CSS,
no scripts, no network), Markdown tables for papers and READMEs, or booktabs LaTeX tables.

Sections: runs table, transfer matrix heatmap (per task and method), per-target bars
with 95% bootstrap CIs (or ± std over seeds), the method comparison table with a paired
bootstrap test of the best system against the runner-up, distance-vs-score scatter
plots with least-squares fits and the correlation table, ranker explanations, MEXA, and the
projection resources of each projection run.

``model`` builds the `Report` (the data); ``html`` (Jinja2 templates in ``templates/``),
``markdown`` and ``latex`` render it; ``output.write_report`` writes one to a file.
"""

from xlt.evaluation.report.html import render_html
from xlt.evaluation.report.latex import render_latex, tex_escape
from xlt.evaluation.report.markdown import render_markdown
from xlt.evaluation.report.model import (
    Comparison,
    Report,
    build_report,
    english_source_scores,
    label_scores,
    ranking_items,
)
from xlt.evaluation.report.output import RENDERERS, write_report

__all__ = [
    "RENDERERS",
    "Comparison",
    "Report",
    "build_report",
    "english_source_scores",
    "label_scores",
    "ranking_items",
    "render_html",
    "render_latex",
    "render_markdown",
    "tex_escape",
    "write_report",
]
