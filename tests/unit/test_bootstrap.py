"""Golden tests for bootstrap intervals and the paired bootstrap test."""

from __future__ import annotations

import random

import numpy as np
import pytest

from xlt.errors import ConfigError, MismatchError
from xlt.evaluation.bootstrap import (
    bootstrap_ci,
    bootstrap_cis,
    infer_metric,
    per_language_ci,
    percentile_interval,
    resample_counts,
    unit_statistics,
)
from xlt.evaluation.metrics import classification_scores, span_prf, token_accuracy
from xlt.evaluation.significance import paired_bootstrap


def test_percentile_interval_hand_computed() -> None:
    # values 0..99; 5% and 95% quantiles with linear interpolation: 0.05*99 = 4.95, 0.95*99 = 94.05
    assert percentile_interval(list(range(100)), 0.90) == pytest.approx((4.95, 94.05))
    with pytest.raises(ConfigError):
        percentile_interval([1.0], 1.5)


def test_hand_resample_of_accuracy() -> None:
    # units correct = [1, 0, 1, 1]; resample (0, 1, 1, 3) has multiplicities [1, 2, 0, 1] -> 2/4
    stats, reduce = unit_statistics("accuracy", ["a", "b", "a", "c"], ["a", "x", "a", "c"])
    weights = np.array([[1, 2, 0, 1], [0, 0, 4, 0], [0, 4, 0, 0]], dtype=float)
    assert reduce(weights @ stats).tolist() == [0.5, 1.0, 0.0]


@pytest.mark.parametrize("metric", ["accuracy", "macro_f1", "span_f1", "token_accuracy"])
def test_replicates_equal_metric_recomputed_on_resampled_data(metric: str) -> None:
    rng = random.Random(3)
    if metric in ("accuracy", "macro_f1"):
        gold = [rng.choice("abcd") for _ in range(40)]
        pred = [g if rng.random() < 0.6 else rng.choice("abcde") for g in gold]

        def ref(g, p):
            return classification_scores(g, p)["accuracy" if metric == "accuracy" else "macro_f1"]
    else:
        tags = ["O", "B-PER", "I-PER", "B-LOC"]
        gold = [[rng.choice(tags) for _ in range(rng.randint(1, 8))] for _ in range(40)]
        pred = [[t if rng.random() < 0.7 else rng.choice(tags) for t in s] for s in gold]

        def ref(g, p):
            return span_prf(g, p)["f1"] if metric == "span_f1" else token_accuracy(g, p)["accuracy"]

    stats, reduce = unit_statistics(metric, gold, pred)
    gen = np.random.default_rng(0)
    for _ in range(5):
        idx = gen.integers(0, len(gold), len(gold))
        w = np.bincount(idx, minlength=len(gold)).astype(float)[None, :]
        assert reduce(w @ stats)[0] == pytest.approx(ref([gold[i] for i in idx], [pred[i] for i in idx]))


def test_accuracy_interval_matches_normal_approximation() -> None:
    # p = 0.7, n = 400: standard error sqrt(.7*.3/400) = 0.022913; 95% CI ~ 0.7 -+ 1.96*se = [0.6551, 0.7449]
    gold = ["y"] * 400
    pred = ["y"] * 280 + ["n"] * 120
    ci = bootstrap_ci(gold, pred, "accuracy", n_resamples=4000, seed=1)
    assert ci.estimate == pytest.approx(0.7)
    assert ci.low == pytest.approx(0.6551, abs=0.01) and ci.high == pytest.approx(0.7449, abs=0.01)
    assert ci == bootstrap_ci(gold, pred, "accuracy", n_resamples=4000, seed=1)  # seeded
    assert ci != bootstrap_ci(gold, pred, "accuracy", n_resamples=4000, seed=2)


def test_resample_counts_sum_to_n() -> None:
    blocks = list(resample_counts(7, 600, np.random.default_rng(0), chunk=256))
    assert [b.shape for b in blocks] == [(256, 7), (256, 7), (88, 7)]
    assert all((b.sum(axis=1) == 7).all() for b in blocks)


