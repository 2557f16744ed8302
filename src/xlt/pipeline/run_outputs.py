"""The run directory's files beyond the steps: ``run.log``, the published ``model``,
``projection_stats.json`` and the run record (``run.json``, ``metrics.json``, predictions)."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xlt.config import atomic_write_text
from xlt.evaluation.store import PREDICTIONS_FILE
from xlt.pipeline.context import RunContext, spec_name


def write_run(p: RunContext, model_dir: Path, metrics: dict[str, Any]) -> None:
    """Publish the final model and write the run record of ``p`` into its output directory."""
    from xlt.evaluation.store import read_predictions, write_run

    r = p.recipe
    publish_model(model_dir, p.out / "model")
    info = {
        "task": r.task,
        "method": r.method,
        "model": spec_name(r.model),
        "sources": [s.language for s in r.all_sources],
        "target": r.target.language,
        "seed": r.seed,
        "name": r.name,
        "primary_metric": metrics.get("primary_metric"),
        "timings": metrics.get("timings", {}),
        "cached_steps": list(p.runner.skipped),
        "data": {k: str(v) for k, v in p.paths.items() if v is not None},
        "artifacts": {
            "model": "model",
            "log": "run.log",
            "steps": "steps",
            **({"projected_train": "steps/combine/train.projected.tsv"} if r.method == "projection" else {}),
        },
    }
    if r.method == "projection":
        atomic_write_text(
            p.out / "projection_stats.json",
            json.dumps(metrics.get("projection", {}), ensure_ascii=False, indent=2),
        )
    predictions = read_predictions(p.predictions_path) if p.predictions_path is not None else None
    if predictions is None:
        # a re-run without a test set must not leave an older run's predictions behind
        (p.out / PREDICTIONS_FILE).unlink(missing_ok=True)
    else:
        info["artifacts"]["predictions"] = PREDICTIONS_FILE
    write_run(p.out, info, metrics, predictions=predictions, recipe_yaml=r.to_yaml())


def publish_model(model_dir: Path, dest: Path) -> None:
    """Copy the final model to ``<output_dir>/model`` (replacing an older copy)."""
    import shutil

    if dest.resolve() == model_dir.resolve():
        return
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    shutil.copytree(model_dir, tmp / "m")
    if dest.exists():
        shutil.rmtree(dest, ignore_errors=True)
    with contextlib.suppress(OSError):  # another process published the same model meanwhile
        (tmp / "m").rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def file_log(path: Path) -> Iterator[None]:
    """Also log xlt's INFO messages into ``path`` (console verbosity unchanged)."""
    logger = logging.getLogger("xlt")
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    old_level = logger.level
    effective = logger.getEffectiveLevel()
    pinned = [h for h in logger.handlers if h.level == logging.NOTSET]
    for h in pinned:
        h.setLevel(effective)
    logger.addHandler(handler)
    logger.setLevel(min(effective, logging.INFO))
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(old_level)
        for h in pinned:
            h.setLevel(logging.NOTSET)
