"""A Unicode-aware word/punctuation tokenizer for raw text (Bible verses, user sentences).

Rules, for any script:

* a word is a run of letters, combining marks and digits (``\\p{L}\\p{M}\\p{N}``); combining
  marks keep Indic/Ethiopic/Armenian syllables whole;
* apostrophes (``'`` ``’`` ``ʼ``), hyphens and Armenian in-word marks (``՛ ՜ ՞ ՝``) stay
  inside a word when a letter follows them (*don't*, *k'o*, *well-known*, *Ո՞վ*); the
  modifier-letter apostrophe ``ʼ`` is a letter and always stays;
* numbers keep their internal separators (``1,000.5``, ``3:16``);
* every other non-space character is its own token (punctuation, symbols, Ge'ez ``።``
  and ``፡``, Armenian ``։``), except runs of the same character (``...``, ``!!``);
* Han, Hiragana and Katakana characters are split one per token (no spaces in those scripts).

It is a pure function of the text (no language setting), fast enough for whole Bibles.
"""

from __future__ import annotations

import regex

_JOIN = r"['’\-‐‑\u055B-\u055E]"
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}"
_WORD_CHAR = rf"[\p{{L}}\p{{M}}\p{{N}}\p{{Pc}}--[{_CJK}]]"
_TOKEN = regex.compile(
    rf"""
    \p{{N}}+(?:[.,:/]\p{{N}}+)*(?:{_JOIN}{_WORD_CHAR}+)*     # numbers: 1,000.5  3:16
    | {_WORD_CHAR}+(?:{_JOIN}{_WORD_CHAR}+)*                 # words with inner ' - marks
    | [{_CJK}]\p{{M}}*                                        # one CJK character
    | (\S)\1*                                                 # punctuation / symbol runs
    """,
    regex.VERBOSE | regex.V1,
)


def tokenize(text: str) -> list[str]:
    """Split raw text into word and punctuation tokens (see the module docstring)."""
    return [m.group(0) for m in _TOKEN.finditer(text)]


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """:func:`tokenize` with each token's character offsets: (token, start, end)."""
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def detokenize(tokens: list[str] | tuple[str, ...]) -> str:
    """Join tokens with single spaces (the inverse used for display, not exact)."""
    return " ".join(tokens)
