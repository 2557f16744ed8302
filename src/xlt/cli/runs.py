"""``xlt runs list|show|compare|record``: browse and compare recorded runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from xlt.cli.common import FormatOption, OutputFormat, emit_json, stdout_console

runs_app = typer.Typer(help="Browse, record and compare runs (the SQLite run store).", no_args_is_help=True)

WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace whose runs.sqlite to use (default: current directory)."
)
DbOption = typer.Option(None, "--db", help="Path of a run-store SQLite file (overrides --workspace).")


def _store_path(workspace: Path | None, db: Path | None) -> Path:
    from xlt.evaluation.store import STORE_FILE

    return db if db is not None else (workspace or Path.cwd()) / STORE_FILE


def open_store(workspace: Path | None, db: Path | None, *, must_exist: bool = True) -> Any:
    """The run store named by ``--db`` / ``--workspace`` (default ``./runs.sqlite``)."""
    from xlt.errors import DataNotFoundError
    from xlt.evaluation.store import RunStore

    path = _store_path(workspace, db)
    if must_exist and not path.exists():
        raise DataNotFoundError(
            f"{path}: no run store here",
            hint="record run directories with: xlt runs record RUN_DIR... --workspace DIR (or pass --db FILE)",
        )
    return RunStore(path)


def _maybe_store(workspace: Path | None, db: Path | None) -> Any:
    """The run store if there is one (run directories given by path work without it)."""
    return open_store(workspace, db) if _store_path(workspace, db).exists() else None


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.4f}"


@runs_app.command("list")
def list_runs(
    workspace: Path | None = WorkspaceOption,
    db: Path | None = DbOption,
    task: str | None = typer.Option(None, help="Only runs of this task."),
    method: str | None = typer.Option(None, help="Only runs of this method."),
    target: str | None = typer.Option(None, help="Only runs with this target language."),
    source: str | None = typer.Option(None, help="Only runs that include this source language."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """List recorded runs (oldest first)."""
    from rich.table import Table

    store = open_store(workspace, db)
    runs = store.list(task=task, method=method, target=target, source=source)
    if fmt == OutputFormat.json:
        emit_json([r.to_dict() for r in runs])
        return
    table = Table(title=f"{len(runs)} run{'s' if len(runs) != 1 else ''} in {store.db_path}")
    for col in ("run id", "task", "method", "model", "sources", "target", "seed", "metric", "score"):
        table.add_column(col, justify="right" if col in ("seed", "score") else "left", overflow="fold")
    for r in runs:
        table.add_row(
            r.run_id, r.task or "–", r.method or "–", r.model or "–", r.source_key, r.target or "–",
            str(r.seed if r.seed is not None else "–"), r.primary_metric or "–", _fmt(r.score),
        )  # fmt: skip
    stdout_console().print(table)


@runs_app.command("show")
def show(
    ref: str = typer.Argument(..., help="A run directory or a run id (prefix) in the store."),
    workspace: Path | None = WorkspaceOption,
    db: Path | None = DbOption,
    n_resamples: int = typer.Option(1000, help="Bootstrap resamples for the per-language CIs."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Show one run: configuration, scores with 95% CIs, versions, timings and artifacts."""
    from xlt.evaluation.matrix import language_points
    from xlt.evaluation.store import resolve_runs

    runs = resolve_runs([ref], _maybe_store(workspace, db))
    points = {r.run_id: language_points(r, n_resamples=n_resamples) for r in runs}
    if fmt == OutputFormat.json:
        docs = []
        for r in runs:
            doc = r.to_dict(full=True)
            doc["ci"] = {lang: ci.to_dict() for lang, (_, ci) in points[r.run_id].items() if ci is not None}
            docs.append(doc)
        emit_json(docs if len(docs) > 1 else docs[0])
        return
    console = stdout_console()
    for r in runs:
        console.print(f"[bold]{r.run_id}[/bold]  {r.run_dir}")
        for key in ("task", "method", "model", "target", "seed", "dataset", "created_at"):
            console.print(f"  {key:<12} {getattr(r, key)}")
        console.print(f"  {'sources':<12} {r.source_key}")
        console.print(f"  {'score':<12} {r.primary_metric} = {_fmt(r.score)}")
        for lang, (score, ci) in sorted(points[r.run_id].items()):
            interval = f"  [{ci.low:.4f}, {ci.high:.4f}] 95% CI, n={ci.n}" if ci is not None else ""
            console.print(f"    {lang:<10} {_fmt(score)}{interval}")
        for section in ("timings", "versions", "artifacts"):
            if isinstance(r.info.get(section), dict) and r.info[section]:
                console.print(f"  {section}:")
                for k, v in r.info[section].items():
                    console.print(f"    {k:<16} {v}")


