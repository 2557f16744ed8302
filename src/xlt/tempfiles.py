"""Temporary directories that a killed process does not leave behind for good.

Every temporary directory xlt makes is named ``xlt-<kind>-<pid>-<random>`` under Python's
temporary directory (``$TMPDIR``; during ``xlt run``: ``<output_dir>/.tmp``, see
:mod:`xlt.pipeline.rundir`). A normal exit removes it; after SIGKILL it stays, and the next
``xlt`` command removes the ones whose process is gone (:func:`clean_stale`). Third-party
code that makes temporaries while xlt runs it (eflomal's ``tmp*`` files) is pointed inside
such a directory with :func:`scoped_tempdir`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_NAME = re.compile(r"^xlt-[a-z0-9]+-(\d+)-")


def temp_dir(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A :class:`tempfile.TemporaryDirectory` named ``xlt-<kind>-<pid>-...``."""
    return tempfile.TemporaryDirectory(prefix=f"xlt-{kind}-{os.getpid()}-")


@contextlib.contextmanager
def scoped_tempdir(kind: str) -> Iterator[Path]:
    """A fresh ``xlt-<kind>-<pid>-...`` directory that is also Python's temporary directory for
    the block, so a library's own temporaries land (and are removed) inside it."""
    with temp_dir(kind) as tmp:
        old = tempfile.tempdir
        tempfile.tempdir = tmp
        try:
            yield Path(tmp)
        finally:
            tempfile.tempdir = old


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(root: str | Path | None = None) -> int:
    """Remove ``xlt-<kind>-<pid>-*`` directories under ``root`` (default: the temporary
    directory) that belong to this user and whose process no longer runs; returns how many."""
    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    removed = 0
    try:
        entries = list(os.scandir(base))
    except OSError:
        return 0
    uid = os.getuid()
    for entry in entries:
        m = _NAME.match(entry.name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != uid:
                continue
        except OSError:
            continue
        if not _alive(int(m.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed
