"""Temporary directories that a killed process does not leave behind for good.

Every temporary directory xlt makes is named ``xlt-<kind>-<pid>-<random>`` under Python's
temporary directory (``$TMPDIR``; during ``xlt run``: ``<output_dir>/.tmp``, see
:mod:`xlt.pipeline.rundir`). A normal exit removes it; after SIGKILL it stays, and the next
``xlt`` command removes the ones whose process is gone and that have not changed for an
hour (:func:`clean_stale`). Third-party
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


def _last_change(path: str) -> float:
    """Newest mtime of a directory and its direct entries."""
    newest = os.stat(path).st_mtime
    with contextlib.suppress(OSError), os.scandir(path) as it:
        for entry in it:
            with contextlib.suppress(OSError):
                newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
    return newest


#: a dead process's directory is removed only once nothing in it changed for this long, so a
#: process whose pid is not visible here (another PID namespace sharing /tmp) is never disturbed
STALE_AFTER_S = 3600.0


def clean_stale(root: str | Path | None = None, *, stale_after_s: float = STALE_AFTER_S) -> int:
    """Remove ``xlt-<kind>-<pid>-*`` directories under ``root`` (default: the temporary
    directory) that belong to this user, whose process no longer runs and in which nothing
    changed for ``stale_after_s`` seconds; returns how many."""
    import time

    base = Path(root) if root is not None else Path(tempfile.gettempdir())
    now = time.time()
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
        if _alive(int(m.group(1))):
            continue
        try:
            idle = now - _last_change(entry.path)
        except OSError:
            continue
        if idle >= stale_after_s:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed += 1
    return removed
