"""Machine translation for data transfer: the :class:`Translator` protocol and its backends
(``hf-seq2seq``, ``file``, ``openai``), and translation-based label projection (``markers``,
EasyProject; ``constrained``, Codec)."""

from xlt.translation import candidates, constrained, files, hf, markers, openai  # noqa: F401  (registers the methods)
from xlt.translation.base import TranslationError, Translator, build_translator, translators
from xlt.translation.projection import TranslationProjector, translation_projectors

__all__ = [
    "TranslationError",
    "TranslationProjector",
    "Translator",
    "build_translator",
    "translation_projectors",
    "translators",
]
