"""Cached pipeline steps: each step writes into ``<output_dir>/steps/<name>/`` and is
marked done (with a fingerprint of everything it depends on) only when it succeeded.

Re-running a recipe skips finished steps whose fingerprint is unchanged; a changed
option, input file or upstream step redoes it; ``force`` redoes everything. An
interrupted step has no marker and is simply run again (resume).
"""

from __future__ import annotations

import hashlib
import json
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

    def step_dir(self, name: str) -> Path:
        return self.output_dir / "steps" / name

    def run(
        self,
        name: str,
        depends: Any,
        compute: Callable[[Path], dict[str, Any] | None],
        *,
        upstream: tuple[str, ...] = (),
    ) -> tuple[Path, dict[str, Any]]:
        """Run ``compute(step_dir)`` unless a finished result with the same fingerprint exists.

        ``compute`` writes its artifacts into the directory and returns a JSON-able
        summary (kept in the marker). Returns the step directory and that summary.
        """
        fp = fingerprint({"depends": depends, "upstream": [self.fingerprints.get(u) for u in upstream]})
        self.fingerprints[name] = fp
        d = self.step_dir(name)
        marker = d / DONE
        if not self.force and marker.is_file():
            try:
                done = loads_json(read_text(marker), marker, None)
            except (OSError, XltError):  # a damaged marker: the step is simply redone
                done = {}
            if not isinstance(done, dict):
                done = {}
            if done.get("fingerprint") == fp:
                log.info("step %s: cached (%s)", name, d)
                self.skipped.append(name)
                self.timings[name] = 0.0
                self.compute_seconds[name] = round(float(done.get("seconds") or 0.0), 3)
                return d, dict(done.get("summary") or {})
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        log.info("step %s: running", name)
        t0 = time.perf_counter()
        summary = compute(d) or {}
        elapsed = time.perf_counter() - t0
        self.timings[name] = round(elapsed, 3)
        self.compute_seconds[name] = round(elapsed, 3)
        atomic_write_text(
            marker,
            json.dumps(
                {"fingerprint": fp, "seconds": elapsed, "summary": summary}, ensure_ascii=False, indent=2
            ),
        )
        return d, summary
