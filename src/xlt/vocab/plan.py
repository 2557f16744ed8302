"""A transfer plan: how each target-vocabulary row is built from source rows.

Every built-in initializer expresses a target embedding as one of: a sparse
weighted combination of source rows (copy = one row with weight 1), the mean
source row, or a random draw with the source rows' standard deviation, plus
optional Gaussian noise. Keeping the plan (rather than only the result) lets
:mod:`xlt.vocab.apply` build the input embeddings, untied output embeddings and
the output bias of a model consistently from one computation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

MIX, MEAN, RANDOM = 0, 1, 2
KIND_NAMES = {MIX: "combination", MEAN: "mean", RANDOM: "random"}


@dataclass
class TransferPlan:
    """Rows of a (|V_target| × |V_source|) mixing matrix plus per-row fill rules."""

    target_size: int
    source_size: int
    kinds: list[int]
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    noise: list[bool] | None = None
    noise_std: float = 0.0
    seed: int = 0
    #: human-readable origin of each row ("special", "copy", "wechsel", ...)
    labels: list[str] | None = None
    #: source ids excluded from mean / std statistics (special tokens)
    exclude_from_stats: Sequence[int] = ()

    @classmethod
    def empty(
        cls, target_size: int, source_size: int, *, seed: int = 0, kind: int = RANDOM, label: str = "random"
    ):
        return cls(target_size, source_size, [kind] * target_size, seed=seed, labels=[label] * target_size)

    def set_mix(self, target_id: int, sources: Sequence[int], weights: Sequence[float], label: str) -> None:
        """Target row = Σ weights · source rows (weights are used as given)."""
        if self.kinds[target_id] == MIX:
            raise ValueError(f"target row {target_id} was already set")
        for s, w in zip(sources, weights, strict=True):
            self.rows.append(target_id)
            self.cols.append(int(s))
            self.vals.append(float(w))
        self.kinds[target_id] = MIX
        self._label(target_id, label)

    def set_copy(self, target_id: int, source_id: int, label: str = "copy") -> None:
        self.set_mix(target_id, [source_id], [1.0], label)

    def set_fill(self, target_id: int, kind: int, label: str) -> None:
        if self.kinds[target_id] == MIX:
            raise ValueError(f"target row {target_id} was already set")
        self.kinds[target_id] = kind
        self._label(target_id, label)

    def _label(self, target_id: int, label: str) -> None:
        if self.labels is None:
            self.labels = [KIND_NAMES[k] for k in self.kinds]
        self.labels[target_id] = label

    def noise_mean_rows(self, fraction: float) -> None:
        """Add Gaussian noise (``fraction`` × the source std) to every mean-filled row."""
        self.noise = [k == MEAN for k in self.kinds]
        self.noise_std = fraction

    def is_set(self, target_id: int) -> bool:
        return self.kinds[target_id] == MIX

    def summary(self) -> dict[str, int]:
        """How many target rows each strategy produced."""
        labels = self.labels or [KIND_NAMES[k] for k in self.kinds]
        return dict(sorted(Counter(labels).items()))

    def apply(self, matrix: torch.Tensor) -> torch.Tensor:
        """Build the target matrix (or vector, e.g. an output bias) from a source one."""
        if matrix.shape[0] != self.source_size:
            raise ValueError(f"plan expects {self.source_size} source rows, got {matrix.shape[0]}")
        vector = matrix.dim() == 1
        src = (matrix.unsqueeze(1) if vector else matrix).detach().to(torch.float32)
        d = src.shape[1]
        keep = torch.ones(self.source_size, dtype=torch.bool)
        if self.exclude_from_stats:
            keep[list(self.exclude_from_stats)] = False
        stats_rows = src[keep] if keep.any() else src
        mean = stats_rows.mean(0)
        std = float(stats_rows.std()) if stats_rows.numel() > 1 else 0.0
        out = torch.zeros(self.target_size, d, dtype=torch.float32)
        if self.rows:
            idx = torch.tensor([self.rows, self.cols], dtype=torch.long)
            w = torch.sparse_coo_tensor(
                idx, torch.tensor(self.vals), (self.target_size, self.source_size), check_invariants=True
            )
            out = torch.sparse.mm(w.coalesce(), src)
        kinds = torch.tensor(self.kinds)
        gen = torch.Generator().manual_seed(self.seed)
        out[kinds == MEAN] = mean
        n_random = int((kinds == RANDOM).sum())
        if n_random:
            draw = torch.randn(n_random, d, generator=gen) * std
            out[kinds == RANDOM] = mean if vector else draw  # a bias gets the mean, not noise
        if self.noise_std > 0 and self.noise is not None and not vector:
            mask = torch.tensor(self.noise, dtype=torch.bool)
            out[mask] += torch.randn(int(mask.sum()), d, generator=gen) * (self.noise_std * std)
        out = out.to(matrix.dtype)
        return out.squeeze(1) if vector else out
