"""``xlt data``: inspect and validate data files (``xlt data check``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from xlt.cli.common import FormatOption, OutputFormat, emit_json
from xlt.io.check import CHECKERS, check_file, check_folder, language_hint

__all__ = ["CHECKERS", "check_file", "check_folder", "data_app", "language_hint"]  # re-exported

data_app = typer.Typer(
    help="Validate and inspect data files (CoNLL, CoNLL-U, parallel text, Bibles, alignments, classification).",
    no_args_is_help=True,
)


def _print_text(result: dict[str, Any]) -> None:
    typer.echo(f"{result['path']}: OK ({result['kind']}{', detected' if result['detected'] else ''})")
    for key, value in result.items():
        if key in ("path", "kind", "detected", "ok"):
            continue
        if key == "language_hint":
            if value:
                typer.echo(f"  language (from the name {value['from']!r}): {value['code']}")
            continue
        if isinstance(value, dict):
            if not value:
                continue
            items = list(value.items())
            shown = ", ".join(f"{k}={v}" for k, v in items[:15])
            more = f", ... ({len(items) - 15} more)" if len(items) > 15 else ""
            typer.echo(f"  {key}: {shown}{more}")
        elif isinstance(value, list):
            shown = ", ".join(map(str, value[:20]))
            typer.echo(f"  {key}: {shown}{' ...' if len(value) > 20 else ''}")
        else:
            typer.echo(f"  {key}: {value}")


@data_app.command("check")
def check(
    paths: list[Path] = typer.Argument(
        ..., help="Data file(s) or folder(s) to validate (plain, .gz, .bz2 or .xz)."
    ),
    kind: str | None = typer.Option(
        None, "--kind", "-k", help=f"Input format: {', '.join(CHECKERS)} (auto-detected when unambiguous)."
    ),
    pair: Path | None = typer.Option(
        None,
        "--pair",
        help="Second file: target side of line-aligned text, a Bible to join with, or the text of an alignment.",
    ),
    token_col: int | None = typer.Option(None, help="CoNLL: token column (0-based)."),
    label_col: int | None = typer.Option(None, help="CoNLL: label column (0-based, negative from the end)."),
    strict: bool = typer.Option(
        False, "--strict", help="CoNLL: reject invalid IOB2 instead of repairing it."
    ),
    one_based: bool | None = typer.Option(
        None, "--one-based/--zero-based", help="Alignments: index base (default: 1-based for .gold files)."
    ),
    fmt: OutputFormat = FormatOption,
) -> None:
    """Validate data files (or every data file in a folder) and print statistics.

    Exits 1 with ``file:line: what was expected`` at the first malformed input.
    """
    opts = {
        "pair": pair,
        "token_col": token_col,
        "label_col": label_col,
        "strict": strict,
        "one_based": one_based,
    }
    results: list[dict[str, Any]] = []
    for p in paths:
        if p.is_dir():
            results.extend(check_folder(p, kind, **opts))
        else:
            results.append(check_file(p, kind, **opts))
    if fmt == OutputFormat.json:
        emit_json(results[0] if len(results) == 1 else results)
        return
    for r in results:
        if r.get("skipped"):
            typer.echo(f"{r['path']}: skipped ({r['skipped']})")
        else:
            _print_text(r)


def register(app: typer.Typer) -> None:
    app.add_typer(data_app, name="data")
