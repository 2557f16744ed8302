"""Pure tensor-level merge operations (no I/O).

Uniform / weighted averaging is the "Free Lunch" of Schmidt et al. (2023),
"Free Lunch: Robust Cross-Lingual Transfer via Model Checkpoint Averaging"
(ACL 2023) and the model soups of Wortsman et al. (2022).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from xlt.errors import MismatchError


def _normalised_weights(n: int, weights: Sequence[float] | None) -> list[float]:
    if n == 0:
        raise MismatchError("nothing to merge: no tensors or models given")
    if weights is None:
        return [1.0 / n] * n
    if len(weights) != n:
        raise MismatchError(f"{len(weights)} weights for {n} models")
    total = float(sum(weights))
    if total == 0:
        raise MismatchError("merge weights sum to zero")
    return [float(w) / total for w in weights]


def average_tensors(tensors: Sequence[torch.Tensor], weights: Sequence[float] | None = None) -> torch.Tensor:
    """Weighted mean of same-shaped tensors (weights are normalised to sum to 1).

    Computed in float32 (or float64 for float64 inputs) and cast back to the
    first tensor's dtype; integer tensors (e.g. position ids) are taken from the
    first tensor unchanged.
    """
    w = _normalised_weights(len(tensors), weights)
    first = tensors[0]
    for t in tensors[1:]:
        if t.shape != first.shape:
            raise MismatchError(f"cannot average tensors of shapes {tuple(first.shape)} and {tuple(t.shape)}")
    if not first.is_floating_point():
        return first.clone()
    acc_dtype = torch.float64 if first.dtype == torch.float64 else torch.float32
    acc = torch.zeros(first.shape, dtype=acc_dtype, device=first.device)
    for wi, t in zip(w, tensors, strict=True):
        acc.add_(t.to(acc_dtype), alpha=wi)
    return acc.to(first.dtype)


def average_state_dicts(
    state_dicts: Sequence[Mapping[str, torch.Tensor]], weights: Sequence[float] | None = None
) -> dict[str, torch.Tensor]:
    """Average parameter dictionaries key by key; the key sets must match exactly."""
    if not state_dicts:
        raise MismatchError("nothing to merge: no state dicts given")
    keys = list(state_dicts[0])
    for i, sd in enumerate(state_dicts[1:], start=1):
        if set(sd) != set(keys):
            missing = sorted(set(keys) - set(sd))[:5]
            extra = sorted(set(sd) - set(keys))[:5]
            raise MismatchError(
                f"model {i} has different parameters than model 0 (missing {missing}, extra {extra})"
            )
    return {k: average_tensors([sd[k] for sd in state_dicts], weights) for k in keys}
