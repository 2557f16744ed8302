"""Honest model selection: choose checkpoints on source-language dev data by default.

Choosing checkpoints (or hyper-parameters) on target-language dev data is not
zero-shot transfer (Keung et al. 2020, "Don't Use English Dev: On the Zero-Shot
Cross-Lingual Evaluation of Contextual Embeddings"); xlt allows it
(``selection: target-dev``) but every output made that way is labelled ``oracle``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

ORACLE = "oracle"

#: how each way of choosing a model is labelled in every output
SELECTION_LABELS: dict[str, str] = {
    "source-dev": "source-dev",
    "target-dev": ORACLE,
    "last": "last",
    "average": "none (checkpoint average)",
    "seed-average": "none (seed average)",
    "few-shot": "last (continued on the target's k shots)",
}


def selection_label(kind: str) -> str:
    """The label reported next to results of a model chosen by ``kind``; every target-dev
    variant (``target-dev`` or one per target, ``target-dev:LANG``) is an oracle."""
    if kind.startswith("target-dev"):
        return ORACLE
    return SELECTION_LABELS.get(kind, kind)


def trainable_state(model) -> dict[str, Any]:
    """A CPU copy of the parameters that are being trained (all of them, or LoRA + head)."""
    return {n: p.detach().to("cpu", copy=True) for n, p in model.named_parameters() if p.requires_grad}


def load_trainable_state(model, state: dict[str, Any]) -> None:
    """Copy ``state`` (from :func:`trainable_state`) back into ``model`` in place."""
    import torch

    params = dict(model.named_parameters())
    missing = [k for k in state if k not in params]
    if missing:
        raise KeyError(f"snapshot has parameters the model lacks: {missing[:3]}")
    with torch.no_grad():
        for name, value in state.items():
            params[name].copy_(value.to(params[name].device, params[name].dtype))


def checkpoint_due(step: int, every: int, max_steps: int) -> bool:
    return step > 0 and (step % every == 0 or step == max_steps)


def best_checkpoint_callback(name: str, score_fn: Callable[[Any], float], every: int):
    """A TrainerCallback scoring the model every ``every`` steps (and at the last step)
    with ``score_fn(model)`` (higher is better) and keeping a snapshot of the best."""
    from transformers import TrainerCallback

    class BestCheckpoint(TrainerCallback):
        def __init__(self) -> None:
            self.name = name
            self.best_score = float("-inf")
            self.best_step = -1
            self.best_state: dict[str, Any] | None = None
            self.history: list[tuple[int, float]] = []

        def on_step_end(self, args, state, control, model=None, **kwargs):
            if not checkpoint_due(state.global_step, every, state.max_steps):
                return
            was_training = model.training
            score = float(score_fn(model))
            model.train(was_training)
            self.history.append((state.global_step, score))
            log.info("step %d: %s dev score %.4f", state.global_step, name, score)
            if score > self.best_score:
                self.best_score, self.best_step = score, state.global_step
                self.best_state = trainable_state(model)

    return BestCheckpoint()
