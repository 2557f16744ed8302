"""Golden tests for per-label scores, strict IOB2 spans and seed aggregation."""

from __future__ import annotations

import random

import pytest

from xlt.evaluation.aggregate import group_mean_std, mean_std
from xlt.evaluation.metrics import (
    classification_scores,
    f1_from_counts,
    iob2_spans,
    per_label_prf,
    sentence_span_counts,
    span_prf,
)


def test_per_label_prf_hand_computed() -> None:
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    out = per_label_prf(gold, pred)
    # a: tp 1, predicted 2, gold 2 -> P .5 R .5 F .5 ; b: tp 2, pred 3, gold 2 -> P 2/3 R 1 F .8 ; c: 0
    assert out["a"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2.0})
    assert out["b"]["precision"] == pytest.approx(2 / 3)
    assert out["b"]["f1"] == pytest.approx(0.8)
    assert out["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1.0}
    assert classification_scores(gold, pred)["macro_f1"] == pytest.approx((0.5 + 0.8 + 0) / 3)


def test_iob2_spans_strict() -> None:
    tags = ["B-PER", "I-PER", "O", "I-LOC", "B-ORG", "I-LOC", "B-LOC", None, "B-PER"]
    # I-LOC after O starts nothing (strict); I-LOC after B-ORG closes ORG and starts nothing
    assert iob2_spans(tags) == {("PER", 0, 2), ("ORG", 4, 5), ("LOC", 6, 7), ("PER", 8, 9)}


def test_span_counts_agree_with_seqeval_strict() -> None:
    rng = random.Random(7)
    vocab = ["O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG", "B-ORG"]
    gold = [[rng.choice(vocab) for _ in range(rng.randint(1, 12))] for _ in range(300)]
    pred = [[t if rng.random() < 0.7 else rng.choice(vocab) for t in s] for s in gold]
    counts = sentence_span_counts(gold, pred)
    tp, n_pred, n_gold = (sum(c[i] for c in counts) for i in range(3))
    ref = span_prf(gold, pred)
    assert f1_from_counts(tp, n_pred, n_gold) == pytest.approx(ref["f1"])
    assert n_gold == ref["n_gold_spans"]


def test_mean_std_hand_computed() -> None:
    s = mean_std([0.5, 0.7, 0.9])
    assert s.mean == pytest.approx(0.7) and s.std == pytest.approx(0.2) and s.n == 3
    assert s.format() == "70.0 ± 20.0"
    one = mean_std([0.25, float("nan")])
    assert (one.mean, one.std, one.n, one.format()) == (0.25, 0.0, 1, "25.0")
    assert mean_std([]).n == 0
    groups = group_mean_std([("x", 1.0), ("x", 3.0), ("y", 2.0)], key=lambda t: t[0], value=lambda t: t[1])
    assert groups["x"].mean == 2.0 and groups["x"].std == pytest.approx(2**0.5) and groups["y"].n == 1
