"""CoNLL-U (Universal Dependencies): streaming reader, validating parser and round-tripping writer.

A :class:`UDSentence` holds its syntactic words (:class:`UDToken`, ids 1..n),
multiword-token ranges (``1-2``, :class:`UDMultiword`) and empty nodes (``1.1``,
:class:`UDEmptyNode`) separately, plus its comment lines; ``sent_id`` and
``text`` come from the ``# sent_id =`` / ``# text =`` comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xlt.errors import DataFormatError
from xlt.io.conll import sentence_too_long
from xlt.io.files import atomic_writer, iter_lines, strip_compression_suffix
from xlt.limits import max_sentence_tokens
from xlt.types import LabeledSentence

_INT = re.compile(r"^[1-9][0-9]*$", re.ASCII)
_RANGE = re.compile(r"^([1-9][0-9]*)-([1-9][0-9]*)$")
_EMPTY = re.compile(r"^([0-9]+)\.([1-9][0-9]*)$")
_META = re.compile(r"^#\s*(sent_id|text)\s*=\s?(.*)$")
_COLUMNS = ("upos", "xpos", "lemma", "form", "deprel", "feats", "misc", "deps", "head")


def parse_feats(text: str) -> dict[str, str]:
    """``Case=Nom|Number=Sing`` -> ``{"Case": "Nom", "Number": "Sing"}`` (``_`` -> ``{}``)."""
    if text in ("_", ""):
        return {}
    out: dict[str, str] = {}
    for item in text.split("|"):
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise ValueError(f"feature {item!r} is not Name=Value")
        out[key] = value
    return out


def format_feats(feats: Mapping[str, str]) -> str:
    return "|".join(f"{k}={v}" for k, v in feats.items()) if feats else "_"


@dataclass(frozen=True)
class UDToken:
    """One syntactic word (a CoNLL-U line with an integer id)."""

    id: int
    form: str
    lemma: str = "_"
    upos: str = "_"
    xpos: str = "_"
    feats: Mapping[str, str] = field(default_factory=dict)
    head: int | None = None
    deprel: str = "_"
    deps: str = "_"
    misc: str = "_"

    def to_line(self) -> str:
        head = "_" if self.head is None else str(self.head)
        return "\t".join(
            (
                str(self.id),
                self.form,
                self.lemma,
                self.upos,
                self.xpos,
                format_feats(self.feats),
                head,
                self.deprel,
                self.deps,
                self.misc,
            )
        )


@dataclass(frozen=True)
class UDMultiword:
    """A multiword (fused) surface token spanning words ``start..end`` (e.g. Spanish *vámonos*)."""

    start: int
    end: int
    form: str
    misc: str = "_"

    def to_line(self) -> str:
        return f"{self.start}-{self.end}\t{self.form}\t_\t_\t_\t_\t_\t_\t_\t{self.misc}"


@dataclass(frozen=True)
class UDEmptyNode:
    """An empty node (``3.1``) of the enhanced graph; ``fields`` are the 10 raw columns."""

    major: int
    minor: int
    fields: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.major}.{self.minor}"

    def to_line(self) -> str:
        return "\t".join((self.id, *self.fields[1:]))


@dataclass(frozen=True)
class UDSentence:
    """One CoNLL-U sentence."""

    tokens: tuple[UDToken, ...]
    sent_id: str | None = None
    text: str | None = None
    comments: tuple[str, ...] = ()
    multiwords: tuple[UDMultiword, ...] = ()
    empty_nodes: tuple[UDEmptyNode, ...] = ()
    meta: Mapping[str, object] = field(default_factory=dict, compare=False)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(t.form for t in self.tokens)

    def column(self, name: str = "upos") -> tuple[str, ...]:
        if name not in _COLUMNS:
            raise ValueError(f"unknown CoNLL-U column {name!r}; expected one of {', '.join(_COLUMNS)}")
        if name == "feats":
            return tuple(format_feats(t.feats) for t in self.tokens)
        if name == "head":
            return tuple("_" if t.head is None else str(t.head) for t in self.tokens)
        return tuple(getattr(t, name) for t in self.tokens)

    def to_labeled(self, column: str = "upos") -> LabeledSentence:
        """Syntactic words with one column as labels (no MWT ranges, no empty nodes)."""
        labels = tuple(None if v == "_" else v for v in self.column(column))
        return LabeledSentence(self.forms, labels, id=self.sent_id, meta=dict(self.meta))

    def surface_tokens(self) -> tuple[str, ...]:
        """The surface tokens: multiword forms replace the words they span."""
        return tuple(form for form, _ in self.surface())

    def surface(self) -> tuple[tuple[str, bool], ...]:
        """Each surface token (multiword forms replacing the words they span) with whether it is
        glued to the next one (``SpaceAfter=No`` in its MISC column)."""
        starts = {m.start: m for m in self.multiwords}
        out: list[tuple[str, bool]] = []
        i = 1
        n = len(self.tokens)
        while i <= n:
            mwt = starts.get(i)
            if mwt is not None:
                out.append((mwt.form, _glued(mwt.misc)))
                i = mwt.end + 1
            else:
                tok = self.tokens[i - 1]
                out.append((tok.form, _glued(tok.misc)))
                i += 1
        return tuple(out)


def _glued(misc: str) -> bool:
    """``SpaceAfter=No`` among a MISC column's ``|``-separated attributes."""
    return "SpaceAfter=No" in misc.split("|")


