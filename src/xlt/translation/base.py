"""The translator protocol and registry.

A translator turns a list of sentences in language ``src`` into as many sentences in ``tgt``,
in the same order. Backends: ``hf-seq2seq`` (any Hugging Face encoder-decoder: NLLB, M2M-100,
mBART-50, Marian, mT5), ``file`` (translations someone already made, one line per input) and
``openai`` (an OpenAI-compatible chat-completions server such as vLLM or the llama.cpp server).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from xlt.errors import XltError
from xlt.registry import stage_registry
from xlt.types import Lang

#: registered translators (``hf-seq2seq``, ``file``, ``openai``)
translators = stage_registry("translators")


class TranslationError(XltError):
    """A translation backend failed (an HTTP error, a model that cannot be run...)."""


@runtime_checkable
class Translator(Protocol):
    """Translates sentences from ``src`` to ``tgt``."""

    #: whether the backend can translate any text it is given (a file backend cannot: it only
    #: knows the lines of its file); marker projection uses this to choose its fallback
    open_ended: bool
    #: counters of the last :meth:`translate` call (sentences, seconds, empty outputs...)
    stats_: dict[str, Any]

    def translate(self, sentences: Sequence[str], src: Lang, tgt: Lang) -> list[str]:
        """One translation per input sentence, same order (an empty string where the backend
        produced nothing)."""
        ...


def build_translator(spec: str | dict[str, Any] | Any, *, key: str = "translator") -> Translator:
    """A translator from a registered name, a mapping ``{method: NAME, ...options}`` or a
    translator object (returned as is); errors name ``key``."""
    from xlt.errors import ConfigError

    if isinstance(spec, Translator):
        return spec
    if isinstance(spec, str):
        name, options = spec, {}
    elif isinstance(spec, dict):
        options = dict(spec)
        name = options.pop("method", None)
        if not isinstance(name, str):
            raise ConfigError(
                f"{key}: expected a 'method' key naming a translator (valid: {', '.join(translators.names())})"
            )
    else:
        raise ConfigError(f"{key}: expected a translator name or a mapping, got {type(spec).__name__}")
    try:
        return translators.build(name, options)
    except ConfigError as err:
        raise ConfigError(f"{key}: {err.message}", hint=err.hint) from None


def as_lang(text: str | Lang) -> Lang:
    """``text`` resolved by :func:`xlt.languages.resolve`; a code it does not know (a toy or
    private-use language) is kept as given, so file and HTTP backends still work with it."""
    if isinstance(text, Lang):
        return text
    from xlt.errors import UnknownNameError
    from xlt.languages import resolve

    try:
        return resolve(text)
    except UnknownNameError:
        return Lang(code=text, given=text)
