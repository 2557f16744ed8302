"""Guess the format ("kind") of a data file from its name and, failing that, its first lines.

The kinds, their suffixes and their content sniffs are the table in :mod:`xlt.io.formats`
(``conll``, ``conllu``, ``parallel``, ``bible``, ``pharaoh``, ``naacl``, ``xlwa``,
``classification``, ``table``, ``text``). Ambiguous files raise :class:`UnknownFormatError`
(a :class:`DataFormatError`) asking for an explicit kind instead of guessing, unless the caller
names a ``fallback``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from xlt.errors import DataFormatError
from xlt.io import formats
from xlt.io.files import iter_lines, open_binary, resolve_path, strip_compression_suffix

_VERSE = re.compile(r"^b\.[A-Z0-9]+\.\d+\.\d+$")


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


def _head(path: Path, n: int = formats.SNIFF_LINES) -> list[str]:
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
        path,
        None,
        f"cannot tell the format: {why}",
        hint=f"pass --kind (one of {', '.join(formats.kinds())})",
    )


def _sniff_tsv(path: Path, lines: list[str]) -> str:
    rows = [ln.split("\t") for ln in lines if ln.strip()]
    if not rows:
        raise _ambiguous(path, "the file is empty")
    head = [c.strip().lower() for c in rows[0]]
    if any(h in ("text", "premise", "sentence", "category", "label") for h in head):
        return "classification"
    if all(len(r) == 3 for r in rows) and all(formats.is_links(r[2]) for r in rows):
        return "xlwa"
    if all(len(r) == 3 for r in rows) and rows[0][0].strip().isdigit():
        return "classification"
    if all(len(r) == 2 for r in rows):
        return "parallel"
    raise _ambiguous(path, f"a TSV file with {len(rows[0])} columns and header {rows[0][:4]!r}")


def _sniff_csv(path: Path, nonempty: list[str]) -> str:
    first = [c.strip().strip('"').lower() for c in nonempty[0].split(",")]
    if first[0] == "" or first[0] in ("source", "src", "lang", "language"):
        return "table"
    if any(c in ("text", "sentence", "premise", "content") for c in first):
        return "classification"
    raise _ambiguous(path, f"a CSV file with header {nonempty[0][:60]!r} (no text column)")


def _by_name(p: Path, name: str) -> str | None:
    if name.endswith(".ref.wa"):
        return "naacl"
    return formats.kind_by_suffix(Path(name).suffix)


def _by_content(p: Path, name: str, among: Sequence[str] | None, strict: bool) -> str:
    if (among is None or "bible" in among) and looks_like_bible(p):
        return "bible"
    lines = _head(p)
    nonempty = [ln for ln in lines if ln.strip()]
    if not nonempty:
        raise _ambiguous(p, "the file is empty")
    suffix = Path(name).suffix
    if suffix == ".csv":
        return _sniff_csv(p, nonempty)
    if suffix == ".tsv":
        return _sniff_tsv(p, lines)
    for fmt in formats.sniff_order():
        if (among is None or fmt.kind in among) and fmt.sniff is not None and fmt.sniff(lines, strict=strict):
            return fmt.kind
    raise _ambiguous(p, f"first line {nonempty[0][:60]!r} matches no known format")


def detect_kind(
    path: str | Path,
    *,
    among: Sequence[str] | None = None,
    fallback: str | None = None,
    strict: bool = False,
) -> str:
    """The kind of a file (see :mod:`xlt.io.formats`).

    ``among`` limits the kinds a content sniff may answer (a suffix still names its kind);
    ``fallback`` is returned instead of raising when the content matches none of them (an empty
    file, say). ``strict`` asks the sniffs for a well-formed file (a CoNLL file's token lines all
    of one width). Without ``fallback``, a file whose kind cannot be told safely raises
    :class:`UnknownFormatError`.
    """
    p = resolve_path(path)
    name = strip_compression_suffix(p.name).lower()
    kind = _by_name(p, name)
    if kind is not None:
        return kind
    try:
        kind = _by_content(p, name, among, strict)
    except UnknownFormatError:
        if fallback is None:
            raise
        return fallback
    if among is not None and kind not in among:
        if fallback is None:
            raise _ambiguous(p, f"it looks like {kind}, expected {' or '.join(among)}")
        return fallback
    return kind