def _parse_sentence(
    path: Path, rows: list[tuple[int, str]], comments: list[str], first: int, name: str
) -> UDSentence:
    tokens: list[UDToken] = []
    mwts: list[UDMultiword] = []
    empties: list[UDEmptyNode] = []
    head_lines: list[int] = []
    for lineno, line in rows:
        cols = line.split("\t")
        if len(cols) != 10:
            raise DataFormatError(
                path, lineno, f"expected 10 tab-separated columns, found {len(cols)}: {line[:80]!r}"
            )
        tid = cols[0]
        if _INT.match(tid):
            expected = len(tokens) + 1
            if int(tid) != expected:
                raise DataFormatError(path, lineno, f"word id {tid} out of sequence; expected {expected}")
            head_s = cols[6]
            head: int | None
            if head_s == "_":
                head = None
            elif head_s.isascii() and head_s.isdigit():
                head = int(head_s)
            else:
                raise DataFormatError(path, lineno, f"HEAD {head_s!r} is not an integer or '_'")
            try:
                feats = parse_feats(cols[5])
            except ValueError as err:
                raise DataFormatError(path, lineno, f"bad FEATS column: {err}") from None
            if not cols[1]:
                raise DataFormatError(path, lineno, "empty FORM")
            tokens.append(
                UDToken(int(tid), cols[1], cols[2], cols[3], cols[4], feats, head, cols[7], cols[8], cols[9])
            )
            head_lines.append(lineno)
            continue
        m = _RANGE.match(tid)
        if m:
            start, end = int(m.group(1)), int(m.group(2))
            if mwts and start <= mwts[-1].end:
                raise DataFormatError(
                    path,
                    lineno,
                    f"multiword range {tid} overlaps the range {mwts[-1].start}-{mwts[-1].end}; "
                    "expected disjoint ranges",
                )
            if end <= start or start != len(tokens) + 1:
                raise DataFormatError(
                    path,
                    lineno,
                    f"multiword range {tid} is invalid here; expected {len(tokens) + 1}-N with N > start",
                )
            mwts.append(UDMultiword(start, end, cols[1], cols[9]))
            continue
        m = _EMPTY.match(tid)
        if m:
            major = int(m.group(1))
            if major != len(tokens):
                raise DataFormatError(path, lineno, f"empty node {tid} must follow word {major}")
            empties.append(UDEmptyNode(major, int(m.group(2)), tuple(cols)))
            continue
        raise DataFormatError(path, lineno, f"bad ID {tid!r}; expected N, N-M or N.M")
    n = len(tokens)
    if n == 0:
        raise DataFormatError(path, first, "sentence has no words (only ranges or empty nodes)")
    for tok, lineno in zip(tokens, head_lines, strict=True):
        if tok.head is not None and tok.head > n:
            raise DataFormatError(path, lineno, f"HEAD {tok.head} is outside the sentence (1..{n} or 0)")
    for mwt in mwts:
        if mwt.end > n:
            raise DataFormatError(path, first, f"multiword range {mwt.start}-{mwt.end} exceeds the {n} words")
    sent_id = text = None
    for c in comments:
        m = _META.match(c)
        if m and m.group(1) == "sent_id" and sent_id is None:
            sent_id = m.group(2).strip()
        elif m and m.group(1) == "text" and text is None:
            text = m.group(2).strip()
    meta = {"path": str(path), "line": first}
    return UDSentence(
        tuple(tokens),
        sent_id if sent_id is not None else f"{name}:{first}",
        text,
        tuple(comments),
        tuple(mwts),
        tuple(empties),
        meta,
    )


