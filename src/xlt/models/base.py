"""The ``TaskModel`` protocol shared by every task backend.

Token tasks (``pos``, ``ner``) train on :class:`~xlt.types.LabeledSentence`
(``None`` labels are unlabelled tokens, e.g. left by projection) and predict one
label per token; ``classification`` trains on :class:`~xlt.types.TextExample`
and predicts one label per example.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, TypeAlias, runtime_checkable

from typing_extensions import Self

from xlt.registry import stage_registry
from xlt.types import LabeledSentence, TextExample

Task: TypeAlias = Literal["pos", "ner", "classification"]
TOKEN_TASKS: tuple[str, ...] = ("pos", "ner")

TrainData: TypeAlias = Sequence[LabeledSentence] | Sequence[TextExample]
Prediction: TypeAlias = list[str] | str


@runtime_checkable
class TaskModel(Protocol):
    """fit / predict / save / load, for token tagging or sentence classification."""

    def fit(self, train: TrainData, dev: TrainData | None = None) -> Self: ...

    def predict(self, data: TrainData) -> list[Prediction]: ...

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path) -> Self: ...


#: registry of task backends (``crf``, ``linear``, ``transformers``)
task_models = stage_registry(
    "task_models", builtins=("xlt.models.crf", "xlt.models.linear", "xlt.models.transformers")
)


#: backend that serves Hugging Face model ids and local model directories
TRANSFORMERS_BACKEND = "transformers"
#: config fields a transformers backend may use for the model id (first one present wins)
_MODEL_ID_FIELDS = ("model", "model_name_or_path", "pretrained", "model_id")


def resolve_model_spec(spec: str | dict, task: str) -> tuple[str, dict]:
    """``crf`` / ``linear`` / ``{method: crf, ...}`` / a HF id or path -> (backend name, options).

    Anything that is not a registered backend name is taken as a Hugging Face model
    id or local path for the ``transformers`` backend.
    """
    from xlt.errors import ConfigError

    if isinstance(spec, dict):
        options = dict(spec)
        name = options.pop("method", None) or options.pop("backend", None)
        if not name:
            raise ConfigError("model: a mapping needs 'method' (crf, linear or transformers)")
        name = str(name)
    else:
        name, options = spec, {}
        if spec not in task_models:
            name = TRANSFORMERS_BACKEND
            options = {"__model_id__": spec}
    if name == TRANSFORMERS_BACKEND and name not in task_models:
        raise ConfigError(
            f"model: {spec!r} needs the transformers backend, which is not available in this installation",
            hint="use model: crf (token tasks) or model: linear (classification) offline",
        )
    if name not in task_models:  # raises UnknownNameError with the valid names
        task_models.entry(name)
    cfg_cls = task_models.entry(name).config
    fields = getattr(cfg_cls, "model_fields", {})
    model_id = options.pop("__model_id__", None)
    if model_id is not None:
        key = next((f for f in _MODEL_ID_FIELDS if f in fields), None)
        if key is None:
            raise ConfigError(f"model: the {name} backend config has no model-id field")
        options[key] = model_id
    if "task" in fields and "task" not in options:
        options["task"] = task
    if name == "crf" and task == "classification":
        raise ConfigError(
            "model: crf tags tokens; use model: linear (or a transformers model) for classification"
        )
    if name == "linear" and task in TOKEN_TASKS:
        raise ConfigError(f"model: linear classifies sentences; use model: crf for the token task {task!r}")
    return name, options


def build_task_model(spec: str | dict, task: str, *, seed: int | None = None) -> TaskModel:
    """Instantiate the backend named by a recipe's ``model`` value (validated config)."""
    from xlt.config import XltConfig

    name, options = resolve_model_spec(spec, task)
    cfg_cls = task_models.entry(name).config
    if seed is not None and "seed" in getattr(cfg_cls, "model_fields", {}) and "seed" not in options:
        options["seed"] = seed
    if cfg_cls is not None and issubclass(cfg_cls, XltConfig):
        fields = cfg_cls.model_fields
        data = {**options}
        if "method" in fields:
            data.setdefault("method", name)
        config = cfg_cls.from_dict(data, source="model")
        return task_models.get(name)(config)
    return task_models.build(name, options)


def load_task_model(path: str | Path) -> TaskModel:
    """Load a saved model directory of any backend (``config.json`` names the backend)."""
    import json

    from xlt.errors import DataNotFoundError

    p = Path(path)
    meta_path = p / "config.json"
    backend = None
    if meta_path.is_file():
        try:
            backend = json.loads(meta_path.read_text(encoding="utf-8")).get("backend")
        except (json.JSONDecodeError, AttributeError):
            backend = None
    if backend is None:
        if TRANSFORMERS_BACKEND in task_models:
            backend = TRANSFORMERS_BACKEND
        else:
            raise DataNotFoundError(f"{p}: not a saved xlt task model (no config.json naming its backend)")
    return task_models.get(backend).load(p)
