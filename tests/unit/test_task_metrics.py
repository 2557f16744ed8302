"""The one task-metric table and the places that read it."""

from __future__ import annotations

import pytest

from xlt.evaluation.bootstrap import METRIC_KEYS, infer_metric
from xlt.evaluation.scoring import task_scores
from xlt.evaluation.tasks import TASK_ALIASES, TASK_METRICS, primary_score, task_metric
from xlt.finetuning.trainer import main_score
from xlt.finetuning.trainer import score_examples as selection_scores


def test_every_alias_points_into_the_table() -> None:
    assert set(TASK_ALIASES.values()) <= set(TASK_METRICS)
    assert task_metric("sentiment") is TASK_METRICS["classification"]
    assert task_metric("chunking").primary == "f1"
    assert task_metric("parsing") is None and task_metric(None) is None


@pytest.mark.parametrize(
    ("task", "gold", "pred"),
    [
        ("ner", [["B-PER", "O", "B-LOC"]], [["B-PER", "O", "O"]]),
        ("pos", [["NOUN", "VERB", "DET"]], [["NOUN", "NOUN", "DET"]]),
        ("classification", ["a", "b", "b", "a"], ["a", "b", "a", "a"]),
    ],
)
def test_selection_bootstrap_and_headline_agree(task, gold, pred) -> None:
    row = TASK_METRICS[task]
    scores = task_scores(task, gold, pred)
    assert infer_metric(gold, task) == row.kind  # the bootstrap resamples the headline metric
    assert METRIC_KEYS[row.kind] == row.primary  # ...and reports it under the same key
    assert main_score(task, scores) == primary_score(task, scores) == scores[row.primary]
    assert row.scorer(gold, pred)[row.primary] == scores[row.primary]  # the table's scorer is the one used
    assert selection_scores(task, gold, pred)[row.primary] == scores[row.primary]  # checkpoint selection too
    assert row.higher_is_better
    expected = {"ner": 0.6667, "pos": 0.6667, "classification": 0.75}[task]
    assert scores[row.primary] == pytest.approx(expected, abs=1e-4)


def test_unknown_task_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown task 'parsing'"):
        primary_score("parsing", {"accuracy": 1.0})
