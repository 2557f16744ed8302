"""The one table of what each task is scored by.

Every place that needs a task's headline number reads it here: checkpoint selection
(:func:`xlt.finetuning.trainer.main_score`), bootstrap confidence intervals
(:func:`xlt.evaluation.bootstrap.infer_metric`), run directories and recipes
(:func:`xlt.evaluation.scoring.task_scores`, the pipeline's final metrics). Span F1 for
named entities is the CoNLL-2003 strict-match F1 (Tjong Kim Sang & De Meulder 2003), token
accuracy for part-of-speech tagging, accuracy for classification.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from xlt.evaluation.metrics import classification_scores, span_prf, token_accuracy

MetricKind = Literal["accuracy", "macro_f1", "span_f1", "token_accuracy"]

#: ``scorer(gold, pred) -> scores``: the headline scores of one metric kind over a whole set
Scorer = Callable[[Sequence[Any], Sequence[Any]], dict[str, float]]

#: the scorer of each bootstrap kind (accuracy and macro-F1 both come from the classification scores)
SCORERS: dict[MetricKind, Scorer] = {
    "span_f1": span_prf,
    "token_accuracy": token_accuracy,
    "accuracy": classification_scores,
    "macro_f1": classification_scores,
}


@dataclass(frozen=True)
class TaskMetric:
    """How one task is scored: the key of its headline score in the scores dict, the function
    computing those scores, the bootstrap resampling kind, and the direction (every headline
    score here is higher-is-better)."""

    task: str
    primary: str
    scorer: Scorer
    kind: MetricKind
    higher_is_better: bool = True


TASK_METRICS: dict[str, TaskMetric] = {
    "ner": TaskMetric("ner", "f1", span_prf, "span_f1"),
    "pos": TaskMetric("pos", "accuracy", token_accuracy, "token_accuracy"),
    "classification": TaskMetric("classification", "accuracy", classification_scores, "accuracy"),
}

#: other task names users and older run directories give, mapped onto the table's tasks
TASK_ALIASES: dict[str, str] = {
    "span": "ner",
    "chunking": "ner",
    "tagging": "pos",
    "nli": "classification",
    "topic": "classification",
    "sentiment": "classification",
}


def task_metric(task: str | None) -> TaskMetric | None:
    """The table row of ``task`` (or of its alias); ``None`` for an unknown or missing task."""
    if task is None:
        return None
    return TASK_METRICS.get(TASK_ALIASES.get(task, task))


def primary_score(task: str, scores: Mapping[str, float]) -> float:
    """The headline number of ``task`` in ``scores`` (the one checkpoint selection maximises)."""
    row = task_metric(task)
    if row is None:
        raise KeyError(f"unknown task {task!r}; known: {sorted(TASK_METRICS)}")
    return scores[row.primary]
