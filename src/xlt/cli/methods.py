"""``xlt methods [STAGE]``: list registered methods with descriptions and references."""

from __future__ import annotations

import typer
from rich.table import Table

from xlt.cli.common import FormatOption, OutputFormat, emit_json, stdout_console
from xlt.methods import all_registries


def register(app: typer.Typer) -> None:
    @app.command("methods")
    def methods(
        stage: str | None = typer.Argument(None, help="Only this stage (e.g. aligners, rankers)."),
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """List the registered methods of every stage (or one)."""
        registries = all_registries()
        if stage is not None:
            from xlt.errors import UnknownNameError

            if stage not in registries:
                raise UnknownNameError("stage", stage, registries)
            registries = {stage: registries[stage]}
        rows = [
            {"stage": s, "name": e.name, "description": e.description, "reference": e.reference}
            for s, reg in registries.items()
            for e in reg
        ]
        if fmt == OutputFormat.json:
            emit_json(rows)
            return
        table = Table("stage", "method", "description", "reference")
        for r in rows:
            table.add_row(r["stage"], r["name"], r["description"], r["reference"] or "")
        stdout_console().print(table)
