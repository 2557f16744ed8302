"""The one table of data formats: kind -> file suffixes, content sniff, reader, writer, texts.

Every place that needs to know what a file is asks :func:`xlt.io.detect.detect_kind`, which reads
this table; every place that needs a file's records, its texts (tokenizer training, pretraining)
or its token sequences (projection targets) looks the kind up here, so a new format is one
:func:`register_format` call::

    register_format(DataFormat(
        kind="mytsv", summary="my corpus", suffixes=(".my",),
        read="mypkg.io:read_my", texts="mypkg.io:iter_my_texts",
    ))

Functions are named as ``"module:function"`` strings and imported on use, so this module stays
cheap to import and has no import cycle with the readers.

Sniffs see the first lines of a file (at most :data:`SNIFF_LINES`, compression undone) and
whether the caller wants a strict answer (``sniff(lines, strict=...)``), and are tried in
registration order; a kind without a sniff is only recognised by its suffix or named
explicitly (``text``: one text per line, the fallback of the text readers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from xlt.errors import UnknownNameError

#: how many first lines a sniff sees
SNIFF_LINES = 60

_LINKS = re.compile(r"^\s*(\d+[-p?]\d+(-[\d.]+)?\s*)*$")
_NAACL = re.compile(r"^\d+\s+\d+\s+\d+(\s+[SPsp])?(\s+[\d.]+)?\s*$")
_CONLLU_ID = re.compile(r"^([1-9]\d*|[1-9]\d*-\d+|\d+\.\d+)$")


@dataclass(frozen=True)
class DataFormat:
    """One data format. ``read``/``write``/``texts``/``tokens`` name functions as ``module:function``.

    - ``read(path) -> records`` (the kind's own record type);
    - ``write(records, path) -> int``;
    - ``texts(path) -> Iterator[str]``: the file's texts, one per sentence or example;
    - ``tokens(path) -> Iterator[Sentence]``: its token sequences (the target side for a pair).
    """

    kind: str
    summary: str
    suffixes: tuple[str, ...] = ()
    sniff: Callable[..., bool] | None = None
    read: str | None = None
    write: str | None = None
    texts: str | None = None
    tokens: str | None = None

    def function(self, role: str) -> Callable[..., Any]:
        """The ``read``/``write``/``texts``/``tokens`` function of this format."""
        from xlt.errors import ConfigError

        target = getattr(self, role)
        if target is None:
            raise ConfigError(f"the {self.kind} format has no {role} function")
        module, _, name = target.partition(":")
        return getattr(import_module(module), name)


FORMATS: dict[str, DataFormat] = {}


def register_format(fmt: DataFormat) -> DataFormat:
    """Add (or replace) a format; its suffixes then map to it in :func:`kind_by_suffix`."""
    FORMATS[fmt.kind] = fmt
    return fmt


def get_format(kind: str) -> DataFormat:
    try:
        return FORMATS[kind]
    except KeyError:
        raise UnknownNameError("data kind", kind, FORMATS) from None


def kinds() -> tuple[str, ...]:
    return tuple(FORMATS)


def kind_by_suffix(suffix: str) -> str | None:
    """The kind a (compression-stripped, lowercased) suffix names, or None."""
    for fmt in FORMATS.values():
        if suffix in fmt.suffixes:
            return fmt.kind
    return None


def sniff_order() -> Iterator[DataFormat]:
    """The formats with a content sniff, in registration order."""
    return (f for f in FORMATS.values() if f.sniff is not None)


# --- the content sniffs ---------------------------------------------------------------------
def _nonblank(lines: Sequence[str]) -> list[str]:
    return [ln for ln in lines if ln.strip()]


def _token_lines(lines: Sequence[str]) -> list[str]:
    return [ln for ln in _nonblank(lines) if not ln.startswith("#")]


def sniff_parallel(lines: Sequence[str], strict: bool = False) -> bool:
    """``source ||| target`` lines."""
    return any("|||" in ln for ln in _nonblank(lines)[:5])


def sniff_naacl(lines: Sequence[str], strict: bool = False) -> bool:
    """NAACL 2003 gold links: ``sent src tgt [S|P] [conf]``."""
    rows = _nonblank(lines)
    return bool(rows) and all(_NAACL.match(ln) for ln in rows)


def is_links(text: str) -> bool:
    """Whether ``text`` is a (possibly empty) run of Pharaoh links: ``0-0 1-2 3p4``."""
    return bool(_LINKS.match(text))


def sniff_pharaoh(lines: Sequence[str], strict: bool = False) -> bool:
    """Pharaoh links: ``0-0 1-2 3p4`` (possibly empty lines)."""
    rows = _nonblank(lines)
    return bool(rows) and all(is_links(ln) for ln in rows)


def sniff_conllu(lines: Sequence[str], strict: bool = False) -> bool:
    """The token lines have 10 tab columns and a CoNLL-U id (``1``, ``1-2``, ``0.1``)."""
    rows = _token_lines(lines)
    return bool(rows) and all(
        len(cols) == 10 and bool(_CONLLU_ID.match(cols[0])) for cols in (ln.split("\t") for ln in rows)
    )


def sniff_conll(lines: Sequence[str], strict: bool = False) -> bool:
    """Token-per-line CoNLL: few (≤ 6) columns, sentences separated by blank lines (or at least
    two columns). ``strict``: the same width on every token line, as in a well-formed file; the
    text readers ask for it, since running text with paragraph breaks passes the loose test,
    while ``xlt data check`` does not, so that it can point at the malformed line."""
    rows = _token_lines(lines)
    if not rows:
        return False
    widths = {len(ln.split()) for ln in rows}
    has_blank = any(not ln.strip() for ln in lines)
    return max(widths) <= 6 and (has_blank or min(widths) >= 2) and (len(widths) == 1 or not strict)


# --- the built-in formats, in sniff order (a ||| line or link lines before the looser CoNLL) ---
_TEXTS = "xlt.io.texts"
for _fmt in (
    DataFormat(
        "parallel",
        "parallel text: src ||| tgt, TSV, or two line-aligned files",
        (".src-tgt",),
        sniff_parallel,
        "xlt.io.parallel:read_parallel",
        "xlt.io.parallel:write_parallel",
        f"{_TEXTS}:parallel_texts",
        f"{_TEXTS}:parallel_tokens",
    ),
    DataFormat(
        "naacl",
        "NAACL 2003 gold word alignments (.wa)",
        (),
        sniff_naacl,
        "xlt.io.pharaoh:read_naacl",
    ),
    DataFormat(
        "pharaoh",
        "Pharaoh word alignments (0-0 1-2, p for possible links)",
        (".gold", ".wa", ".talp", ".align", ".pharaoh"),
        sniff_pharaoh,
        "xlt.io.pharaoh:read_pharaoh",
        "xlt.io.pharaoh:write_pharaoh",
    ),
    DataFormat(
        "conllu",
        "CoNLL-U (Universal Dependencies), multiword tokens and empty nodes kept",
        (".conllu",),
        sniff_conllu,
        "xlt.io.conllu:read_conllu",
        "xlt.io.conllu:write_conllu",
        f"{_TEXTS}:conllu_texts",
        f"{_TEXTS}:conllu_tokens",
    ),
    DataFormat(
        "conll",
        "token-per-line CoNLL / BIO (MasakhaNER, CoNLL-2003, UNER .iob2)",
        (".conll", ".iob2", ".conll02", ".conll03", ".bio", ".iob"),
        sniff_conll,
        "xlt.io.conllu:read_tagged",
        "xlt.io.conll:write_conll",
        f"{_TEXTS}:conll_texts",
        f"{_TEXTS}:conll_tokens",
    ),
    DataFormat(
        "bible",
        "a Bible: CES XML or verse_id<TAB>text (joined with another by verse id)",
        (".xml",),
        None,  # told by xlt.io.detect.looks_like_bible, before any other sniff
        "xlt.io.bible:read_bible",
        "xlt.io.bible:write_bible_tsv",
        f"{_TEXTS}:bible_texts",
    ),
    DataFormat(
        "xlwa",
        "XL-WA: src<TAB>tgt<TAB>links",
        (),
        None,  # a TSV shape (xlt.io.detect)
        "xlt.io.pharaoh:read_xlwa",
    ),
    DataFormat(
        "classification",
        "text classification: SIB-200 / AmericasNLI TSV, NusaX CSV, JSONL",
        (".jsonl", ".ndjson", ".json"),
        None,  # a TSV / CSV shape (xlt.io.detect)
        "xlt.io.classification:read_classification",
        "xlt.io.classification:write_jsonl",
        f"{_TEXTS}:classification_texts",
    ),
    DataFormat(
        "table",
        "a transfer table (source x target scores, CSV)",
        (),
        None,
        "xlt.io.tables:read_transfer_table",
        "xlt.io.tables:write_transfer_table",
    ),
    DataFormat(
        "text",
        "plain text, one text (or tokenised sentence) per line",
        (),
        None,  # never guessed from content: the text readers' fallback
        f"{_TEXTS}:line_texts",
        None,
        f"{_TEXTS}:line_texts",
        f"{_TEXTS}:line_tokens",
    ),
):
    register_format(_fmt)
