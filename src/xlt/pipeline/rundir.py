"""Ownership, locking and temporaries of a run directory (``output_dir`` of a recipe).

* **Ownership.** A run directory belongs to one experiment: its *identity* is the recipe's
  task, method, target language, source languages and name (``.xlt-run.json``; for runs
  written before the marker existed, ``run.json``). Re-running the same experiment resumes
  (changed options redo only the steps they affect); a run whose identity differs refuses to
  touch the directory, naming the files it would replace, unless ``overwrite`` (``xlt run
  --overwrite`` or ``--force``), which removes the other run's outputs first.
* **Lock.** ``.xlt-run.lock`` is held with ``flock`` for the whole run, so a second ``xlt
  run`` on the same directory stops at once with a clear error instead of racing the first
  (the lock goes away with the process, even after SIGKILL).
* **Temporaries.** While the run holds the lock, Python's temporary directory is
  ``<output_dir>/.tmp`` (eflomal's ``xlt-eflomal-*``, the CRF's ``xlt-crf-*``, ``tmp*`` of
  libraries), emptied at every start, so a killed run leaves nothing in ``$TMPDIR`` and its
  leftovers are removed by the next run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xlt.errors import ConfigError
from xlt.logs import get_logger

log = get_logger("pipeline")

MARKER = ".xlt-run.json"
LOCK = ".xlt-run.lock"
TMP = ".tmp"
#: what a run writes into its directory (what another recipe's run would replace)
ARTIFACTS = (
    "steps",
    "model",
    "run.json",
    "metrics.json",
    "resolved_recipe.yaml",
    "predictions.jsonl",
    "projection_stats.json",
    "run.log",
)


def recipe_identity(recipe: Any) -> dict[str, Any]:
    """Which experiment a recipe is (options that only tune it are not part of it)."""
    return {
        "task": recipe.task,
        "method": recipe.method,
        "target": recipe.target.language,
        "sources": [s.language for s in recipe.all_sources],
        "name": recipe.name,
    }


def _describe(identity: dict[str, Any]) -> str:
    srcs = ",".join(identity.get("sources") or []) or "-"
    name = f" {identity['name']!r}" if identity.get("name") else ""
    return f"{identity.get('task')} {identity.get('method')}{name}, {srcs} -> {identity.get('target')}"


def _read_json(path: Path) -> dict[str, Any] | None:
    from xlt.errors import XltError
    from xlt.io.files import loads_json, read_text

    try:
        data = loads_json(read_text(path), path, None)
    except (OSError, XltError):
        return None
    return data if isinstance(data, dict) else None


def stored_identity(out: Path) -> dict[str, Any] | None:
    """The identity of the run that wrote ``out`` (marker, else ``run.json``), or None if unknown."""
    marker = _read_json(out / MARKER)
    if marker is not None and isinstance(marker.get("identity"), dict):
        return marker["identity"]
    info = _read_json(out / "run.json")
    if info is None or not isinstance(info.get("task"), str):
        return None
    sources = info.get("sources")
    return {
        "task": info.get("task"),
        "method": info.get("method"),
        "target": info.get("target"),
        "sources": [str(s) for s in sources] if isinstance(sources, list) else [],
        "name": info.get("name"),
    }


def _present(out: Path) -> list[str]:
    return [name + ("/" if (out / name).is_dir() else "") for name in ARTIFACTS if (out / name).exists()]


def check_owner(out: Path, identity: dict[str, Any], *, overwrite: bool) -> list[str]:
    """Refuse (or, with ``overwrite``, clear) a directory holding another experiment's outputs.

    Returns the artifacts removed (empty when the directory was free or is resumed).
    """
    present = [p for p in _present(out) if p != "run.log"]
    if not present:
        return []
    owner = stored_identity(out)
    if owner is not None and owner == identity:
        return []
    if not overwrite:
        whose = (
            f"a different recipe ({_describe(owner)})"
            if owner is not None
            else "outputs whose recipe cannot be told (no .xlt-run.json or run.json)"
        )
        raise ConfigError(
            f"{out} holds {whose}; this recipe ({_describe(identity)}) would replace " + ", ".join(present),
            hint="choose another output_dir, or pass --overwrite (or --force) to replace them",
        )
    removed = _present(out)
    log.warning("%s: replacing the outputs of %s: %s", out, _describe(owner or {}), ", ".join(removed))
    for name in removed:
        target = out / name.rstrip("/")
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    return removed


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    import fcntl

    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise ConfigError(
                f"{out}: another xlt run (pid {holder}) is using this output directory",
                hint="wait for it to finish, or give this run another output_dir",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _run_tempdir(out: Path) -> Iterator[Path]:
    """Temporaries of the run go to ``out/.tmp``, emptied now (a killed run's leftovers) and at the end."""
    tmp = out / TMP
    if tmp.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True, exist_ok=True)
    old = tempfile.tempdir
    tempfile.tempdir = str(tmp)
    try:
        yield tmp
    finally:
        tempfile.tempdir = old
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def claim_run_dir(out: Path, identity: dict[str, Any], *, overwrite: bool = False) -> Iterator[Path]:
    """Lock ``out``, check (or with ``overwrite`` clear) its owner, mark it as this experiment's
    and route temporaries into it for the block; yields ``out``."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"output_dir {out} is an existing file; expected a directory (or a new path)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(f"output_dir {out}: cannot create it ({err.strerror or err})") from None
    with _locked(out):
        check_owner(out, identity, overwrite=overwrite)
        from xlt.config import atomic_write_text

        atomic_write_text(
            out / MARKER, json.dumps({"identity": identity}, ensure_ascii=False, indent=2) + "\n"
        )
        with _run_tempdir(out):
            yield out
