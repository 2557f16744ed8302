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
task_models = stage_registry("task_models")
