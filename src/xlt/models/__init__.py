"""Task-model backends (``crf``, ``linear``, ``transformers``) behind one protocol."""

from xlt.models.base import TaskModel, task_models

__all__ = ["TaskModel", "task_models"]
