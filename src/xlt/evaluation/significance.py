"""Paired bootstrap significance test between two systems on the same test set.

Koehn (2004), "Statistical Significance Tests for Machine Translation Evaluation";
Berg-Kirkpatrick, Burkett & Klein (2012), "An Empirical Investigation of Statistical
Significance in NLP". Both systems are scored on the *same* resamples of the test
units. With observed gain ``d = m(A) - m(B) > 0``, the p-value of the null
hypothesis "A is not better than B" is the fraction of resamples whose gain
exceeds ``2 d`` (the resampled gains are centred on ``d``, not on 0).
Koehn's win rate (fraction of resamples where A beats B) is reported too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from xlt.errors import ConfigError, MismatchError
from xlt.evaluation.bootstrap import full_score, percentile_interval, resample_counts, unit_statistics


@dataclass(frozen=True)
class PairedTest:
    """Outcome of a paired bootstrap test of system A against system B."""

    metric: str
    score_a: float
    score_b: float
    delta: float  # score_a - score_b
    p_value: float  # H0: the better-scoring system is not better
    better: str  # "a", "b" or "tie"
    win_rate_a: float  # Koehn 2004: share of resamples where A > B
    delta_low: float
    delta_high: float
    n: int
    n_resamples: int
    level: float = 0.95

    def significant(self, alpha: float = 0.05) -> bool:
        return self.better != "tie" and self.p_value < alpha

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def paired_bootstrap(
    gold: Sequence[Any],
    pred_a: Sequence[Any],
    pred_b: Sequence[Any],
    metric: str = "accuracy",
    *,
    n_resamples: int = 10000,
    level: float = 0.95,
    seed: int = 0,
) -> PairedTest:
    """Paired bootstrap test; ``gold``/``pred_*`` are aligned examples (or sentences)."""
    if len(pred_a) != len(gold) or len(pred_b) != len(gold):
        raise MismatchError(
            f"paired test needs aligned outputs: {len(gold)} gold, {len(pred_a)} from A, {len(pred_b)} from B"
        )
    if n_resamples < 1:
        raise ConfigError(f"n_resamples must be >= 1, got {n_resamples}")
    # both systems' units in one call: one statistics layout (e.g. one macro-F1 label index
    # when the systems predict different label sets) and one reducer for both
    n = len(gold)
    stats, reducer = unit_statistics(metric, [*gold, *gold], [*pred_a, *pred_b])
    sa, sb = stats[:n], stats[n:]
    score_a, score_b = full_score(sa, reducer), full_score(sb, reducer)
    delta = score_a - score_b
    if n == 0:
        return PairedTest(metric, score_a, score_b, delta, 1.0, "tie", 0.0, 0.0, 0.0, 0, 0, level)
    rng = np.random.default_rng(seed)
    gains = np.concatenate([reducer(w @ sa) - reducer(w @ sb) for w in resample_counts(n, n_resamples, rng)])
    eps = 1e-12  # gains equal to 2d up to rounding do not exceed it
    if delta > eps:
        better, p_value = "a", float(np.mean(gains > 2 * delta + eps))
    elif delta < -eps:
        better, p_value = "b", float(np.mean(gains < 2 * delta - eps))
    else:
        better, p_value = "tie", 1.0
    low, high = percentile_interval(gains, level)
    return PairedTest(
        metric,
        score_a,
        score_b,
        delta,
        p_value,
        better,
        float(np.mean(gains > 0)),
        low,
        high,
        n,
        n_resamples,
        level,
    )
