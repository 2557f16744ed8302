"""Transliteration (romanisation) of training or test text as augmentation, so script-mismatched
languages share subwords (Muller et al. 2021, "When Being Unseen from mBERT is just the
Beginning: Handling New Languages With Multilingual Language Models", NAACL; uroman: Hermjakob et
al. 2018). Token tasks are romanised token by token, so labels keep their positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from xlt.augmentation.base import augmenters, with_copies
from xlt.config import MethodConfig
from xlt.errors import ConfigError
from xlt.types import LabeledSentence, TextExample


class TransliterateConfig(MethodConfig):
    method: Literal["transliterate"] = "transliterate"
    scheme: Literal["unidecode", "uroman"] = Field(
        "unidecode", description="unidecode (always installed) or uroman (pip install 'xlt[translit]')."
    )
    keep_original: bool = Field(True, description="Keep the originals and add the romanised copies.")


def _is_latin_or_common(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text)  # Basic Latin .. Latin Extended-B


@augmenters.register(
    "transliterate",
    config=TransliterateConfig,
    reference="Muller et al. 2021, When Being Unseen from mBERT is just the Beginning (NAACL); "
    "Hermjakob et al. 2018, uroman",
)
class Transliterator:
    """Romanise non-Latin text (unidecode or uroman), token by token for labelled sentences."""

    def __init__(self, config: TransliterateConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}

    def _roman(self, text: str) -> str:
        from xlt.vocab.transliterate import transliterate

        if _is_latin_or_common(text):
            return text
        out = " ".join(transliterate(text, self.config.scheme).split())
        return out or text  # a symbol with no romanisation stays as it is

    def augment(self, data: Sequence[Any]) -> list[Any]:
        changed: list[tuple[Any, bool]] = []
        for ex in data:
            if isinstance(ex, LabeledSentence):
                tokens = tuple(self._roman(t).replace(" ", "") or t for t in ex.tokens)
                new: Any = LabeledSentence(
                    tokens, ex.labels, ex.id, {**ex.meta, "augmented": "transliterate"}
                )
                did = tokens != ex.tokens
            elif isinstance(ex, TextExample):
                pair = self._roman(ex.text_pair) if ex.text_pair else ex.text_pair
                new = TextExample(
                    self._roman(ex.text), ex.label, pair, ex.id, {**ex.meta, "augmented": "transliterate"}
                )
                did = new.text != ex.text or pair != ex.text_pair
            else:
                raise ConfigError(f"transliterate: cannot augment a {type(ex).__name__}")
            changed.append((new, did))
        out = with_copies(data, changed, self.config.keep_original)
        self.stats_ = {
            "examples": len(data),
            "changed": sum(did for _, did in changed),
            "output": len(out),
            "scheme": self.config.scheme,
        }
        return out


def romanize(data: Sequence[Any], scheme: Literal["unidecode", "uroman"] = "unidecode") -> list[Any]:
    """``data`` with every non-Latin token or text romanised in place (no copies): the
    target-side use, so that a model trained on Latin-script data reads the target's text."""
    return Transliterator(TransliterateConfig(scheme=scheme, keep_original=False)).augment(data)
