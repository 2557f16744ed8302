"""Helpers for the hostile-input corpus (``tests/unit/test_hostile_*.py``).

``run_cli`` runs the real console entry point (:func:`xlt.cli.app.main`) in-process and
captures its exit code and output, so a test sees exactly what a user would: one
``error:`` line or a traceback. ``memory_cap`` bounds the address space of the test
process with ``resource.setrlimit`` so a reader that materialises a bomb fails with
``MemoryError`` instead of swapping the machine.
"""

from __future__ import annotations

import contextlib
import io
import resource
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

Arg = str | Path


@dataclass(frozen=True)
class CliOutcome:
    code: int
    stdout: str
    stderr: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stderr + self.stdout


def run_cli(*args: Arg) -> CliOutcome:
    """``xlt ARGS`` through :func:`xlt.cli.app.main`; never raises (SystemExit is captured)."""
    from xlt.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # a traceback escaped main(): record it as a user would see it
            import traceback

            err.write(traceback.format_exc())
            code = -1
    return CliOutcome(code, out.getvalue(), err.getvalue())


def _vm_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


@contextlib.contextmanager
def memory_cap(extra_bytes: int = 512 * 1024 * 1024) -> Iterator[None]:
    """Cap the address space at the current size plus ``extra_bytes`` for the block."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_bytes() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
