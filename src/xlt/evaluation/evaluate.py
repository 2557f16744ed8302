"""Old import location of :mod:`xlt.evaluation.scoring`, kept for one release.

``evaluate(task, gold, pred, ...)`` is :func:`xlt.evaluation.scoring.score_predictions`.
"""

from xlt.evaluation.scoring import score_predictions, task_scores

#: deprecated alias of :func:`score_predictions` (one release)
evaluate = score_predictions

__all__ = ["evaluate", "score_predictions", "task_scores"]
