"""The augmenter protocol and registry: transformations of (source) training data that make
it look more like the target language (code-switching, transliteration)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

from xlt.errors import ConfigError, UnknownNameError
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


def build_augmenters(
    specs: Sequence[dict[str, Any]], *, seed: int | None = None, key: str = "augment"
) -> list[Any]:
    """Augmenters from their specs (``{method: NAME, **options}``), in order; ``seed`` fills the
    ``seed`` option of the methods that take one and were not given one. Errors name ``key.N``."""
    out = []
    for k, spec in enumerate(specs):
        options = dict(spec)
        name = options.pop("method", None)
        if not isinstance(name, str):
            raise ConfigError(f"{key}.{k}: expected a 'method' key (valid: {', '.join(augmenters.names())})")
        try:
            cfg_cls = augmenters.config_class(name)
        except UnknownNameError as err:
            raise ConfigError(f"{key}.{k}: {err.message}", hint=err.hint) from None
        if seed is not None and "seed" in cfg_cls.model_fields:
            options.setdefault("seed", seed)
        config = cfg_cls.from_dict({**options, "method": name}, source=f"{key}.{k}")
        out.append(augmenters.get(name)(config))
    return out


def apply_augmenters(
    augs: Sequence[Augmenter], data: Sequence[Any]
) -> tuple[list[Any], list[dict[str, Any]]]:
    """``data`` through every augmenter in turn, and each one's ``stats_``."""
    out, stats = list(data), []
    for aug in augs:
        out = aug.augment(out)
        stats.append(dict(aug.stats_))
    return out, stats
