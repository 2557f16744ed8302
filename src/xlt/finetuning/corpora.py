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

from xlt.errors import DataFormatError
from xlt.io.files import iter_lines, strip_compression_suffix

CorpusFormat = Literal["auto", "text", "conll", "conllu", "tsv", "bible"]


def resolve_data_path(path: str | Path) -> Path:
    """A data reference, the same syntax as a recipe's (:func:`xlt.catalog.resolve.resolve_reference`):
    a catalog id (``ud:English-EWT:train``), ``shared:REL`` (``REL`` under the shared data root,
    ``$XLT_DATA``, which it may not leave), or a path (``.gz`` found too)."""
    from xlt.catalog.resolve import resolve_reference

    return resolve_reference(path)


def detect_format(path: str | Path) -> str:
    """Guess the corpus format of ``path`` from its suffix and first lines."""
    p = resolve_data_path(path)
    name = strip_compression_suffix(p.name).lower()
    if name.endswith(".xml"):
        return "bible"
    if name.endswith(".conllu"):
        return "conllu"
    if name.endswith(".tsv"):
        return "tsv"
    if name.endswith((".conll", ".iob2", ".bio")):
        return "conll"
    sample = []
    for _, line in iter_lines(p):
        sample.append(line)
        if len(sample) >= 200:
            break
    nonempty = [s for s in sample if s.strip()]
    blank = len(sample) - len(nonempty)
    if nonempty and blank and all(len(s.split()) == 2 for s in nonempty):
        return "conll"
    return "text"


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
    p = resolve_data_path(path)
    kind = detect_format(p) if fmt == "auto" else fmt
    if kind == "text":
        for _, line in iter_lines(p):
            yield line.strip()
    elif kind == "conll":
        yield from _conll_texts(p, column=0, comments=False)
    elif kind == "conllu":
        yield from _conllu_texts(p)
    elif kind == "tsv":
        yield from _tsv_texts(p)
    elif kind == "bible":
        yield from _bible_texts(p)
    else:  # pragma: no cover - guarded by the Literal
        raise DataFormatError(p, 0, f"unknown corpus format {kind!r}")


def _conll_texts(p: Path, *, column: int, comments: bool) -> Iterator[str]:
    tokens: list[str] = []
    for _, line in iter_lines(p):
        if not line.strip():
            if tokens:
                yield " ".join(tokens)
                tokens = []
            continue
        if comments and line.startswith("#"):
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) > column:
            tokens.append(fields[column])
    if tokens:
        yield " ".join(tokens)


def _conllu_texts(p: Path) -> Iterator[str]:
    text: str | None = None
    forms: list[str] = []
    for _, line in iter_lines(p):
        if line.startswith("# text ="):
            text = line.split("=", 1)[1].strip()
        elif not line.strip():
            if text or forms:
                yield text if text else " ".join(forms)
            text, forms = None, []
        elif not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) > 1 and fields[0].isdigit():
                forms.append(fields[1])
    if text or forms:
        yield text if text else " ".join(forms)


def _tsv_texts(p: Path) -> Iterator[str]:
    column: int | None = None
    for lineno, line in iter_lines(p):
        fields = line.split("\t")
        if lineno == 1:
            header = [f.strip().lower() for f in fields]
            if "text" in header:
                column = header.index("text")
                continue
            for name in ("sentence", "premise"):
                if name in header:
                    column = header.index(name)
                    break
            if column is not None:
                continue
        if column is None:
            column = len(fields) - 1
        if len(fields) <= column:
            raise DataFormatError(p, lineno, f"expected at least {column + 1} tab-separated fields")
        yield fields[column].strip()


def _bible_texts(p: Path) -> Iterator[str]:
    from xlt.io.parallel import read_bible

    yield from read_bible(p).values()
