"""Moved: the config models to :mod:`xlt.finetuning.experiment`, the orchestration
(``run_transfer``, ``read_labelled``) to :mod:`xlt.pipeline.finetune` (orchestration lives in
``pipeline/``, above the training loop it drives). Re-exported here for one release; the
orchestration names are resolved on first use, so importing this module does not load the
pipeline."""

from __future__ import annotations

from typing import Any

from xlt.finetuning.experiment import DataSpec, FewShot, FinetuneRunConfig

__all__ = ["DataSpec", "FewShot", "FinetuneRunConfig"]  # and, on first use: read_labelled, run_transfer


def __getattr__(name: str) -> Any:
    if name in ("read_labelled", "run_transfer"):
        from xlt.pipeline import finetune

        return getattr(finetune, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
