"""Task-model backends (``crf``, ``linear``, ``transformers``) behind one protocol."""

from importlib import import_module
from importlib.util import find_spec

from xlt.models import crf, linear  # register the built-in offline backends
from xlt.models.base import TaskModel, task_models

# the transformers backend (model-transfer stage) registers itself when its module is present;
# it imports torch/transformers lazily, so this stays cheap
if find_spec("xlt.models.transformers") is not None:
    import_module("xlt.models.transformers")

__all__ = ["TaskModel", "crf", "linear", "task_models"]
