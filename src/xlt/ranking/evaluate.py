"""Ranking metrics and leave-one-target-out cross-validation over a transfer table.

Metrics follow LangRank (Lin et al. 2019): graded relevance (top-10 true sources get 10..1),
NDCG@k with gain 2^rel − 1 and log2 discount, precision@1 (the top prediction is a true best
source) and MAP (relevant = any of the true top-10). All values are fractions in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xlt.io.tables import TransferTable
from xlt.ranking.base import LanguageRanker
from xlt.types import Lang, LangScore

DEFAULT_KS = (1, 3, 5)


def ndcg_at_k(predicted: Sequence[Lang], relevance: Mapping[Lang, int], k: int) -> float:
    """NDCG@k with gain 2^rel − 1 (LightGBM's convention); 0 when no candidate is relevant."""
    gains = [2.0 ** relevance.get(lang, 0) - 1 for lang in predicted[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2.0**r - 1 for r in relevance.values()), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def precision_at_1(predicted: Sequence[Lang], relevance: Mapping[Lang, int]) -> float:
    """1 when the top prediction has the highest relevance of all candidates."""
    if not predicted or not relevance:
        return 0.0
    return float(relevance.get(predicted[0], 0) == max(relevance.values()) > 0)


def average_precision(predicted: Sequence[Lang], relevance: Mapping[Lang, int]) -> float:
    """AP of the predicted order, relevant = relevance > 0."""
    n_relevant = sum(1 for r in relevance.values() if r > 0)
    if n_relevant == 0:
        return 0.0
    hits, total = 0, 0.0
    for i, lang in enumerate(predicted, start=1):
        if relevance.get(lang, 0) > 0:
            hits += 1
            total += hits / i
    return total / n_relevant


def ranking_metrics(
    predicted: Sequence[Lang], relevance: Mapping[Lang, int], ks: Sequence[int] = DEFAULT_KS
) -> dict[str, float]:
    out = {f"ndcg@{k}": ndcg_at_k(predicted, relevance, k) for k in ks}
    out["p@1"] = precision_at_1(predicted, relevance)
    out["map"] = average_precision(predicted, relevance)
    return out


@dataclass
class CVResult:
    """Leave-one-target-out results of one ranker."""

    name: str
    mean: dict[str, float]
    per_target: dict[str, dict[str, float]]
    top3: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"ranker": self.name, "mean": self.mean, "per_target": self.per_target, "top3": self.top3}


def leave_one_target_out(
    table: TransferTable,
    make_ranker: Callable[[], LanguageRanker],
    *,
    name: str,
    targets: Sequence[Lang] | None = None,
    top: int = 10,
    ks: Sequence[int] = DEFAULT_KS,
) -> CVResult:
    """For each target: fit a fresh ranker on the table without that target's column, rank the
    target's measured sources, and score the ranking against the held-out column."""
    eval_targets = list(targets) if targets is not None else list(table.targets)
    per_target: dict[str, dict[str, float]] = {}
    top3: dict[str, list[str]] = {}
    for target in eval_targets:
        relevance = table.relevance(target, top=top)
        if not relevance:
            continue
        ranker = make_ranker().fit(table.without_target(target))
        candidates = [s for s, _ in table.candidates(target)]
        ranked = [s.language for s in ranker.rank(target, candidates)]
        per_target[str(target)] = ranking_metrics(ranked, relevance, ks)
        top3[str(target)] = [str(lang) for lang in ranked[:3]]
    keys = next(iter(per_target.values())).keys() if per_target else []
    mean = {k: float(np.mean([m[k] for m in per_target.values()])) for k in keys}
    return CVResult(name, mean, per_target, top3)


def standard_error(values: Sequence[float]) -> float:
    """Standard error of the mean (sample standard deviation / √n; 0 for fewer than 2 values)."""
    vals = [v for v in values if not math.isnan(v)]
    return float(np.std(vals, ddof=1) / math.sqrt(len(vals))) if len(vals) > 1 else 0.0


DEFAULT_TEMPERATURES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


def calibrate_temperature(
    table: TransferTable,
    make_ranker: Callable[[], LanguageRanker],
    *,
    targets: Sequence[Lang],
    top: int = 3,
    grid: Sequence[float] = DEFAULT_TEMPERATURES,
    score: Callable[[Any, Sequence[LangScore]], Sequence[float]] | None = None,
) -> tuple[float, dict[float, float]]:
    """The softmax temperature of multi-source weights that best predicts held-out orders.

    For each target (leave-one-target-out, so scores are out-of-sample), the weights
    ``softmax(score / T)`` over the measured candidates are read as Plackett–Luce choice
    probabilities (Plackett 1975; Luce 1959), and T maximises the mean log-likelihood of the
    table's observed top-``top`` order. ``score(ranker, ranked)`` replaces the ranker's score
    (e.g. :meth:`~xlt.ranking.learned.LambdaRankRanker.vote_scores`, the pair part of it).
    Returns (best T, mean log-likelihood per T).
    """
    per_t: dict[float, list[float]] = {t: [] for t in grid}
    for target in targets:
        measured = table.candidates(target)
        if len(measured) < top + 1:
            continue
        ranker = make_ranker().fit(table.without_target(target))
        ranked = ranker.rank(target, [lang for lang, _ in measured])
        values_of = [s.score for s in ranked] if score is None else list(score(ranker, ranked))
        scored = {s.language: float(v) for s, v in zip(ranked, values_of, strict=True)}
        relevance = table.relevance(target, top=len(measured))
        order = sorted(scored, key=lambda lang: (-relevance.get(lang, 0), lang.code))
        values = np.array([scored[lang] for lang in order], dtype=float)
        for t in grid:
            z = values / t
            ll = 0.0
            for i in range(top):  # P(order[i] first among the remaining)
                rest = z[i:]
                m = rest.max()
                ll += z[i] - (m + math.log(np.exp(rest - m).sum()))
            per_t[t].append(ll)
    means = {t: float(np.mean(v)) if v else -math.inf for t, v in per_t.items()}
    best = max(grid, key=lambda t: (means[t], -t))
    return float(best), means


def calibrate_relevance(
    table: TransferTable,
    make_ranker: Callable[[], LanguageRanker],
    *,
    targets: Sequence[Lang],
    top: int = 10,
    score: Callable[[Any, Sequence[LangScore]], Sequence[float]] | None = None,
) -> tuple[list[float], list[float]]:
    """A monotone map from a ranker's score to the graded relevance it predicts, out of fold.

    For each target (leave-one-target-out, so every score is out-of-sample) the measured
    candidates are scored (``score(ranker, ranked)``, default the ranker's score) and paired with
    their LangRank relevance (top-``top`` → ``top``..1, rest 0; Lin et al. 2019). Isotonic
    regression (Barlow et al. 1972; pool-adjacent-violators) fits the non-decreasing curve.
    Returns its knots (scores, expected relevance) for :func:`numpy.interp`.
    """
    from sklearn.isotonic import IsotonicRegression

    xs: list[float] = []
    ys: list[float] = []
    for target in targets:
        measured = table.candidates(target)
        if len(measured) < 2:
            continue
        ranker = make_ranker().fit(table.without_target(target))
        ranked = ranker.rank(target, [lang for lang, _ in measured])
        values = [s.score for s in ranked] if score is None else list(score(ranker, ranked))
        relevance = table.relevance(target, top=top)
        for s, v in zip(ranked, values, strict=True):
            if not math.isnan(v):
                xs.append(float(v))
                ys.append(float(relevance.get(s.language, 0)))
    if len(xs) < 2:
        raise ValueError("calibrate_relevance needs at least two scored candidates")
    iso = IsotonicRegression(out_of_bounds="clip").fit(xs, ys)
    return [float(x) for x in iso.X_thresholds_], [float(y) for y in iso.y_thresholds_]
