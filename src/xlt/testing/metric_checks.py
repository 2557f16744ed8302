"""Conformance of the task-metric table (:data:`xlt.evaluation.tasks.TASK_METRICS`): what every
task's scorer must do, as one plain function a plugin author can call for a new row.

:func:`check_task_metric` scores a few gold examples against themselves and against worse
predictions, and checks that the headline score is in ``[0, 1]``, perfect on the gold itself,
lower for each wrong prediction (in the table's direction), counts (``n_*``) whole and
non-negative, that the inputs are left unchanged,
that the bootstrap kind has a scorer, and that mismatched lengths raise a
:class:`~xlt.errors.MismatchError` instead of being scored.
"""

from __future__ import annotations

import copy
from typing import Any

#: gold examples and two ever-worse predictions, per scorer kind
_EXAMPLES: dict[str, tuple[list[Any], list[Any], list[Any]]] = {
    "span_f1": (
        [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG", "O"]],
        [["B-PER", "I-PER", "O", "O"], ["O", "B-ORG", "O"]],
        [["B-PER", "O", "O", "O"], ["O", "O", "O"]],
    ),
    "token_accuracy": (
        [["DET", "NOUN", "VERB"], ["PRON", "VERB"]],
        [["DET", "NOUN", "NOUN"], ["PRON", "VERB"]],
        [["DET", "VERB", "NOUN"], ["NOUN", "VERB"]],
    ),
    "accuracy": (
        ["sport", "health", "science", "sport"],
        ["sport", "health", "sport", "sport"],
        ["health", "health", "sport", "sport"],
    ),
    "macro_f1": (
        ["sport", "health", "science", "sport"],
        ["sport", "health", "sport", "sport"],
        ["health", "health", "sport", "sport"],
    ),
}


def check_task_metric(task: str) -> None:
    """Assert the contract of ``task``'s row of the task-metric table (see the module docstring)."""
    from xlt.errors import MismatchError
    from xlt.evaluation.tasks import SCORERS, task_metric

    row = task_metric(task)
    assert row is not None, f"{task}: not in the task-metric table"
    assert row.kind in SCORERS, f"{task}: bootstrap kind {row.kind!r} has no scorer"
    assert row.kind in _EXAMPLES, f"{task}: no example data for kind {row.kind!r}"
    gold, worse, worst = (copy.deepcopy(x) for x in _EXAMPLES[row.kind])
    before = copy.deepcopy((gold, worse, worst))
    sign = 1 if row.higher_is_better else -1
    scores = [row.scorer(gold, pred) for pred in (gold, worse, worst)]
    heads = [s[row.primary] for s in scores]
    for s in scores:
        assert row.primary in s, f"{task}: the scores have no {row.primary!r} ({sorted(s)})"
        rates = {k: v for k, v in s.items() if not k.startswith("n_")}  # n_*: counts
        assert all(0.0 <= v <= 1.0 for v in rates.values()), f"{task}: a score outside [0, 1]: {s}"
        assert all(v >= 0 and float(v).is_integer() for k, v in s.items() if k.startswith("n_")), s
    assert heads[0] == (1.0 if row.higher_is_better else 0.0), (
        f"{task}: gold against itself scores {heads[0]}"
    )
    assert sign * heads[0] > sign * heads[1] > sign * heads[2], (
        f"{task}: worse predictions do not score worse {heads}"
    )
    assert (gold, worse, worst) == before, f"{task}: the scorer changed its inputs"
    for bad in (gold[:-1], _shorter_item(gold)):
        if bad is None:
            continue
        try:
            row.scorer(gold, bad)
        except MismatchError:
            continue
        raise AssertionError(f"{task}: mismatched predictions were scored instead of refused")


def _shorter_item(gold: list[Any]) -> list[Any] | None:
    """The gold with its first sentence one token short (None for classification labels)."""
    if not gold or not isinstance(gold[0], list):
        return None
    return [gold[0][:-1], *gold[1:]]


__all__ = ["check_task_metric"]
