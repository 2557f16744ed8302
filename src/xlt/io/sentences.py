"""Token-only sentences (the target side of projection) from any of the text formats xlt reads."""

from __future__ import annotations

from pathlib import Path

from xlt.types import Sentence

#: the values ``fmt`` takes in :func:`read_target_tokens`
TARGET_FORMATS = ("auto", "conll", "conllu", "parallel", "lines")


def read_target_tokens(path: Path, fmt: str = "auto") -> list[Sentence]:
    """Target sentences from CoNLL-U, CoNLL (token per line), ``src ||| tgt`` or plain tokenised
    lines (``lines``), read by :func:`xlt.io.texts.iter_tokens`."""
    from xlt.errors import ConfigError
    from xlt.io.texts import iter_tokens

    if fmt not in TARGET_FORMATS:
        raise ConfigError(f"--target-format {fmt!r}: expected auto, conll, conllu, parallel or lines")
    return list(iter_tokens(path, "text" if fmt == "lines" else fmt))
