"""The numbers the learned ranker derives from a table and its own trees: within-target z-scores and
relative ranks of the features, each source's prior usefulness, and which TreeSHAP terms
measure the source rather than the pair."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from xlt.io.tables import TransferTable

#: a term whose TreeSHAP contribution varies mostly *between sources* (this share of its variance
#: over the training pairs, η² of a one-way ANOVA by source) measures the source, not the pair
SOURCE_LEVEL_SHARE = 0.5


def source_level_terms(
    boosters: Sequence[Any], features: np.ndarray, sources: Sequence[str], names: Sequence[str]
) -> list[str]:
    """Terms whose TreeSHAP contributions (Lundberg et al. 2020) over the training pairs are at
    least :data:`SOURCE_LEVEL_SHARE` explained by the source's identity (η², between-source
    variance / total variance; Fisher's one-way ANOVA decomposition)."""
    contrib = np.mean([b.predict(features, pred_contrib=True, num_threads=1) for b in boosters], axis=0)
    codes = np.array(list(sources))
    out = []
    for j, name in enumerate(names):
        col = contrib[:, j]
        total = float(col.var())
        if total <= 1e-12:
            continue
        between = sum(
            float((codes == c).sum()) * (float(col[codes == c].mean()) - float(col.mean())) ** 2
            for c in np.unique(codes)
        ) / len(col)
        if between / total >= SOURCE_LEVEL_SHARE:
            out.append(name)
    return out


def zscore(values: np.ndarray) -> np.ndarray:
    """Within-query z-scores; ``nan`` (no value) becomes 0, the query mean."""
    out = np.zeros(len(values))
    ok = ~np.isnan(values)
    if ok.sum() >= 2:
        std = float(values[ok].std())
        out[ok] = (values[ok] - values[ok].mean()) / (std if std > 0 else 1.0)
    return out


def relative_rank(values: np.ndarray) -> np.ndarray:
    """Within-query position of each value scaled to [0, 1] (ties averaged; nan stays nan)."""
    from xlt.io.tables import average_positions

    out = np.full(len(values), math.nan)
    ok = ~np.isnan(values)
    n = int(ok.sum())
    if n == 1:
        out[ok] = 0.0
    elif n > 1:
        out[ok] = (average_positions(values[ok]) - 1) / (n - 1)
    return out


def source_prior(table: TransferTable, top: int) -> dict[str, float]:
    """Mean graded relevance of each source over the table's targets (normalised to [0, 1])."""
    totals: dict[str, list[float]] = {}
    for target in table.targets:
        for source, rel in table.relevance(target, top=top).items():
            totals.setdefault(source.code, []).append(rel / top)
    return {code: float(np.mean(v)) for code, v in sorted(totals.items())}
