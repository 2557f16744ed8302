"""Task-model backends (``crf``, ``linear``, ``transformers``) behind one protocol.

The registry imports the backends on its first lookup (:data:`xlt.models.base.task_models`); the
transformers backend imports torch/transformers lazily, so that stays cheap.
"""

from xlt.models import crf, linear
from xlt.models.base import TaskModel, task_models

__all__ = ["TaskModel", "crf", "linear", "task_models"]
