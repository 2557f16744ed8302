"""Every task of the task-metric table honours the scorer contract (:func:`xlt.testing.metric_checks.check_task_metric`)."""

from __future__ import annotations

import pytest

from xlt.evaluation.tasks import TASK_ALIASES, TASK_METRICS
from xlt.testing.metric_checks import check_task_metric


@pytest.mark.parametrize("task", [*TASK_METRICS, *TASK_ALIASES])
def test_task_metric_conformance(task):
    check_task_metric(task)


def test_a_broken_scorer_fails_the_check(monkeypatch):
    from xlt.evaluation import tasks

    row = tasks.TASK_METRICS["pos"]
    lenient = tasks.TaskMetric("pos", "accuracy", lambda g, p: {"accuracy": 1.0}, row.kind)
    monkeypatch.setitem(tasks.TASK_METRICS, "pos", lenient)
    with pytest.raises(AssertionError, match="worse predictions do not score worse"):
        check_task_metric("pos")