@runs_app.command("compare")
def compare(
    refs: list[str] = typer.Argument(..., help="Two or more run directories or run ids."),
    workspace: Path | None = WorkspaceOption,
    db: Path | None = DbOption,
    n_resamples: int = typer.Option(10000, help="Bootstrap resamples of the paired test."),
    seed: int = typer.Option(0, help="Seed of the bootstrap resampling."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Scores side by side per language; with predictions, a paired bootstrap test of the
    first run against each other run on the same examples."""
    from xlt.errors import ConfigError
    from xlt.evaluation.bootstrap import metric_kind
    from xlt.evaluation.significance import paired_bootstrap
    from xlt.evaluation.store import aligned_predictions, resolve_runs

    runs = resolve_runs(refs, _maybe_store(workspace, db))
    if len(runs) < 2:
        raise ConfigError("compare needs at least two runs")
    langs = sorted({lang for r in runs for lang in r.language_scores()})
    scores = {r.run_id: r.language_scores() for r in runs}
    tests = []
    base = runs[0]
    base_records = base.predictions()  # read once, not once per (run, language)
    for other in runs[1:]:
        if not (base.has_predictions and other.has_predictions):
            continue
        records = (base_records, other.predictions())
        for lang in langs:
            aligned = aligned_predictions(base, other, lang, records=records)
            if aligned is None:
                continue
            gold, pa, pb = aligned
            metric = metric_kind(base.primary_metric, gold, base.task)
            test = paired_bootstrap(gold, pa, pb, metric, n_resamples=n_resamples, seed=seed)
            tests.append({"a": base.run_id, "b": other.run_id, "language": lang, **test.to_dict()})
    if fmt == OutputFormat.json:
        emit_json({"runs": [r.to_dict() for r in runs], "languages": langs, "scores": scores, "tests": tests})
        return
    from rich.table import Table

    table = Table(title="scores per language")
    table.add_column("language")
    for r in runs:
        table.add_column(r.run_id, justify="right")
    for lang in langs:
        table.add_row(lang, *(_fmt(scores[r.run_id].get(lang)) for r in runs))
    console = stdout_console()
    console.print(table)
    for t in tests:
        verdict = "significant" if t["better"] != "tie" and t["p_value"] < 0.05 else "not significant"
        console.print(
            f"{t['language']}: {t['a']} vs {t['b']}: Δ{t['metric']} = {t['delta']:+.4f} "
            f"[{t['delta_low']:+.4f}, {t['delta_high']:+.4f}], one-sided p = {t['p_value']:.4f} ({verdict}, n={t['n']})"
        )


@runs_app.command("record")
def record(
    paths: list[Path] = typer.Argument(..., help="Run directories, or directories to search for them."),
    workspace: Path | None = WorkspaceOption,
    db: Path | None = DbOption,
    fmt: OutputFormat = FormatOption,
) -> None:
    """Add existing run directories to the run store (re-recording refreshes a run)."""
    from xlt.evaluation.store import find_run_dirs

    store = open_store(workspace, db, must_exist=False)
    dirs = [d for p in paths for d in find_run_dirs(p)]
    ids = store.record_many(dirs)
    if fmt == OutputFormat.json:
        emit_json({"db": str(store.db_path), "recorded": ids})
        return
    typer.echo(f"recorded {len(ids)} run(s) in {store.db_path}")


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")
