"""Percentile bootstrap confidence intervals over examples or sentences (Efron & Tibshirani 1993).

Every supported metric is a function of sums of per-unit statistics (an example
for classification, a sentence for tagging): accuracy sums ``correct``, span F1
sums ``(tp, n_pred, n_gold)``, macro-F1 sums per-label counts. A bootstrap
resample is then just a vector of multiplicities over units, so each replicate
recomputes the metric *exactly* as on the resampled data, but in one matrix
product. Resampling is seeded (``numpy.random.default_rng(seed)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from xlt.errors import ConfigError, MismatchError
from xlt.evaluation.metrics import sentence_span_counts
from xlt.evaluation.tasks import MetricKind, task_metric

METRIC_KINDS: tuple[str, ...] = ("accuracy", "macro_f1", "span_f1", "token_accuracy")
#: the key under which each metric kind appears in ``metrics.json``
METRIC_KEYS: dict[str, str] = {
    "accuracy": "accuracy",
    "macro_f1": "macro_f1",
    "span_f1": "f1",
    "token_accuracy": "accuracy",
}

Reducer = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile bootstrap interval."""

    estimate: float
    low: float
    high: float
    level: float = 0.95
    n: int = 0
    n_resamples: int = 0
    metric: str = ""

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def infer_metric(gold: Sequence[Any], task: str | None = None) -> MetricKind:
    """The natural primary metric for a task (``ner`` -> span F1, ``pos`` -> token accuracy,
    classification -> accuracy); without a task, guessed from the gold labels' shape."""
    row = task_metric(task)
    if row is not None:
        return row.kind
    first = next((g for g in gold if g is not None), None)
    if isinstance(first, (list, tuple)):
        tags = {t for s in gold for t in s if t}
        if tags and all(t == "O" or t[:2] in ("B-", "I-") for t in tags):
            return "span_f1"
        return "token_accuracy"
    return "accuracy"


def metric_kind(primary_metric: str | None, gold: Sequence[Any], task: str | None = None) -> MetricKind:
    """The bootstrap metric matching a run's headline ``primary_metric`` (e.g. ``macro_f1`` for a
    sentiment task scored by macro-F1), falling back to :func:`infer_metric`."""
    kind = infer_metric(gold[:200], task)
    if primary_metric == "macro_f1" and kind == "accuracy":
        return "macro_f1"
    return kind


def _check(gold: Sequence[Any], pred: Sequence[Any]) -> None:
    if len(gold) != len(pred):
        raise MismatchError(f"{len(gold)} gold items but {len(pred)} predictions")


def unit_statistics(metric: str, gold: Sequence[Any], pred: Sequence[Any]) -> tuple[np.ndarray, Reducer]:
    """Per-unit statistics ``S`` (n x k) and a reducer mapping column sums (b x k) to metric values (b,).

    :func:`full_score` (``reducer(S.sum(0, keepdims=True))``) is the metric on the full data.
    """
    _check(gold, pred)
    if metric == "accuracy":
        stats = np.array([[float(g == p), 1.0] for g, p in zip(gold, pred, strict=True)]).reshape(-1, 2)
        return stats, _ratio
    if metric == "token_accuracy":
        rows = []
        for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
            if len(g) != len(p):
                raise MismatchError(f"sentence {i}: {len(g)} gold tokens but {len(p)} predicted")
            rows.append((sum(1.0 for a, b in zip(g, p, strict=True) if a == b), float(len(g))))
        return np.array(rows, dtype=float).reshape(-1, 2), _ratio
    if metric == "span_f1":
        return np.array(sentence_span_counts(gold, pred), dtype=float).reshape(-1, 3), _span_f1
    if metric == "macro_f1":
        labels = sorted({str(x) for x in gold} | {str(x) for x in pred})
        index = {lab: i for i, lab in enumerate(labels)}
        n_labels = len(labels)
        stats = np.zeros((len(gold), 3 * n_labels))
        for row, (g, p) in enumerate(zip(gold, pred, strict=True)):
            gi, pi = index[str(g)], index[str(p)]
            stats[row, 2 * n_labels + gi] = 1.0  # gold count
            stats[row, n_labels + pi] = 1.0  # predicted count
            if gi == pi:
                stats[row, gi] = 1.0  # true positive
        return stats, _macro_f1(n_labels)
    raise ConfigError(f"unknown metric {metric!r} (valid: {', '.join(METRIC_KINDS)})")


def _ratio(sums: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sums[:, 1] > 0, sums[:, 0] / np.maximum(sums[:, 1], 1e-300), 0.0)


def _span_f1(sums: np.ndarray) -> np.ndarray:
    denom = sums[:, 1] + sums[:, 2]
    return np.where(denom > 0, 2 * sums[:, 0] / np.maximum(denom, 1e-300), 0.0)


