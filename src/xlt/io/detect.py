"""Guess the format ("kind") of a data file from its name and, failing that, its first lines.

Kinds: ``conll``, ``conllu``, ``parallel``, ``bible``, ``pharaoh``, ``naacl``, ``xlwa``,
``classification``, ``table``. Ambiguous files raise :class:`UnknownFormatError`
(a :class:`DataFormatError`) asking for an explicit kind instead of guessing.
"""

from __future__ import annotations

import re
from pathlib import Path

from xlt.errors import DataFormatError
from xlt.io.files import iter_lines, open_binary, resolve_path, strip_compression_suffix

KINDS = ("conll", "conllu", "parallel", "bible", "pharaoh", "naacl", "xlwa", "classification", "table")

_BY_SUFFIX = {
    ".conllu": "conllu",
    ".iob2": "conll",
    ".conll": "conll",
    ".conll02": "conll",
    ".conll03": "conll",
    ".bio": "conll",
    ".iob": "conll",
    ".xml": "bible",
    ".jsonl": "classification",
    ".ndjson": "classification",
    ".json": "classification",
    ".gold": "pharaoh",
    ".wa": "pharaoh",
    ".talp": "pharaoh",
    ".align": "pharaoh",
    ".pharaoh": "pharaoh",
    ".src-tgt": "parallel",
}
_LINKS = re.compile(r"^\s*(\d+[-p?]\d+(-[\d.]+)?\s*)*$")
_NAACL = re.compile(r"^\d+\s+\d+\s+\d+(\s+[SPsp])?(\s+[\d.]+)?\s*$")
_VERSE = re.compile(r"^b\.[A-Z0-9]+\.\d+\.\d+$")
_ID = re.compile(r"^([1-9]\d*|[1-9]\d*-\d+|\d+\.\d+)$")


def _first_field(path: Path) -> str:
    """The first tab-separated field of the first non-blank line, or ``""``."""
    for _, line in iter_lines(path):
        if line.strip():
            return line.split("\t", 1)[0].strip()
    return ""


def looks_like_bible(path: str | Path) -> bool:
    """Whether a file is a Bible: CES XML, a ``*.verses.tsv`` name, or ``verse_id<TAB>text`` lines.

    The one test used both by :func:`detect_kind` and by :func:`xlt.io.parallel.read_parallel`
    (which joins two Bibles by verse id instead of by line), so the two never disagree.
    """
    p = resolve_path(path)
    name = strip_compression_suffix(p.name).lower()
    if name.endswith(".verses.tsv") or name.endswith(".xml"):
        return True
    with open_binary(p) as fh:
        if fh.read(512).lstrip().startswith(b"<"):
            return True
    head = _first_field(p)
    return head.lower() == "verse_id" or bool(_VERSE.match(head))


def _head(path: Path, n: int = 60) -> list[str]:
    out: list[str] = []
    for _, line in iter_lines(path):
        out.append(line)
        if len(out) >= n:
            break
    return out


class UnknownFormatError(DataFormatError):
    """The kind of a file cannot be told safely from its name and first lines."""


def _ambiguous(path: Path, why: str) -> UnknownFormatError:
    return UnknownFormatError(
        path, None, f"cannot tell the format: {why}", hint=f"pass --kind (one of {', '.join(KINDS)})"
    )


def _sniff_tsv(path: Path, lines: list[str]) -> str:
    rows = [ln.split("\t") for ln in lines if ln.strip()]
    if not rows:
        raise _ambiguous(path, "the file is empty")
    head = [c.strip().lower() for c in rows[0]]
    if any(h in ("text", "premise", "sentence", "category", "label") for h in head):
        return "classification"
    if all(len(r) == 3 for r in rows) and all(_LINKS.match(r[2]) for r in rows):
        return "xlwa"
    if all(len(r) == 3 for r in rows) and rows[0][0].strip().isdigit():
        return "classification"
    if all(len(r) == 2 for r in rows):
        return "parallel"
    raise _ambiguous(path, f"a TSV file with {len(rows[0])} columns and header {rows[0][:4]!r}")


def detect_kind(path: str | Path) -> str:
    """The kind of a file (see the module docstring); raises when it cannot be told safely."""
    p = resolve_path(path)
    name = strip_compression_suffix(p.name).lower()
    if name.endswith(".ref.wa"):
        return "naacl"
    suffix = Path(name).suffix
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if looks_like_bible(p):
        return "bible"
    lines = _head(p)
    nonempty = [ln for ln in lines if ln.strip()]
    if not nonempty:
        raise _ambiguous(p, "the file is empty")
    if suffix == ".csv":
        first = [c.strip().strip('"').lower() for c in nonempty[0].split(",")]
        if first[0] == "" or first[0] in ("source", "src", "lang", "language"):
            return "table"
        if any(c in ("text", "sentence", "premise", "content") for c in first):
            return "classification"
        raise _ambiguous(p, f"a CSV file with header {nonempty[0][:60]!r} (no text column)")
    if suffix == ".tsv":
        return _sniff_tsv(p, lines)
    if any("|||" in ln for ln in nonempty[:5]):
        return "parallel"
    if all(_NAACL.match(ln) for ln in nonempty):
        return "naacl"
    if all(_LINKS.match(ln) for ln in nonempty):
        return "pharaoh"
    tokens = [ln for ln in nonempty if not ln.startswith("#")]
    if tokens and all(len(ln.split("\t")) == 10 and _ID.match(ln.split("\t")[0]) for ln in tokens):
        return "conllu"
    widths = {len(ln.split()) for ln in tokens}
    has_blank = any(not ln.strip() for ln in lines)
    if tokens and max(widths) <= 6 and (has_blank or min(widths) >= 2):
        return "conll"
    raise _ambiguous(p, f"first line {nonempty[0][:60]!r} matches no known format")
