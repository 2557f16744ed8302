"""Parallel text: ``src ||| tgt`` lines, two-column TSV, two line-aligned files, and Bibles.

Bibles are read from the CES XML of Christodoulopoulos & Steedman (2015)
(``<seg id="b.MAT.1.1" type="verse">``, streamed) or from ``verse_id<TAB>text``
files, and joined by verse id. Nothing is silently truncated: mismatched line
counts raise :class:`MismatchError` with both counts, and a verse join reports
how many verses were only on one side or empty.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.parsers import expat

from xlt.errors import DataFormatError, MismatchError
from xlt.io.detect import looks_like_bible
from xlt.io.files import atomic_writer, iter_lines, open_binary, resolve_path, strip_compression_suffix
from xlt.io.tokenize import tokenize
from xlt.types import SentencePair

log = logging.getLogger(__name__)

ParallelFormat = Literal["auto", "pharaoh", "tsv"]
SEPARATOR = " ||| "


_WS = re.compile(r"[ \t]+")


def split_tokens(text: str) -> tuple[str, ...]:
    """Pre-tokenised text split on ASCII spaces and tabs only (an ideographic space
    U+3000 can be a token, as in the KFTT alignment set)."""
    return tuple(t for t in _WS.split(text.strip(" \t\r\n")) if t)


def _name(path: str | Path) -> str:
    return strip_compression_suffix(Path(path).name)


def _split_pair(line: str, fmt: str, path: Path, lineno: int) -> tuple[str, str]:
    if fmt == "pharaoh":
        if "|||" not in line:
            raise DataFormatError(path, lineno, f"expected 'source ||| target', found {line[:80]!r}")
        parts = line.split("|||")
        if len(parts) != 2:
            raise DataFormatError(path, lineno, f"expected one '|||' separator, found {len(parts) - 1}")
        return parts[0], parts[1]
    parts = line.split("\t")
    if len(parts) < 2:
        raise DataFormatError(
            path, lineno, f"expected 2 tab-separated columns (source, target), found 1: {line[:80]!r}"
        )
    if len(parts) > 2:
        raise DataFormatError(
            path, lineno, f"expected 2 tab-separated columns (source, target), found {len(parts)}"
        )
    return parts[0], parts[1]


def iter_parallel(
    path: str | Path, *, fmt: ParallelFormat = "auto", allow_empty: bool = False
) -> Iterator[SentencePair]:
    """Stream pre-tokenised sentence pairs (tokens split on whitespace) from one file.

    ``fmt="auto"`` picks ``src ||| tgt`` when the first non-empty line contains ``|||``,
    else two-column TSV. Each pair's id is ``file:line``. An empty side raises
    :class:`DataFormatError` unless ``allow_empty`` (then it is kept, empty).
    """
    p = resolve_path(path)
    name = _name(p)
    use = fmt
    for lineno, line in iter_lines(p):
        if not line.strip():
            raise DataFormatError(p, lineno, "empty line; expected a sentence pair on every line")
        if use == "auto":
            use = "pharaoh" if "|||" in line else "tsv"
        src, tgt = _split_pair(line, use, p, lineno)
        s, t = split_tokens(src), split_tokens(tgt)
        if not allow_empty and (not s or not t):
            side = "source" if not s else "target"
            raise DataFormatError(p, lineno, f"empty {side} side; expected tokens on both sides of the pair")
        yield SentencePair(s, t, id=f"{name}:{lineno}")
    if use == "auto":
        raise DataFormatError(p, None, "no sentence pairs found (empty file)")


def read_parallel_files(
    src_path: str | Path, tgt_path: str | Path, *, tokenizer: Callable[[str], list[str]] | None = None
) -> list[SentencePair]:
    """Pairs from two line-aligned files (split on whitespace, or with ``tokenizer``).

    Different line counts raise :class:`MismatchError` naming both counts.
    """
    split = tokenizer or split_tokens
    src_lines = [line for _, line in iter_lines(src_path)]
    tgt_lines = [line for _, line in iter_lines(tgt_path)]
    if len(src_lines) != len(tgt_lines):
        raise MismatchError(
            f"{src_path} has {len(src_lines)} lines but {tgt_path} has {len(tgt_lines)}; "
            "line-aligned parallel files must have the same number of lines"
        )
    name = _name(src_path)
    return [
        SentencePair(tuple(split(s)), tuple(split(t)), id=f"{name}:{i}")
        for i, (s, t) in enumerate(zip(src_lines, tgt_lines, strict=True), start=1)
    ]


def write_parallel(pairs: Iterable[SentencePair], path: str | Path) -> int:
    """Write ``src ||| tgt`` lines (atomic); returns the number of pairs."""
    n = 0
    with atomic_writer(path) as fh:
        for pair in pairs:
            for tok in (*pair.src, *pair.tgt):
                if not tok or split_tokens(tok) != (tok,) or "\n" in tok or "|||" in tok:
                    raise DataFormatError(path, None, f"token {tok!r} of pair {pair.id} cannot be written")
            fh.write(f"{' '.join(pair.src)}{SEPARATOR}{' '.join(pair.tgt)}\n")
            n += 1
    return n


# --- Bibles -------------------------------------------------------------------------------------


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
) -> tuple[list[SentencePair], VerseJoin]:
    """Tokenised verse pairs of two Bibles (pair id = verse id) and the join statistics."""
    join = join_verses(read_bible(src_path), read_bible(tgt_path))
    # verses only in one Bible are normal (a New Testament against a whole Bible); empty verses
    # on one side are worth a warning: they are dropped, and they often mean a broken file
    level = logging.WARNING if join.n_empty else logging.INFO
    log.log(level, "%s + %s: %s", _name(src_path), _name(tgt_path), join.summary())
    pairs = [
        SentencePair(tuple(tokenizer(s)), tuple(tokenizer(t)), id=v)
        for v, s, t in zip(join.ids, join.src_texts, join.tgt_texts, strict=True)
    ]
    return pairs, join


def read_parallel(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    fmt: ParallelFormat = "auto",
    tokenizer: Callable[[str], list[str]] | None = None,
) -> list[SentencePair]:
    """One entry point: a ``|||``/TSV file, a (src, tgt) pair of line-aligned files, or two Bibles.

    Bibles are joined by verse id (the join summary is logged) and tokenised with
    ``tokenizer`` (default :func:`~xlt.io.tokenize.tokenize`); line-aligned files are
    split on whitespace unless a tokenizer is given.
    """
    if isinstance(path_or_paths, (str, Path)):
        return list(iter_parallel(path_or_paths, fmt=fmt))
    paths = list(path_or_paths)
    if len(paths) != 2:
        raise ValueError(f"expected one parallel file or two files (source, target), got {len(paths)}")
    src, tgt = (resolve_path(p) for p in paths)
    if looks_like_bible(src) and looks_like_bible(tgt):
        pairs, _ = read_bible_pair(src, tgt, tokenizer=tokenizer or tokenize)
        return pairs
    return read_parallel_files(src, tgt, tokenizer=tokenizer)


def read_pairs_with_join(paths: Sequence[str | Path]) -> tuple[list[SentencePair], VerseJoin | None]:
    """Sentence pairs from one ``|||``/TSV file or two files (line-aligned or Bibles), and, for
    two Bibles, their :class:`VerseJoin` (what the join kept and dropped), else ``None``."""
    from xlt.errors import ConfigError

    if len(paths) not in (1, 2):
        raise ConfigError("--parallel takes one file (src ||| tgt, or TSV) or two files (source, target)")
    if len(paths) == 2:
        src, tgt = (resolve_path(p) for p in paths)
        if looks_like_bible(src) and looks_like_bible(tgt):
            return read_bible_pair(src, tgt)
    return read_parallel(paths[0] if len(paths) == 1 else paths), None


def read_pairs(paths: Sequence[str | Path]) -> list[SentencePair]:
    """The pairs of :func:`read_pairs_with_join`."""
    return read_pairs_with_join(paths)[0]


def check_line_counts(*paths: str | Path) -> int:
    """The common line count of several files; :class:`MismatchError` listing every count otherwise."""
    counts = []
    for p in paths:
        counts.append(sum(1 for _ in iter_lines(p)))
    if len(set(counts)) > 1:
        detail = ", ".join(f"{p}: {n}" for p, n in zip(paths, counts, strict=True))
        raise MismatchError(f"files must have the same number of lines ({detail})")
    return counts[0] if counts else 0


__all__ = [
    "BOOKS",
    "VerseJoin",
    "ces_to_pbc",
    "check_line_counts",
    "iter_parallel",
    "join_verses",
    "pbc_to_ces",
    "read_bible",
    "read_bible_pair",
    "read_pairs",
    "read_pairs_with_join",
    "read_parallel",
    "read_parallel_files",
    "write_bible_tsv",
    "write_parallel",
]
