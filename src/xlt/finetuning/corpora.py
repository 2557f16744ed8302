"""Raw text from the corpus formats found in ``../shared/data``, for (continued) pretraining.

Formats (chosen by ``fmt`` or detected from the file name and first lines):

- ``text``: one sentence per line;
- ``conll``: ``token TAG`` lines with blank lines between sentences (MasakhaNER,
  MasakhaPOS); the tokens of a sentence are joined by spaces;
- ``conllu``: the ``# text =`` comment, or the FORM column when it is missing;
- ``tsv``: a header row naming a ``text`` column (SIB-200), or ``id<TAB>text`` rows
  (verse TSVs);
- ``bible``: CES XML with ``<seg id=...>`` verses (the Bible corpus).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from xlt.io.files import strip_compression_suffix

CorpusFormat = Literal["auto", "text", "conll", "conllu", "tsv", "bible"]


def resolve_data_path(path: str | Path) -> Path:
    """A data reference, the same syntax as a recipe's (:func:`xlt.catalog.resolve.resolve_reference`):
    a catalog id (``ud:English-EWT:train``), ``shared:REL`` (``REL`` under the shared data root,
    ``$XLT_DATA``, which it may not leave), or a path (``.gz`` found too)."""
    from xlt.catalog.resolve import resolve_reference

    return resolve_reference(path)


def detect_format(path: str | Path) -> str:
    """The corpus format of ``path``, as :func:`xlt.io.texts.text_kind` tells it (a ``.tsv`` file
    is ``tsv`` here, whatever its columns)."""
    from xlt.io.texts import text_kind

    p = resolve_data_path(path)
    return "tsv" if strip_compression_suffix(p.name).lower().endswith(".tsv") else text_kind(p)


def read_texts(path: str | Path, *, fmt: CorpusFormat = "auto", limit: int | None = None) -> list[str]:
    """All texts of one corpus file (at most ``limit``), empty ones dropped."""
    out: list[str] = []
    for text in iter_texts(path, fmt=fmt):
        if text:
            out.append(text)
            if limit is not None and len(out) >= limit:
                break
    return out


def iter_texts(path: str | Path, *, fmt: CorpusFormat = "auto") -> Iterator[str]:
    """The texts of a corpus file, read by :func:`xlt.io.texts.iter_texts` (``tsv``: the text
    column of a TSV, or its last one)."""
    from xlt.io import texts

    p = resolve_data_path(path)
    if fmt == "tsv":
        yield from texts.tsv_texts(p)
    else:
        yield from texts.iter_texts(p, "auto" if fmt == "auto" else fmt)
