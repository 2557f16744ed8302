"""Weight-space ensembles of a fine-tuned model and the model it started from (WiSE-FT).

Wortsman et al. (2022, "Robust fine-tuning of zero-shot models", CVPR) interpolate the weights of
a fine-tuned model with those of its starting point, ``θ = (1 − w)·θ_tuned + w·θ_start``, and find
the mix more robust under distribution shift than either end, at no inference cost. In xlt the
start is the zero-shot encoder (fine-tuned on gold source-language data) and the tuned model is
that encoder trained further on noisy projected target labels: the mix keeps what the target data
taught and falls back on the source-trained weights where the projected labels mislead.

Both models must share the architecture and a label order in which the tuned model's labels
extend the start's (xlt keeps the start's label order when it continues training; labels the new
data adds are appended). A head row only the tuned model has is kept from it.
"""

from __future__ import annotations

from typing import Any

from xlt.errors import MismatchError
from xlt.merging.functional import linear_combination


def interpolate_with_start(tuned: Any, start: Any, start_weight: float) -> dict[str, int]:
    """Mix ``start_weight`` of ``start``'s weights into ``tuned`` (two fitted transformers task
    models, :class:`xlt.models.transformers.TransformersTaskModel`: ``model_`` and ``labels_``),
    in place; the counts of parameters mixed and kept."""
    if not 0.0 <= start_weight <= 1.0:
        raise ValueError(f"start_weight must lie in [0, 1], got {start_weight}")
    old, new = list(start.labels_), list(tuned.labels_)
    if new[: len(old)] != old:
        raise MismatchError(
            f"the tuned model's labels {new[:8]} do not extend its start's {old[:8]} in the same order"
        )
    start_state = start.model_.state_dict()
    state = tuned.model_.state_dict()
    mixed = kept = 0
    for name, value in state.items():
        other = start_state.get(name)
        if other is None or not value.is_floating_point():
            kept += 1
            continue
        if other.shape == value.shape:
            state[name] = linear_combination([value, other], [1.0 - start_weight, start_weight])
        elif value.dim() >= 1 and other.shape[1:] == value.shape[1:] and other.shape[0] < value.shape[0]:
            head = value.clone()  # the head of a tuned model with appended labels: mix the shared rows
            n = other.shape[0]
            head[:n] = linear_combination([value[:n], other], [1.0 - start_weight, start_weight])
            state[name] = head
        else:
            raise MismatchError(f"parameter {name}: shape {tuple(value.shape)} vs {tuple(other.shape)}")
        mixed += 1
    tuned.model_.load_state_dict(state, strict=True)
    return {"mixed_parameters": mixed, "kept_parameters": kept}
