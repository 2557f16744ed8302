"""Registered merge methods: average, linear, task arithmetic, TIES, layer swapping.

Every method works on parameter dictionaries (``name -> tensor``) with identical
keys and shapes; :mod:`xlt.merging.models` loads models, matches their
parameters and saves the result. A method's config holds all its options, so a
merge is fully described by ``method`` + config YAML.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

import torch
from pydantic import Field

from xlt.config import MethodConfig
from xlt.errors import ConfigError, MismatchError
from xlt.merging import functional as F
from xlt.registry import stage_registry

StateDict = Mapping[str, torch.Tensor]

#: the registry of merge methods (``xlt methods mergers``)
mergers = stage_registry("mergers")


class MergeMethod(Protocol):
    """Merge parameter dictionaries (same keys and shapes) into one."""

    #: whether ``merge`` needs ``base`` (task vectors are taken relative to it)
    needs_base: bool

    def merge(
        self, state_dicts: Sequence[StateDict], *, base: StateDict | None = None
    ) -> dict[str, torch.Tensor]: ...


def _weights(config_weights: Sequence[float] | None, n: int, default: float) -> list[float]:
    if config_weights is None:
        return [default] * n
    if len(config_weights) != n:
        raise MismatchError(f"{len(config_weights)} weights given for {n} models")
    return [float(w) for w in config_weights]


def _check_keys(state_dicts: Sequence[StateDict], base: StateDict | None) -> list[str]:
    if not state_dicts:
        raise MismatchError("nothing to merge: no models given")
    keys = list(state_dicts[0])
    others = [*state_dicts[1:], *([base] if base is not None else [])]
    for i, sd in enumerate(others, start=1):
        if set(sd) != set(keys):
            missing = sorted(set(keys) - set(sd))[:5]
            extra = sorted(set(sd) - set(keys))[:5]
            who = "base model" if base is not None and sd is base else f"model {i}"
            raise MismatchError(
                f"{who} has different parameters than model 0 (missing {missing}, extra {extra})"
            )
    return keys


class _TensorwiseMerger:
    """Shared driver: merge each parameter independently with ``merge_tensor``."""

    needs_base = False

    def __init__(self, config: Any) -> None:
        self.config = config

    def merge(
        self, state_dicts: Sequence[StateDict], *, base: StateDict | None = None
    ) -> dict[str, torch.Tensor]:
        if self.needs_base and base is None:
            raise ConfigError(f"merge method {self.config.method!r} needs a base model (--base)")
        keys = _check_keys(state_dicts, base)
        return {
            k: self.merge_tensor([sd[k] for sd in state_dicts], None if base is None else base[k])
            for k in keys
        }

    def merge_tensor(self, tensors: Sequence[torch.Tensor], base: torch.Tensor | None) -> torch.Tensor:
        raise NotImplementedError


class AverageConfig(MethodConfig):
    method: Literal["average"] = "average"
    weights: list[float] | None = Field(
        None, description="Optional per-model weights (normalised to sum to 1); uniform when omitted."
    )


@mergers.register(
    "average",
    config=AverageConfig,
    reference="Schmidt et al. 2023, Free Lunch: Robust Cross-Lingual Transfer via Model Checkpoint Averaging",
)
class Average(_TensorwiseMerger):
    """Uniform (or normalised weighted) parameter averaging of compatible models."""

    def merge_tensor(self, tensors: Sequence[torch.Tensor], base: torch.Tensor | None) -> torch.Tensor:
        return F.average_tensors(tensors, self.config.weights)


class LinearConfig(MethodConfig):
    method: Literal["linear"] = "linear"
    weights: list[float] | None = Field(None, description="Per-model weights; uniform 1/n when omitted.")
    normalize: bool = Field(True, description="Divide by the sum of the weights (False: plain weighted sum).")


@mergers.register(
    "linear",
    config=LinearConfig,
    reference="Wortsman et al. 2022, Model soups: averaging weights of multiple fine-tuned models",
)
class Linear(_TensorwiseMerger):
    """Weighted linear combination Σ wᵢ θᵢ (optionally normalised)."""

    def merge_tensor(self, tensors: Sequence[torch.Tensor], base: torch.Tensor | None) -> torch.Tensor:
        w = _weights(self.config.weights, len(tensors), 1.0 / len(tensors))
        return F.linear_combination(tensors, w, normalize=self.config.normalize)


class TaskArithmeticConfig(MethodConfig):
    method: Literal["task_arithmetic"] = "task_arithmetic"
    weights: list[float] | None = Field(
        None, description="λᵢ per model (scales θᵢ − base); every λ defaults to `scale`."
    )
    scale: float = Field(1.0, description="Default λ for every model when `weights` is omitted.")


@mergers.register(
    "task_arithmetic",
    config=TaskArithmeticConfig,
    reference="Ilharco et al. 2023, Editing Models with Task Arithmetic",
)
class TaskArithmetic(_TensorwiseMerger):
    """base + Σ λᵢ (θᵢ − base): add task vectors to a shared base model."""

    needs_base = True

    def merge_tensor(self, tensors: Sequence[torch.Tensor], base: torch.Tensor | None) -> torch.Tensor:
        assert base is not None
        return F.task_arithmetic(
            base, tensors, _weights(self.config.weights, len(tensors), self.config.scale)
        )


class TiesConfig(MethodConfig):
    method: Literal["ties"] = "ties"
    density: float = Field(
        0.2, gt=0.0, le=1.0, description="Fraction of each task vector kept (top magnitude)."
    )
    majority: Literal["total", "count"] = Field(
        "total", description="Sign election: sign of the summed task vectors, or of the sign count."
    )
    weights: list[float] | None = Field(
        None, description="Per-model weights applied to the trimmed task vectors."
    )
    scale: float = Field(
        1.0, description="λ multiplying the merged task vector before adding it to the base."
    )


@mergers.register(
    "ties",
    config=TiesConfig,
    reference="Yadav et al. 2023, TIES-Merging: Resolving Interference When Merging Models",
    example={"density": 0.5},
)
class Ties(_TensorwiseMerger):
    """TIES: trim task vectors, elect signs, disjoint mean, add to the base."""

    needs_base = True

    def merge_tensor(self, tensors: Sequence[torch.Tensor], base: torch.Tensor | None) -> torch.Tensor:
        assert base is not None
        c = self.config
        w = _weights(c.weights, len(tensors), 1.0)
        return F.ties_merge(base, tensors, w, density=c.density, majority=c.majority, scale=c.scale)


class LayerSwapConfig(MethodConfig):
    method: Literal["layer_swap"] = "layer_swap"
    layers: list[str] = Field(
        ...,
        min_length=1,
        description="Layer indices or inclusive ranges taken from the donor (the second model), e.g. ['0-1', '10-11'].",
    )
    include: list[str] = Field(
        default_factory=list,
        description="Extra parameter-name glob patterns also taken from the donor, e.g. ['*embeddings*'].",
    )
    layer_pattern: str = Field(
        r"(?:^|\.)layers?\.(\d+)\.",
        description="Regex whose first group is the layer index in a parameter name.",
    )


def parse_layers(spec: Sequence[str]) -> set[int]:
    """``['0-2', '7']`` -> ``{0, 1, 2, 7}``; a clear ConfigError on bad items."""
    out: set[int] = set()
    for item in spec:
        text = str(item).strip()
        m = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", text)
        if not m:
            raise ConfigError(f"layers: {item!r} is not an index or an inclusive range like '0-3'")
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) is not None else lo
        if hi < lo:
            raise ConfigError(f"layers: range {item!r} is empty (end before start)")
        out.update(range(lo, hi + 1))
    return out


@mergers.register(
    "layer_swap",
    config=LayerSwapConfig,
    reference="Bandarkar et al. 2024, Layer Swapping for Zero-Shot Cross-Lingual Transfer in Large Language Models",
    example={"layers": ["0"]},
)
class LayerSwap:
    """Take the named transformer layers (and extra patterns) from a donor model.

    The first model receives; the second model donates the selected layers.
    """

    needs_base = False

    def __init__(self, config: LayerSwapConfig) -> None:
        self.config = config

    def selected(self, keys: Sequence[str]) -> list[str]:
        """The parameter names taken from the donor."""
        layers = parse_layers(self.config.layers)
        try:
            pattern = re.compile(self.config.layer_pattern)
        except re.error as err:
            raise ConfigError(f"layer_pattern: invalid regex: {err}") from None
        chosen = []
        for k in keys:
            m = pattern.search(k)
            if (m and int(m.group(1)) in layers) or any(
                fnmatch.fnmatchcase(k, p) for p in self.config.include
            ):
                chosen.append(k)
        return chosen

    def merge(
        self, state_dicts: Sequence[StateDict], *, base: StateDict | None = None
    ) -> dict[str, torch.Tensor]:
        if len(state_dicts) != 2:
            raise ConfigError(f"layer_swap takes exactly 2 models (receiver, donor), got {len(state_dicts)}")
        keys = _check_keys(state_dicts, None)
        receiver, donor = state_dicts
        for k in keys:
            if receiver[k].shape != donor[k].shape:
                raise MismatchError(
                    f"{k}: shapes {tuple(receiver[k].shape)} and {tuple(donor[k].shape)} differ"
                )
        chosen = set(self.selected(keys))
        if not chosen:
            raise ConfigError(
                f"layer_swap selected no parameters: no name matches layers {self.config.layers} "
                f"with pattern {self.config.layer_pattern!r} or include {self.config.include}"
            )
        return {k: (donor[k] if k in chosen else receiver[k]).clone() for k in keys}
