"""Bilingual dictionaries used as lexical priors for statistical alignment.

Formats: ``hunalign`` (one entry per line, ``<target> @ <source>``, as in the
MUSE dictionaries converted for hunalign), ``tsv`` (``<source><TAB><target>``,
e.g. WECHSEL/Wiktionary lists) and ``muse`` (``<source> <target>``, space
separated). Multi-word entries are skipped: alignment priors are word to word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from xlt.errors import DataFormatError
from xlt.io.files import iter_lines

DictionaryFormat = Literal["auto", "hunalign", "tsv", "muse"]


def _detect(line: str) -> str:
    if " @ " in line:
        return "hunalign"
    if "\t" in line:
        return "tsv"
    return "muse"


def iter_dictionary(path: str | Path, fmt: DictionaryFormat = "auto") -> Iterator[tuple[str, str]]:
    """Yield ``(source_word, target_word)`` entries (the source is the first side of the
    aligned pairs, e.g. English for MUSE ``en-xx`` files)."""
    kind: str | None = None if fmt == "auto" else fmt
    for lineno, line in iter_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        if kind is None:
            kind = _detect(line)
        if kind == "hunalign":
            parts = line.split(" @ ")
            if len(parts) != 2:
                raise DataFormatError(path, lineno, "expected '<target> @ <source>' (hunalign dictionary)")
            tgt, src = parts[0].strip(), parts[1].strip()
        elif kind == "tsv":
            parts = line.split("\t")
            if len(parts) < 2:
                raise DataFormatError(path, lineno, "expected '<source><TAB><target>'")
            src, tgt = parts[0].strip(), parts[1].strip()
        else:
            parts = line.split()
            if len(parts) != 2:
                continue  # multi-word entry
            src, tgt = parts
        if not src or not tgt or " " in src or " " in tgt:
            continue
        yield src, tgt
