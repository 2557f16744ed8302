"""``xlt report RUN... --out report.html``: a self-contained evaluation report."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from xlt.cli.runs import DbOption, WorkspaceOption, _maybe_store


class ReportFormat(str, Enum):
    html = "html"
    markdown = "markdown"
    latex = "latex"
    json = "json"


def report(
    refs: list[str] = typer.Argument(
        ..., help="Run directories, directories of runs, or run ids in the store."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Output file (report.html / report.md / report.json)."),
    fmt: ReportFormat = typer.Option(
        ReportFormat.html, "--format", "-f", help="html, markdown, latex (booktabs tables) or json."
    ),
    title: str = typer.Option("xlt evaluation report", help="Report title."),
    distances: Path | None = typer.Option(
        None, help="CSV/TSV distance table with header source,target,<kind>... (any kinds you like)."
    ),
    typology: bool = typer.Option(
        True,
        "--typology/--no-typology",
        help="Add URIEL/Glottolog distances (syntactic, genetic, geographic...).",
    ),
    mexa: Path | None = typer.Option(
        None, help="JSON written by `xlt mexa --out`, to correlate with transfer."
    ),
    n_resamples: int = typer.Option(1000, help="Bootstrap resamples for confidence intervals."),
    seed: int = typer.Option(0, help="Seed of the bootstrap resampling."),
    workspace: Path | None = WorkspaceOption,
    db: Path | None = DbOption,
) -> None:
    """Write a self-contained HTML (or Markdown/JSON) report of runs.

    Transfer-matrix heatmaps, per-target bars with 95% bootstrap CIs, best-vs-runner-up paired
    tests, distance-vs-score scatter plots with least-squares fits and correlations, ranker
    explanations, MEXA, and the tables. No scripts and nothing fetched: it works offline.
    """
    from xlt.cli.common import write_json
    from xlt.errors import XltError
    from xlt.evaluation.correlation import read_distance_table, typology_distances
    from xlt.evaluation.matrix import pair_scores
    from xlt.evaluation.mexa import load_report
    from xlt.evaluation.report import build_report, write_report
    from xlt.evaluation.store import resolve_runs

    runs = resolve_runs(refs, _maybe_store(workspace, db))
    dist: dict = {}
    if typology:
        pairs = sorted(pair_scores(runs))
        try:
            dist.update({k: v for k, v in typology_distances(pairs).items() if v} if pairs else {})
        except (XltError, ImportError) as err:  # e.g. URIEL data missing: the report is still useful
            typer.echo(f"warning: no typological distances ({err}); use --distances FILE", err=True)
    if distances is not None:
        dist.update(read_distance_table(distances))
    mexa_report = load_report(mexa) if mexa is not None else None
    rep = build_report(
        runs, title=title, distances=dist, mexa=mexa_report, n_resamples=n_resamples, seed=seed
    )
    if fmt == ReportFormat.json:
        write_json(out, rep.to_dict())
    else:
        write_report(rep, out, fmt.value)
    typer.echo(f"wrote {out} ({len(runs)} runs)", err=True)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
