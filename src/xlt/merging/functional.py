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


def linear_combination(
    tensors: Sequence[torch.Tensor], weights: Sequence[float], *, normalize: bool = False
) -> torch.Tensor:
    """Σ wᵢ·tᵢ with the weights as given (``normalize=True``: divided by their sum)."""
    if len(tensors) != len(weights):
        raise MismatchError(f"{len(weights)} weights for {len(tensors)} tensors")
    if normalize:
        return average_tensors(tensors, weights)
    first = _check_shapes(tensors)
    if not first.is_floating_point():
        return first.clone()
    acc = torch.zeros(first.shape, dtype=_acc_dtype(first), device=first.device)
    for w, t in zip(weights, tensors, strict=True):
        acc.add_(t.to(acc.dtype), alpha=float(w))
    return acc.to(first.dtype)


def task_arithmetic(
    base: torch.Tensor, tensors: Sequence[torch.Tensor], weights: Sequence[float]
) -> torch.Tensor:
    """Task arithmetic (Ilharco et al. 2023, "Editing Models with Task Arithmetic"):
    ``base + Σ λᵢ (θᵢ − base)``."""
    _check_shapes([base, *tensors])
    if len(tensors) != len(weights):
        raise MismatchError(f"{len(weights)} weights for {len(tensors)} models")
    if not base.is_floating_point():
        return base.clone()
    b = base.to(_acc_dtype(base))
    acc = b.clone()
    for w, t in zip(weights, tensors, strict=True):
        acc.add_(t.to(acc.dtype) - b, alpha=float(w))
    return acc.to(base.dtype)


def trim_top_k(delta: torch.Tensor, density: float) -> torch.Tensor:
    """Keep the ``density`` fraction of entries with the largest magnitude, zero the rest
    (ties at the threshold are all kept)."""
    if not 0.0 < density <= 1.0:
        raise MismatchError(f"density must be in (0, 1], got {density}")
    if density >= 1.0 or delta.numel() == 0:
        return delta.clone()
    k = max(1, round(density * delta.numel()))
    threshold = delta.abs().flatten().kthvalue(delta.numel() - k + 1).values
    return torch.where(delta.abs() >= threshold, delta, torch.zeros_like(delta))


def ties_merge(
    base: torch.Tensor,
    tensors: Sequence[torch.Tensor],
    weights: Sequence[float],
    *,
    density: float = 0.2,
    majority: str = "total",
    scale: float = 1.0,
) -> torch.Tensor:
    """TIES-Merging (Yadav et al. 2023, "TIES-Merging: Resolving Interference When
    Merging Models"): trim each task vector to its top-``density`` entries, elect a
    sign per entry (sign of the summed trimmed vectors, or of the count of signs with
    ``majority="count"``), average the entries that agree with the elected sign
    (a disjoint mean), and add ``scale`` times the result to ``base``.

    ``weights`` scale each task vector before the sign election.
    """
    _check_shapes([base, *tensors])
    if len(tensors) != len(weights):
        raise MismatchError(f"{len(weights)} weights for {len(tensors)} models")
    if majority not in ("total", "count"):
        raise MismatchError(f"majority must be 'total' or 'count', got {majority!r}")
    if not base.is_floating_point():
        return base.clone()
    b = base.to(_acc_dtype(base))
    deltas = torch.stack(
        [trim_top_k(t.to(b.dtype) - b, density) * float(w) for t, w in zip(tensors, weights, strict=True)]
    )
    signs = torch.sign(deltas)
    elected = torch.sign(deltas.sum(0)) if majority == "total" else torch.sign(signs.sum(0))
    agree = (signs == elected.unsqueeze(0)) & (signs != 0)
    kept = torch.where(agree, deltas, torch.zeros_like(deltas))
    count = agree.sum(0).clamp(min=1)
    merged = kept.sum(0) / count
    return (b + scale * merged).to(base.dtype)


def _acc_dtype(t: torch.Tensor) -> torch.dtype:
    return torch.float64 if t.dtype == torch.float64 else torch.float32


def _check_shapes(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    if not tensors:
        raise MismatchError("nothing to merge: no tensors given")
    first = tensors[0]
    for t in tensors[1:]:
        if t.shape != first.shape:
            raise MismatchError(f"cannot merge tensors of shapes {tuple(first.shape)} and {tuple(t.shape)}")
    return first