def iter_conllu(path: str | Path) -> Iterator[UDSentence]:
    """Stream the sentences of a CoNLL-U file, validating ids, columns and heads."""
    p = Path(path)
    name = strip_compression_suffix(p.name)
    rows: list[tuple[int, str]] = []
    comments: list[str] = []
    first = 0
    cap = max_sentence_tokens()
    n_sent = 0
    for lineno, line in iter_lines(p):
        if len(rows) + len(comments) >= cap and line.strip():
            raise sentence_too_long(p, lineno, first, cap, "lines")
        if not line.strip():
            if rows:
                yield _parse_sentence(p, rows, comments, first, name)
                n_sent += 1
            elif comments:
                raise DataFormatError(p, lineno, "comment lines without a sentence before a blank line")
            rows, comments = [], []
            continue
        if line.startswith("#"):
            if rows:
                raise DataFormatError(p, lineno, "comment line inside a sentence; expected a token line")
            if not comments:
                first = lineno
            comments.append(line)
            continue
        if not rows and not comments:
            first = lineno
        rows.append((lineno, line))
    if rows:
        yield _parse_sentence(p, rows, comments, first, name)
    elif comments:
        what = "the file has only comment lines" if n_sent == 0 else "comment lines after the last sentence"
        raise DataFormatError(p, first, f"{what}; expected CoNLL-U token lines after them")
    elif first == 0:
        raise DataFormatError(p, None, "no sentences found (empty file); expected CoNLL-U lines")


def read_conllu(path: str | Path) -> list[UDSentence]:
    return list(iter_conllu(path))


def sentence_lines(sent: UDSentence) -> list[str]:
    """The CoNLL-U lines of one sentence (without the blank line)."""
    lines: list[str] = []
    if sent.comments:
        lines.extend(sent.comments)
    else:
        if sent.sent_id is not None:
            lines.append(f"# sent_id = {sent.sent_id}")
        if sent.text is not None:
            lines.append(f"# text = {sent.text}")
    mwt_at = {m.start: m for m in sent.multiwords}
    empties: dict[int, list[UDEmptyNode]] = {}
    for e in sent.empty_nodes:
        empties.setdefault(e.major, []).append(e)
    lines.extend(e.to_line() for e in empties.get(0, []))
    for tok in sent.tokens:
        if tok.id in mwt_at:
            lines.append(mwt_at[tok.id].to_line())
        lines.append(tok.to_line())
        lines.extend(e.to_line() for e in empties.get(tok.id, []))
    return lines


def write_conllu(sentences: Iterable[UDSentence], path: str | Path) -> int:
    """Write sentences as CoNLL-U (atomic); returns the number written. Round-trips :func:`read_conllu`."""
    n = 0
    with atomic_writer(path) as fh:
        for sent in sentences:
            fh.write("\n".join(sentence_lines(sent)) + "\n\n")
            n += 1
    return n


def is_conllu(path: str | Path) -> bool:
    """Whether a file is CoNLL-U by name or content (:func:`xlt.io.detect.detect_kind`)."""
    from xlt.io.detect import detect_kind

    return detect_kind(path, among=("conllu",), fallback="") == "conllu"


def read_tagged(path: str | Path, column: str = "upos", **conll_kwargs: object) -> list[LabeledSentence]:
    """Labelled sentences from CoNLL-U (``column`` as labels) or a token-per-line CoNLL file.

    The format is taken from the extension (``.conllu``, ``.iob2``) or, failing that, the content.
    """
    from xlt.io.conll import UNER_COLUMNS, read_conll
    from xlt.io.detect import detect_kind

    name = strip_compression_suffix(Path(path).name)
    if detect_kind(path, among=("conllu", "conll"), fallback="conll") == "conllu":
        if conll_kwargs:
            raise ValueError(f"CoNLL options {sorted(conll_kwargs)} do not apply to CoNLL-U file {path}")
        return [s.to_labeled(column) for s in iter_conllu(path)]
    if name.endswith(".iob2"):
        conll_kwargs = {**UNER_COLUMNS, **conll_kwargs}
    return read_conll(path, **conll_kwargs)
