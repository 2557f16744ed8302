"""Writing a report to a file in one of the formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xlt.evaluation.report.html import render_html
from xlt.evaluation.report.latex import render_latex
from xlt.evaluation.report.markdown import render_markdown
from xlt.evaluation.report.model import Report
from xlt.io.files import atomic_writer

#: format name -> renderer
RENDERERS: dict[str, Callable[[Report], str]] = {
    "html": render_html,
    "markdown": render_markdown,
    "latex": render_latex,
}


def write_report(report: Report, path: str | Path, fmt: str = "html") -> Path:
    """Write the report atomically as ``html``, ``markdown`` or ``latex``."""
    text = RENDERERS[fmt](report)
    with atomic_writer(path) as fh:
        fh.write(text)
    return Path(path)
