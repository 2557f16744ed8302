"""Shared CLI plumbing: output format, JSON emission, config-from-flags, progress."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from xlt.config import XltConfig, apply_overrides, load_yaml
from xlt.io.jsonio import json_text, to_jsonable, write_json  # re-exported for the commands

__all__ = ["emit_json", "json_text", "to_jsonable", "write_json"]

T = TypeVar("T")
C = TypeVar("C", bound=XltConfig)


class OutputFormat(str, Enum):
    """``--format``: human-readable text (default) or machine-readable JSON."""

    text = "text"
    json = "json"


FormatOption = typer.Option(OutputFormat.text, "--format", "-f", help="Output format: text or json.")
SetOption = typer.Option([], "--set", help="Dotted override KEY=VALUE (repeatable), e.g. --set seed=3.")


def stdout_console() -> Console:
    return Console(soft_wrap=True)


def stderr_console() -> Console:
    return Console(stderr=True, soft_wrap=True)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (one document, UTF-8, no Rich markup)."""
    sys.stdout.write(json_text(obj))
    sys.stdout.flush()


def config_from_cli(
    model: type[C],
    *,
    config_file: Path | None = None,
    sets: Sequence[str] = (),
    flags: dict[str, Any] | None = None,
) -> C:
    """Build a config from an optional YAML file, explicit flags (None = not given)
    and ``--set`` overrides, in that order of increasing precedence."""
    data: dict[str, Any] = load_yaml(config_file) if config_file else {}
    for key, value in (flags or {}).items():
        if value is not None:
            data[key] = value.value if isinstance(value, Enum) else value
    data = apply_overrides(data, sets)
    return model.from_dict(data, source=str(config_file) if config_file else None)


def progress_enabled() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(*, transient: bool = True) -> Iterator[Progress]:
    """A Rich progress display on stderr (invisible when stderr is not a terminal)."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr_console(),
        transient=transient,
        disable=not progress_enabled(),
    )
    with progress:
        yield progress


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar (for work that takes more than a few seconds)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar() as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
