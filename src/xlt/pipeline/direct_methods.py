"""Recipe methods that train one model directly on labelled data.

* ``zero-shot`` — train on the source language(s) (and their ``augment`` copies), evaluate on the
  target directly.
* ``supervised`` — train and test in the target language (the upper bound); also
  ``translate-train`` without ``translate``, where ``target.train`` is the translated data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlt.pipeline import augment
from xlt.pipeline.context import RunContext, max_train


def run_zero_shot(p: RunContext) -> tuple[Path, dict[str, Any]]:
    """Step ``train-source``: one model on every source's training data (dev sets for checkpoints)."""
    keys = [f"{s.key}.train" for s in p.sources]
    limit = max_train(p.sources)
    if p.recipe.augment:  # the augmented copies come after the (capped) originals
        keys, limit = augment.apply(p, keys), None
    model_dir = p.train_model(
        "train-source",
        p.recipe.model,
        keys,
        limit,
        dev_keys=[f"{s.key}.dev" for s in p.sources],
    )
    extra = {"augment": p.summaries["augment-source"]} if p.recipe.augment else {}
    return model_dir, extra


def run_supervised(p: RunContext) -> tuple[Path, dict[str, Any]]:
    """Step ``train-target``: one model on ``target.train``."""
    return p.train_model("train-target", p.recipe.model, ["target.train"]), {}
