"""Aggregation over random seeds: mean ± sample standard deviation."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class SeedSummary:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single seed) of one score."""

    mean: float
    std: float
    n: int
    values: tuple[float, ...] = ()

    def format(self, digits: int = 1, scale: float = 100.0) -> str:
        if self.n == 0:
            return "–"
        if self.n == 1:
            return f"{self.mean * scale:.{digits}f}"
        return f"{self.mean * scale:.{digits}f} ± {self.std * scale:.{digits}f}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mean_std(values: Iterable[float]) -> SeedSummary:
    """Mean ± sample std of the finite values (NaN/None are dropped)."""
    vals = tuple(float(v) for v in values if v is not None and not math.isnan(float(v)))
    n = len(vals)
    if n == 0:
        return SeedSummary(float("nan"), float("nan"), 0, ())
    mean = sum(vals) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / (n - 1)) if n > 1 else 0.0
    return SeedSummary(mean, std, n, vals)


def group_mean_std(
    items: Sequence[T], key: Callable[[T], Hashable], value: Callable[[T], float | None]
) -> dict[Hashable, SeedSummary]:
    """Group items (e.g. runs differing only in seed) and summarise each group."""
    groups: dict[Hashable, list[float]] = {}
    for item in items:
        v = value(item)
        if v is not None:
            groups.setdefault(key(item), []).append(v)
    return {k: mean_std(vs) for k, vs in groups.items()}
