"""The augmenter protocol and registry: transformations of (source) training data that make
it look more like the target language (code-switching, transliteration)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from xlt.registry import stage_registry
from xlt.types import LabeledSentence, TextExample

#: registered augmenters (``codeswitch``, ``transliterate``)
augmenters = stage_registry("augmenters")

Example = TypeVar("Example", LabeledSentence, TextExample)


@runtime_checkable
class Augmenter(Protocol):
    """Returns the training data with augmented copies (or replacements); seeded."""

    stats_: dict[str, Any]

    def augment(self, data: Sequence[Any]) -> list[Any]:
        """Labelled sentences or text examples in, the same kind out (originals first when kept)."""
        ...


def with_copies(original: Sequence[Any], changed: list[tuple[Any, bool]], keep_original: bool) -> list[Any]:
    """Originals plus the changed copies (``keep_original``), or the copies in place of them;
    examples the augmenter left unchanged are not duplicated."""
    if not keep_original:
        return [new for new, _ in changed]
    return [*original, *(new for new, did in changed if did)]
