"""Few-shot transfer by continued fine-tuning on the target's ``k`` examples.

The two-stage protocol of Lauscher et al. (2020), *From Zero to Hero: On the Limitations of
Zero-Shot Language Transfer with Multilingual Transformers*: fine-tune on the source
languages (the zero-shot model), then keep training that model on ``k`` labelled target
examples for a fixed budget. There is no target dev set to choose a checkpoint on (that would
be more target data than ``k``), so the last step is kept; the budget is set by principle:
``epochs`` passes over the shots, at least ``min_steps`` optimisation steps.

Joint training (the shots added to the source data, :class:`xlt.pipeline.finetune.FewShot`
``mode: joint``) needs one full training run per target; continuing needs one source run and a
few dozen steps per target, so it is the mode for k-shot curves over many targets and seeds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from xlt.errors import ConfigError


def continuation_steps(n_shots: int, batch_size: int, epochs: float, min_steps: int) -> int:
    """Optimisation steps for continued training on ``n_shots`` examples."""
    if n_shots < 1:
        raise ConfigError("few-shot continuation needs at least one labelled target example")
    return max(min_steps, math.ceil(epochs * math.ceil(n_shots / batch_size)))


def continue_on_shots(
    model: Any,
    shots: Sequence[Any],
    *,
    epochs: float,
    min_steps: int,
    learning_rate: float | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    """Continue training the fitted ``model`` (a ``TransformersTaskModel``) on ``shots``.

    The model's weights are changed in place (the last step is kept: no target dev data);
    callers that continue one source model for several targets restore its state between them
    (:func:`xlt.finetuning.selection.trainable_state` / ``load_trainable_state``). Returns the
    steps, seconds and settings used.
    """
    if not hasattr(model, "model_"):
        raise ConfigError("few-shot continuation needs a model fitted on the sources first")
    base = model.config
    steps = continuation_steps(len(shots), base.batch_size, epochs, min_steps)
    update: dict[str, Any] = {
        "max_steps": steps,
        "selection": "last",
        "averaging": "none",
        "eval_every": steps,
        "seed": base.seed if seed is None else seed,
    }
    if learning_rate is not None:
        update["learning_rate"] = learning_rate
    previous = model.result_ if hasattr(model, "result_") else None
    model.config = base.model_copy(update=update)
    try:
        model.fit(list(shots), None, continue_training=True)
        result = model.result_
    finally:
        model.config = base
        if previous is not None:
            model.result_ = previous  # the source run's variants stay usable
    return {
        "k": len(shots),
        "steps": result.steps,
        "seconds": round(result.seconds, 2),
        "learning_rate": update.get("learning_rate", base.learning_rate),
        "epochs": epochs,
    }
