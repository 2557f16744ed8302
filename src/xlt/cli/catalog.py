"""``xlt data list`` and ``xlt data fetch``: the dataset catalog on the command line."""

from __future__ import annotations

import typer

from xlt.cli.common import FormatOption, OutputFormat, emit_json, progress_bar
from xlt.cli.data import data_app


@data_app.command("list")
def list_datasets(
    family: str | None = typer.Argument(None, help="Only this family (ud, bible, masakhaner2, ...)."),
    local: bool = typer.Option(False, "--local", help="Only datasets present under the data root or cache."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """List catalog dataset ids with licence, download location and local availability."""
    from xlt.catalog import FAMILIES, list_entries
    from xlt.catalog.resolve import local_file

    rows = []
    for e in list_entries(family):
        path = local_file(e)
        if local and path is None:
            continue
        rows.append(
            {**e.__dict__, "alternatives": list(e.alternatives), "local": str(path) if path else None}
        )
    if fmt == OutputFormat.json:
        emit_json({"families": {k: f.pattern for k, f in FAMILIES.items()}, "datasets": rows})
        return
    for f in FAMILIES.values():
        if family in (None, f.name):
            typer.echo(f"# {f.pattern}  {f.description} [{f.licence}]")
    for r in rows:
        mark = "local" if r["local"] else "fetch"
        typer.echo(f"{r['id']}\t{mark}\t{r['licence']}")


@data_app.command("fetch")
def fetch_dataset(
    ids: list[str] = typer.Argument(..., help="Catalog ids, e.g. ud:Basque-BDT:test bible:Basque-NT."),
    force: bool = typer.Option(False, "--force", help="Download again even if a local copy exists."),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Download datasets into the user cache (needs internet; existing copies are reused)."""
    from xlt.catalog import entry
    from xlt.catalog.fetch import fetch

    for i in ids:
        entry(i)  # validate every id before downloading anything
    done = {}
    with progress_bar() as progress:
        for i in ids:
            task = progress.add_task(f"fetch {i}", total=None)

            def update(n: int, total: int | None, task: int = task) -> None:
                progress.update(task, completed=n, total=total)

            done[i] = str(fetch(i, force=force, progress=update))
    if fmt == OutputFormat.json:
        emit_json(done)
    else:
        for i, p in done.items():
            typer.echo(f"{i}\t{p}")


def register(app: typer.Typer) -> None:
    """The commands live on ``xlt data`` (registered by xlt.cli.data); nothing else to add."""
