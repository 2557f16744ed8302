"""Bibles: the CES XML of Christodoulopoulos & Steedman (2015) (``<seg id="b.MAT.1.1"
type="verse">``, streamed) and ``verse_id<TAB>text`` files (CES or Parallel Bible Corpus ids),
read into ``{verse_id: text}`` and joined by verse id, with counts of what the join kept and
dropped."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from xlt.errors import DataFormatError, MismatchError
from xlt.io.files import atomic_writer, iter_lines, open_binary, resolve_path, strip_compression_suffix
from xlt.io.tokenize import tokenize
from xlt.types import SentencePair

log = logging.getLogger("xlt.io.parallel")  # the logger name from before the split


def _name(path: str | Path) -> str:
    return strip_compression_suffix(Path(path).name)


def _is_xml(path: Path) -> bool:
    with open_binary(path) as fh:
        head = fh.read(512).lstrip()
    return head.startswith(b"<")


def _read_bible_xml(path: Path) -> dict[str, str]:
    """Stream a CES XML Bible with expat; errors carry the exact line of the offending ``<seg>``."""
    from xlt.limits import max_line_bytes

    verses: dict[str, str] = {}
    cap = max_line_bytes()
    parser = expat.ParserCreate()
    # no DTD handling beyond expat's defaults: external entities are never fetched (no
    # ExternalEntityRefHandler) and expat >= 2.4 refuses entity-expansion ("billion laughs") bombs
    state: dict[str, object] = {"id": None, "parts": None, "line": 0, "size": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "seg":
            if state["parts"] is not None:
                raise DataFormatError(path, parser.CurrentLineNumber, "nested <seg> elements")
            vid = (attrs.get("id") or "").strip()
            if not vid:
                raise DataFormatError(path, parser.CurrentLineNumber, "<seg> element without an id attribute")
            if vid in verses:
                raise DataFormatError(path, parser.CurrentLineNumber, f"duplicate verse id {vid!r}")
            state.update(id=vid, parts=[], line=parser.CurrentLineNumber, size=0)

    def end(tag: str) -> None:
        if tag == "seg" and state["parts"] is not None:
            verses[str(state["id"])] = " ".join("".join(state["parts"]).split())  # type: ignore[arg-type]
            state.update(id=None, parts=None)

    def text(data: str) -> None:
        parts = state["parts"]
        if parts is not None:
            parts.append(data)  # type: ignore[attr-defined]
            size = int(state["size"]) + len(data)  # type: ignore[call-overload]
            state["size"] = size
            if size > cap:
                raise DataFormatError(
                    path,
                    int(state["line"]),  # type: ignore[call-overload]
                    f"verse {state['id']} is longer than {cap} characters; expected one verse per <seg> "
                    "(raise the cap with XLT_MAX_LINE_BYTES if this is intended)",
                )

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.buffer_text = True
    try:
        with open_binary(path) as fh:
            for chunk in iter(lambda: fh.read(1 << 16), b""):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as err:
        raise DataFormatError(path, err.lineno, f"malformed XML: {expat.ErrorString(err.code)}") from None
    if not verses:
        raise DataFormatError(path, None, 'no <seg id="..."> verse elements found; expected CES XML Bible')
    return verses


#: the 66 books in the order the Parallel Bible Corpus numbers them (01 = GEN ... 40 = MAT ... 66 = REV),
#: with the christos-c / CES book codes
BOOKS: tuple[str, ...] = (
    "GEN", "EXO", "LEV", "NUM", "DEU", "JOS", "JDG", "RUT", "1SA", "2SA", "1KI", "2KI", "1CH", "2CH",
    "EZR", "NEH", "EST", "JOB", "PSA", "PRO", "ECC", "SNG", "ISA", "JER", "LAM", "EZK", "DAN", "HOS",
    "JOL", "AMO", "OBA", "JON", "MIC", "NAM", "HAB", "ZEP", "HAG", "ZEC", "MAL", "MAT", "MAR", "LUK",
    "JOH", "ACT", "ROM", "1CO", "2CO", "GAL", "EPH", "PHI", "COL", "1TH", "2TH", "1TI", "2TI", "TIT",
    "PHM", "HEB", "JAM", "1PE", "2PE", "1JO", "2JO", "3JO", "JUD", "REV",
)  # fmt: skip
_PBC = re.compile(r"^(\d{2})(\d{3})(\d{3})$")
_CES = re.compile(r"^b\.([1-3A-Z][A-Z0-9]{2})\.(\d+)\.(\d+)$")


def pbc_to_ces(verse_id: str) -> str:
    """A Parallel Bible Corpus / Taxi1500 id (``BBCCCVVV``, ``40001001``) as a CES id (``b.MAT.1.1``)."""
    m = _PBC.match(verse_id.strip())
    if not m or not 1 <= int(m.group(1)) <= len(BOOKS):
        raise ValueError(f"{verse_id!r} is not a BBCCCVVV verse id with a book number 01-66")
    return f"b.{BOOKS[int(m.group(1)) - 1]}.{int(m.group(2))}.{int(m.group(3))}"


def ces_to_pbc(verse_id: str) -> str:
    """A CES id (``b.MAT.1.1``) as a Parallel Bible Corpus id (``40001001``)."""
    m = _CES.match(verse_id.strip())
    if not m or m.group(1) not in BOOKS:
        raise ValueError(f"{verse_id!r} is not a b.BOOK.CHAPTER.VERSE id with a known book code")
    return f"{BOOKS.index(m.group(1)) + 1:02d}{int(m.group(2)):03d}{int(m.group(3)):03d}"


def _read_bible_tsv(path: Path) -> dict[str, str]:
    verses: dict[str, str] = {}
    for lineno, line in iter_lines(path):
        if not line.strip() or line.startswith("#"):
            continue
        vid, tab, text = line.partition("\t")
        if not tab:
            raise DataFormatError(path, lineno, f"expected 'verse_id<TAB>text', found {line[:80]!r}")
        if not verses and vid.strip().lower() in ("verse_id", "id", "verse"):
            continue
        vid = vid.strip()
        if not vid or " " in vid:
            raise DataFormatError(path, lineno, f"bad verse id {vid!r}")
        if _PBC.match(vid):
            try:
                vid = pbc_to_ces(vid)
            except ValueError as err:
                raise DataFormatError(path, lineno, str(err)) from None
        if vid in verses:
            raise DataFormatError(path, lineno, f"duplicate verse id {vid!r}")
        verses[vid] = " ".join(text.split())
    if not verses:
        raise DataFormatError(path, None, "no verses found; expected 'verse_id<TAB>text' lines")
    return verses


def read_bible(path: str | Path) -> dict[str, str]:
    """``{verse_id: text}`` from a CES XML Bible or a ``verse_id<TAB>text`` file (header optional).

    In TSV files, ``#`` comment lines are skipped and Parallel Bible Corpus ids
    (``40001001``) are converted to CES ids (``b.MAT.1.1``) so that Bibles of both
    kinds join. Texts are whitespace-normalised; empty verses are kept as ``""`` (see :func:`join_verses`).
    """
    p = resolve_path(path)
    return _read_bible_xml(p) if _is_xml(p) else _read_bible_tsv(p)


def write_bible_tsv(verses: dict[str, str], path: str | Path) -> int:
    """Write ``{verse_id: text}`` as a ``verse_id<TAB>text`` file with a header (atomic)."""
    n = 0
    with atomic_writer(path) as fh:
        fh.write("verse_id\ttext\n")
        for vid, text in verses.items():
            if not vid or vid != vid.strip() or any(c in vid for c in " \t\n"):
                raise DataFormatError(path, None, f"verse id {vid!r} cannot be written")
            fh.write(f"{vid}\t{' '.join(text.split())}\n")
            n += 1
    return n


@dataclass(frozen=True)
class VerseJoin:
    """The verses two Bibles share, in the order of the source Bible, with what was dropped."""

    ids: tuple[str, ...]
    src_texts: tuple[str, ...]
    tgt_texts: tuple[str, ...]
    n_only_src: int
    n_only_tgt: int
    n_empty: int
    #: the first few verse ids dropped because they were empty on one side (for reports)
    empty_examples: tuple[str, ...] = ()
    n_empty_src: int = 0
    n_empty_tgt: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_dropped(self) -> int:
        """Verses of either Bible that are not in the join."""
        return self.n_only_src + self.n_only_tgt + self.n_empty

    def summary(self) -> str:
        text = (
            f"{len(self.ids)} shared verses; dropped {self.n_only_src} only in source, "
            f"{self.n_only_tgt} only in target, {self.n_empty} empty on either side"
        )
        if self.n_empty:
            text += (
                f" ({self.n_empty_src} empty in source, {self.n_empty_tgt} in target; "
                f"e.g. {', '.join(self.empty_examples[:3])})"
            )
        return text

    def to_dict(self) -> dict[str, object]:
        """The join as JSON-able statistics: what was kept and what was dropped, by reason."""
        return {
            "pairs": len(self.ids),
            "dropped": self.n_dropped,
            "dropped_by_reason": {
                "only_in_source": self.n_only_src,
                "only_in_target": self.n_only_tgt,
                "empty_in_source": self.n_empty_src,
                "empty_in_target": self.n_empty_tgt,
                "empty_on_both_sides": self.n_empty - self.n_empty_src - self.n_empty_tgt,
            },
            "empty_examples": list(self.empty_examples),
        }


def join_verses(src: dict[str, str], tgt: dict[str, str]) -> VerseJoin:
    """Join two Bibles by verse id; verses empty on either side are dropped and counted.

    Raises :class:`MismatchError` when no verse id is shared.
    """
    shared = [v for v in src if v in tgt]
    if not shared:
        ex_s = ", ".join(list(src)[:3])
        ex_t = ", ".join(list(tgt)[:3])
        raise MismatchError(
            f"no verse ids in common ({len(src)} source verses, e.g. {ex_s}; {len(tgt)} target verses, e.g. {ex_t})"
        )
    ids, st, tt = [], [], []
    empty = empty_src = empty_tgt = 0
    examples: list[str] = []
    for v in shared:
        s, t = src[v], tgt[v]
        s_empty, t_empty = not s.strip(), not t.strip()
        if s_empty or t_empty:
            empty += 1
            empty_src += s_empty and not t_empty
            empty_tgt += t_empty and not s_empty
            if len(examples) < 10:
                examples.append(v)
            continue
        ids.append(v)
        st.append(s)
        tt.append(t)
    return VerseJoin(
        tuple(ids),
        tuple(st),
        tuple(tt),
        len(src) - len(shared),
        len(tgt) - len(shared),
        empty,
        tuple(examples),
        empty_src,
        empty_tgt,
    )


def read_bible_pair(
    src_path: str | Path,
    tgt_path: str | Path,
    *,
    tokenizer: Callable[[str], list[str]] = tokenize,
    target_tokenizer: Callable[[str], list[str]] | None = None,
) -> tuple[list[SentencePair], VerseJoin]:
    """Tokenised verse pairs of two Bibles (pair id = verse id) and the join statistics;
    ``target_tokenizer`` (default: ``tokenizer``) tokenizes the target side."""
    join = join_verses(read_bible(src_path), read_bible(tgt_path))
    # verses only in one Bible are normal (a New Testament against a whole Bible); empty verses
    # on one side are worth a warning: they are dropped, and they often mean a broken file
    level = logging.WARNING if join.n_empty else logging.INFO
    log.log(level, "%s + %s: %s", _name(src_path), _name(tgt_path), join.summary())
    pairs = [
        SentencePair(tuple(tokenizer(s)), tuple((target_tokenizer or tokenizer)(t)), id=v)
        for v, s, t in zip(join.ids, join.src_texts, join.tgt_texts, strict=True)
    ]
    return pairs, join