def test_paired_bootstrap_p_value_hand_computed() -> None:
    # A is right on all 10 examples, B wrong on one: d = 0.1. A resample's gain is k/10 where k ~ Bin(10, 0.1)
    # counts the draws of the differing example; p = P(gain > 2d) = P(k >= 3)
    # = 1 - .9^10 - 10*.1*.9^9 - 45*.01*.9^8 = 1 - .348678 - .387420 - .193710 = 0.070191
    gold = ["a"] * 10
    test = paired_bootstrap(gold, ["a"] * 10, ["a"] * 9 + ["b"], n_resamples=40000, seed=0)
    assert test.delta == pytest.approx(0.1) and test.better == "a"
    assert test.p_value == pytest.approx(0.070191, abs=0.004)
    # Koehn's win rate: P(k >= 1) = 1 - .9^10 = 0.651322
    assert test.win_rate_a == pytest.approx(0.651322, abs=0.008)
    flipped = paired_bootstrap(gold, ["a"] * 9 + ["b"], ["a"] * 10, n_resamples=40000, seed=0)
    assert flipped.better == "b" and flipped.p_value == pytest.approx(test.p_value, abs=1e-9)
    same = paired_bootstrap(gold, gold, gold, n_resamples=100)
    assert same.better == "tie" and same.p_value == 1.0 and not same.significant()


def test_paired_bootstrap_clear_difference_is_significant() -> None:
    gold = ["a", "b"] * 100
    good = list(gold)
    bad = ["a"] * 200
    test = paired_bootstrap(gold, good, bad, "macro_f1", n_resamples=2000)
    assert test.significant() and test.p_value == 0.0
    with pytest.raises(MismatchError):
        paired_bootstrap(gold, good, bad[:-1])


@pytest.mark.parametrize("metric", ["accuracy", "macro_f1", "span_f1", "token_accuracy"])
def test_paired_bootstrap_scores_equal_the_metric_of_each_system(metric: str) -> None:
    # system B predicts a label ("z") that neither gold nor A uses: scores must still be exact
    if metric in ("accuracy", "macro_f1"):
        gold = ["a", "b", "c", "a", "b"]
        pred_a, pred_b = ["a", "b", "a", "a", "c"], ["z", "b", "c", "z", "a"]
        scores = [classification_scores(gold, p)[metric] for p in (pred_a, pred_b)]
    else:
        gold = [["B-PER", "I-PER", "O"], ["O", "B-LOC"]]
        pred_a, pred_b = [["B-PER", "I-PER", "O"], ["O", "O"]], [["B-PER", "O", "O"], ["O", "B-LOC"]]
        if metric == "span_f1":
            scores = [span_prf(gold, p)["f1"] for p in (pred_a, pred_b)]
        else:
            scores = [token_accuracy(gold, p)["accuracy"] for p in (pred_a, pred_b)]
    test = paired_bootstrap(gold, pred_a, pred_b, metric, n_resamples=50)
    assert (test.score_a, test.score_b) == pytest.approx(scores)
    assert test.delta == pytest.approx(scores[0] - scores[1])


def test_bootstrap_cis_equal_separate_seeded_calls() -> None:
    rng = random.Random(5)
    gold = [rng.choice("abc") for _ in range(60)]
    pred = [g if rng.random() < 0.6 else rng.choice("abcd") for g in gold]
    both = bootstrap_cis(gold, pred, ["accuracy", "macro_f1"], n_resamples=500, seed=4)
    for metric in ("accuracy", "macro_f1"):
        assert both[metric] == bootstrap_ci(gold, pred, metric, n_resamples=500, seed=4)
        assert both[metric].low < both[metric].estimate < both[metric].high


def test_per_language_ci_groups_and_infers_metric() -> None:
    recs = [{"lang": "wol", "gold": "a", "pred": "a"}, {"lang": "wol", "gold": "b", "pred": "a"}]
    recs += [{"gold": ["B-PER", "O"], "pred": ["B-PER", "O"]}] * 3
    out = per_language_ci(recs, default_lang="hau", n_resamples=200)
    assert set(out) == {"wol", "hau"}
    assert out["wol"].metric == "accuracy" and out["wol"].estimate == 0.5
    assert out["hau"].metric == "span_f1" and out["hau"].estimate == 1.0 == out["hau"].low
    assert infer_metric([["NOUN", "VERB"]]) == "token_accuracy"
    assert infer_metric(["x"], task="ner") == "span_f1"