def _macro_f1(n_labels: int) -> Reducer:
    def reduce(sums: np.ndarray) -> np.ndarray:
        tp, n_pred, n_gold = sums[:, :n_labels], sums[:, n_labels : 2 * n_labels], sums[:, 2 * n_labels :]
        denom = n_pred + n_gold
        f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1e-300), 0.0)
        present = n_gold > 0  # macro average over labels present in the gold data, as classification_scores
        counts = present.sum(axis=1)
        return np.where(counts > 0, (f1 * present).sum(axis=1) / np.maximum(counts, 1), 0.0)

    return reduce


def resample_counts(
    n: int, n_resamples: int, rng: np.random.Generator, chunk: int | None = None
) -> Iterator[np.ndarray]:
    """Yield blocks (b x n) of multiplicities: row r counts how often each unit is drawn
    in resample r (n draws with replacement). Blocks hold about 4M cells (32 MB) by default."""
    if chunk is None:
        chunk = max(1, min(256, 4_000_000 // max(n, 1)))
    done = 0
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        draws = rng.integers(0, n, size=(b, n))
        flat = (draws + (np.arange(b) * n)[:, None]).ravel()
        yield np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)
        done += b


def full_score(stats: np.ndarray, reducer: Reducer) -> float:
    """The metric on every unit at once (``nan`` when there are none)."""
    return float(reducer(stats.sum(axis=0, keepdims=True))[0]) if stats.shape[0] else float("nan")


def replicates(stats: np.ndarray, reducer: Reducer, *, n_resamples: int = 1000, seed: int = 0) -> np.ndarray:
    """Bootstrap replicates of the metric (``n_resamples`` values)."""
    if n_resamples < 1:
        raise ConfigError(f"n_resamples must be >= 1, got {n_resamples}")
    n = stats.shape[0]
    if n == 0:
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    out = [reducer(w @ stats) for w in resample_counts(n, n_resamples, rng)]
    return np.concatenate(out)


def percentile_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The ``(1-level)/2`` and ``(1+level)/2`` quantiles (numpy's linear interpolation)."""
    if not 0 < level < 1:
        raise ConfigError(f"confidence level must be in (0, 1), got {level}")
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        return (float("nan"), float("nan"))
    alpha = (1 - level) / 2
    low, high = np.quantile(arr, [alpha, 1 - alpha])
    return float(low), float(high)


def bootstrap_ci(
    gold: Sequence[Any],
    pred: Sequence[Any],
    metric: str = "accuracy",
    *,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of ``metric`` over examples (or sentences for tagging)."""
    return bootstrap_cis(gold, pred, [metric], n_resamples=n_resamples, level=level, seed=seed)[metric]


def bootstrap_cis(
    gold: Sequence[Any],
    pred: Sequence[Any],
    metrics: Sequence[str],
    *,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, Interval]:
    """:func:`bootstrap_ci` of several metrics from one set of resamples (the same intervals as
    separate calls with the same seed, at the cost of one)."""
    parts = [unit_statistics(metric, gold, pred) for metric in metrics]
    n = len(gold)
    if n == 0:
        return {m: Interval(float("nan"), float("nan"), float("nan"), level, 0, 0, m) for m in metrics}
    # every metric's unit statistics side by side: one matrix product per block of resamples
    stats = np.hstack([s for s, _ in parts])
    bounds = np.cumsum([0, *(s.shape[1] for s, _ in parts)])
    reps = replicates(stats, lambda sums: sums, n_resamples=n_resamples, seed=seed)
    out = {}
    for i, (metric, (s, reducer)) in enumerate(zip(metrics, parts, strict=True)):
        low, high = percentile_interval(reducer(reps[:, bounds[i] : bounds[i + 1]]), level)
        out[metric] = Interval(full_score(s, reducer), low, high, level, n, n_resamples, metric)
    return out


def per_language_ci(
    records: Sequence[dict[str, Any]],
    metric: str | None = None,
    *,
    task: str | None = None,
    default_lang: str = "all",
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, Interval]:
    """One interval per language from prediction records (``{"lang", "gold", "pred"}``).

    Records without ``lang`` are grouped under ``default_lang`` (e.g. the run's target).
    """
    groups: dict[str, tuple[list[Any], list[Any]]] = {}
    for rec in records:
        g, p = groups.setdefault(str(rec.get("lang") or default_lang), ([], []))
        g.append(rec["gold"])
        p.append(rec["pred"])
    out = {}
    for lang in sorted(groups):
        gold, pred = groups[lang]
        kind = metric or infer_metric(gold, task)
        out[lang] = bootstrap_ci(gold, pred, kind, n_resamples=n_resamples, level=level, seed=seed)
    return out
