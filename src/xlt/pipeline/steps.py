"""Cached pipeline steps: each step writes into ``<output_dir>/steps/<name>/`` and is
marked done (with a fingerprint of everything it depends on) only when it succeeded.

Re-running a recipe skips finished steps whose fingerprint is unchanged; a changed
option, input file or upstream step redoes it; ``force`` redoes everything. An
interrupted step has no marker and is simply run again (resume).

Steps that do not depend on the target (a source-language model, the tagged source side of a
corpus) can be *shared*: with ``shared_root`` set they live in ``shared_root/<name>-<fingerprint>/``
and every run whose fingerprint matches reuses them, whatever its output directory (the run
directory records where in ``steps/<name>/shared.json``). A shared step is computed into a
temporary sibling and renamed into place when finished, so concurrent runs never see half a step.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from xlt.config import atomic_write_text
from xlt.errors import XltError
from xlt.io.files import loads_json, read_text
from xlt.logs import get_logger

log = get_logger("pipeline")
T = TypeVar("T")
DONE = "done.json"


def file_signature(path: str | Path) -> dict[str, Any]:
    """Identity of an input file for fingerprints (path, size, mtime)."""
    p = Path(path)
    st = p.stat()
    return {"path": str(p.resolve()), "size": st.st_size, "mtime": int(st.st_mtime)}


def fingerprint(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class StepRunner:
    """Runs named steps with caching and collects their timings."""

    output_dir: Path
    force: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    #: seconds each step's result took to compute (for cached steps: when it was computed)
    compute_seconds: dict[str, float] = field(default_factory=dict)
    #: where shared steps live (None: every step stays in the run directory)
    shared_root: Path | None = None

    def step_dir(self, name: str) -> Path:
        return self.output_dir / "steps" / name

    def run(
        self,
        name: str,
        depends: Any,
        compute: Callable[[Path], dict[str, Any] | None],
        *,
        upstream: tuple[str, ...] = (),
        shared: bool = False,
    ) -> tuple[Path, dict[str, Any]]:
        """Run ``compute(step_dir)`` unless a finished result with the same fingerprint exists.

        ``compute`` writes its artifacts into the directory and returns a JSON-able
        summary (kept in the marker). Returns the step directory and that summary.
        ``shared``: the step does not depend on the run's target; with ``shared_root`` set it is
        kept there and reused across runs (see the module docstring).
        """
        fp = fingerprint({"depends": depends, "upstream": [self.fingerprints.get(u) for u in upstream]})
        self.fingerprints[name] = fp
        if shared and self.shared_root is not None:
            return self._run_shared(name, fp, compute)
        d = self.step_dir(name)
        cached = self._cached(name, d, fp)
        if cached is not None:
            return d, cached
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        return d, self._compute(name, d, fp, compute)

    def _cached(self, name: str, d: Path, fp: str) -> dict[str, Any] | None:
        """The summary of a finished step in ``d`` with fingerprint ``fp`` (None: not there)."""
        marker = d / DONE
        if self.force or not marker.is_file():
            return None
        try:
            done = loads_json(read_text(marker), marker, None)
        except (OSError, XltError):  # a damaged marker: the step is simply redone
            return None
        if not isinstance(done, dict) or done.get("fingerprint") != fp:
            return None
        log.info("step %s: cached (%s)", name, d)
        self.skipped.append(name)
        self.timings[name] = 0.0
        self.compute_seconds[name] = round(float(done.get("seconds") or 0.0), 3)
        return dict(done.get("summary") or {})

    def _compute(
        self, name: str, d: Path, fp: str, compute: Callable[[Path], dict[str, Any] | None]
    ) -> dict[str, Any]:
        log.info("step %s: running", name)
        t0 = time.perf_counter()
        summary = compute(d) or {}
        elapsed = time.perf_counter() - t0
        self.timings[name] = round(elapsed, 3)
        self.compute_seconds[name] = round(elapsed, 3)
        atomic_write_text(
            d / DONE,
            json.dumps(
                {"fingerprint": fp, "seconds": elapsed, "summary": summary}, ensure_ascii=False, indent=2
            ),
        )
        return summary

    def _run_shared(
        self, name: str, fp: str, compute: Callable[[Path], dict[str, Any] | None]
    ) -> tuple[Path, dict[str, Any]]:
        assert self.shared_root is not None
        root = self.shared_root
        d = root / f"{name}-{fp}"
        summary = self._cached(name, d, fp)
        if summary is None:
            root.mkdir(parents=True, exist_ok=True)
            stage = root / f".{name}-{fp}.tmp-{os.getpid()}"
            if stage.exists():
                shutil.rmtree(stage)
            stage.mkdir()
            try:
                summary = self._compute(name, stage, fp, compute)
                if d.exists():  # a damaged copy, an older forced one, or a concurrent run's
                    shutil.rmtree(d, ignore_errors=True)
                try:
                    stage.rename(d)
                except OSError:  # another run finished the same step first: use theirs
                    if not (d / DONE).is_file():
                        raise
            finally:
                shutil.rmtree(stage, ignore_errors=True)
        local = self.step_dir(name)
        local.mkdir(parents=True, exist_ok=True)
        atomic_write_text(
            local / "shared.json", json.dumps({"fingerprint": fp, "path": str(d)}, indent=2) + "\n"
        )
        return d, summary
