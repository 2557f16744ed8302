"""Checkpoint and run averaging ("Free Lunch", Schmidt et al. 2023, "Free Lunch: Robust
Cross-Lingual Transfer via Model Checkpoint Averaging", ACL 2023).

Uniform averaging of the checkpoints taken during one run (the last ``k`` or all)
needs no dev data at all, so it sidesteps the model-selection problem of zero-shot
transfer; averaging the final models of several seeds is the run-level variant.
The tensor arithmetic is :func:`xlt.merging.functional.average_state_dicts`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from xlt.errors import ConfigError
from xlt.finetuning.selection import checkpoint_due, trainable_state
from xlt.merging.functional import average_state_dicts

log = logging.getLogger(__name__)


def checkpoint_averaging_callback(mode: Literal["last-k", "all"], every: int | None, k: int = 5):
    """A TrainerCallback that snapshots the trained weights every ``every`` steps (and at the
    last step) — or at every Trainer save when ``every`` is None — and averages the last ``k``
    (``last-k``) or all (``all``) snapshots with :meth:`average`."""
    from transformers import TrainerCallback

    if mode not in ("last-k", "all"):
        raise ConfigError(f"averaging mode must be 'last-k' or 'all', got {mode!r}")

    class CheckpointAveraging(TrainerCallback):
        """``last-k`` keeps ``k`` snapshots; ``all`` keeps only a running sum (memory of one model)."""

        def __init__(self) -> None:
            self.mode = mode
            self.snapshots: deque[dict[str, Any]] = deque(maxlen=k)
            self.steps: deque[int] = deque(maxlen=k if mode == "last-k" else None)
            self._sum: dict[str, Any] | None = None

        def _take(self, step: int, model) -> None:
            if self.steps and self.steps[-1] == step:
                return
            snap = trainable_state(model)
            self.steps.append(step)
            if self.mode == "last-k":
                self.snapshots.append(snap)
            elif self._sum is None:
                self._sum = {name: t.double() for name, t in snap.items()}
            else:
                for name, t in snap.items():
                    self._sum[name] += t

        def on_step_end(self, args, state, control, model=None, **kwargs):
            if every is not None and checkpoint_due(state.global_step, every, state.max_steps):
                self._take(state.global_step, model)

        def on_save(self, args, state, control, model=None, **kwargs):
            if every is None:
                self._take(state.global_step, model)

        def average(self) -> dict[str, Any]:
            if not self.steps:
                raise ConfigError("no checkpoints were taken during training, nothing to average")
            if self.mode == "last-k":
                return average_state_dicts(list(self.snapshots))
            n = len(self.steps)
            assert self._sum is not None
            return {name: (t / n).to(_dtype_of(t)) for name, t in self._sum.items()}

    return CheckpointAveraging()


def _dtype_of(summed) -> Any:
    import torch

    return torch.float32 if summed.dtype == torch.float64 else summed.dtype


def load_weights(path: str | Path) -> dict[str, Any]:
    """The weights of a saved model or adapter directory (safetensors only)."""
    from safetensors.torch import load_file

    p = Path(path)
    for name in ("model.safetensors", "adapter_model.safetensors"):
        if (p / name).is_file():
            return load_file(str(p / name))
    shards = sorted(p.glob("model-*.safetensors"))
    if shards:
        out: dict[str, Any] = {}
        for shard in shards:
            out.update(load_file(str(shard)))
        return out
    raise ConfigError(f"{p}: no model.safetensors / adapter_model.safetensors to average")


def average_saved_models(
    paths: Sequence[str | Path], output_dir: str | Path, weights: Sequence[float] | None = None
) -> Path:
    """Average the weights of models saved by ``save_pretrained`` (e.g. one per seed) into
    ``output_dir``; the other files (config, tokenizer, xlt metadata) come from the first."""
    import shutil

    from safetensors.torch import save_file

    if not paths:
        raise ConfigError("no models to average")
    averaged = average_state_dicts([load_weights(p) for p in paths], weights)
    first, out = Path(paths[0]), Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for item in first.iterdir():
        if (
            item.is_file()
            and not item.name.endswith(".safetensors")
            and item.name != "model.safetensors.index.json"
        ):
            shutil.copy2(item, out / item.name)
    name = (
        "adapter_model.safetensors"
        if (first / "adapter_model.safetensors").is_file()
        else "model.safetensors"
    )
    save_file({k: v.contiguous() for k, v in averaged.items()}, str(out / name), metadata={"format": "pt"})
    return out


def average_snapshots(states: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Uniform average of in-memory weight snapshots (e.g. the final weights of several seeds)."""
    return average_state_dicts(list(states))
