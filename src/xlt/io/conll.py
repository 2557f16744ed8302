"""CoNLL token-per-line files: one ``token ... label`` line per token, blank lines between sentences.

Covers MasakhaNER ("token TAG"), CoNLL-2002/2003 and the Europarl NER gold set,
WNUT-17 (tab-separated, lines holding only a tab separate sentences), Universal
NER ``.iob2`` (``id token tag - annotator``, ``#`` comment lines; use
``**UNER_COLUMNS``) and MasakhaPOS ("token UPOS"). ``-DOCSTART-`` lines are
skipped. BIO/IOB2 problems are repaired (or rejected with ``repair="strict"``)
and always counted in a :class:`RepairReport` and logged as a warning. So is a token made only
of combining marks (a tone mark a tokenizer split off its letter, as in machine-translated
Yoruba ``ilẹ ̀``): it is joined back onto the token before it (NFC), which keeps its label.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from xlt.errors import DataFormatError
from xlt.io.files import atomic_writer, iter_lines, strip_compression_suffix
from xlt.limits import max_sentence_tokens
from xlt.types import LabeledSentence

log = logging.getLogger(__name__)

Scheme = Literal["bio", "none", "auto"]
Repair = Literal["fix", "strict", "keep"]

#: Universal NER tags that are not entities of the PER/ORG/LOC scheme (map them to O).
UNER_LABEL_MAP: dict[str, str] = {"B-O": "O", "I-O": "O", "B-OTH": "O", "I-OTH": "O"}
#: keyword arguments for reading Universal NER ``.iob2`` files (``id token tag - annotator``).
UNER_COLUMNS: dict[str, object] = {"token_col": 1, "label_col": 2, "label_map": UNER_LABEL_MAP}

_SPACES = re.compile(r" +")
#: ``scheme="auto"`` calls a file BIO once this many sentences in a row have only BIO labels
#: (a POS or other tag set shows a non-BIO tag in its first sentences), so memory stays bounded.
AUTO_BIO_AFTER = 2000


@dataclass
class RepairReport:
    """Counts of repairs made while reading, with the first examples (``file:line: what``)."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    max_examples: int = 10

    def add(self, kind: str, path: str | Path | None, line: int | None, message: str) -> None:
        self.counts[kind] += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(f"{path or '<input>'}:{line}: {message}")

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def merge(self, other: RepairReport) -> None:
        self.counts.update(other.counts)
        room = self.max_examples - len(self.examples)
        self.examples.extend(other.examples[: max(room, 0)])

    def summary(self) -> str:
        if not self:
            return "no repairs"
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        return f"{self.total} repairs ({kinds}); first: {self.examples[0]}"

    def to_dict(self) -> dict[str, object]:
        return {"total": self.total, "counts": dict(self.counts), "examples": list(self.examples)}


def is_bio_label(label: str) -> bool:
    return label == "O" or (len(label) > 2 and label[1] == "-" and label[0] in "BI")


def is_detached_mark(token: str) -> bool:
    """Whether a token is only combining marks (Unicode Mn/Me), which cannot start a word."""
    return all(unicodedata.category(c) in ("Mn", "Me") for c in token)


def repair_bio(
    labels: list[str],
    *,
    repair: Repair = "fix",
    report: RepairReport | None = None,
    path: str | Path | None = None,
    lines: list[int] | None = None,
) -> list[str]:
    """Make a BIO label sequence valid IOB2: an ``I-X`` that does not continue an ``X``
    entity (sentence start, after ``O``, after another type) becomes ``B-X``.

    ``repair="strict"`` raises :class:`DataFormatError` instead; ``"keep"`` only counts.
    """
    out = list(labels)
    prev = "O"
    for i, lab in enumerate(labels):
        if lab.startswith("I-"):
            typ = lab[2:]
            if prev == "O" or prev[2:] != typ:
                kind = (
                    "I- at sentence start"
                    if i == 0
                    else ("I- after O" if prev == "O" else "I- after another type")
                )
                line = lines[i] if lines else None
                msg = f"{lab!r} follows {prev!r}" if i else f"{lab!r} starts the sentence"
                if repair == "strict":
                    raise DataFormatError(
                        path, line, f"invalid IOB2: {msg}; expected B-{typ} (use repair='fix' to convert)"
                    )
                if report is not None:
                    report.add(kind, path, line, f"{msg} -> {'B-' + typ if repair == 'fix' else 'kept'}")
                if repair == "fix":
                    out[i] = "B-" + typ
        prev = out[i] if out[i] != "O" else "O"
        if not (prev == "O" or prev.startswith(("B-", "I-"))):
            prev = "O"
    return out


def sentence_too_long(path: Path, lineno: int, first: int, cap: int, what: str) -> DataFormatError:
    """The error for a sentence past :func:`xlt.limits.max_sentence_tokens` (memory stays bounded)."""
    return DataFormatError(
        path,
        lineno,
        f"sentence starting at line {first} has more than {cap} {what}; expected a blank line "
        "between sentences (raise the cap with XLT_MAX_SENTENCE_TOKENS if this is intended)",
    )


def _display_name(path: Path) -> str:
    return strip_compression_suffix(path.name)


def _split(line: str, delimiter: str | None) -> list[str]:
    if delimiter is not None:
        return line.split(delimiter)
    if "\t" in line:
        return [f.strip(" ") for f in line.strip("\t ").split("\t")]
    fields = line.split(" ")
    return _SPACES.split(line.strip(" ")) if "" in fields else fields


def iter_conll(
    path: str | Path,
    *,
    token_col: int = 0,
    label_col: int | None = -1,
    delimiter: str | None = None,
    scheme: Scheme = "auto",
    label_map: Mapping[str, str] | None = None,
    repair: Repair = "fix",
    report: RepairReport | None = None,
) -> Iterator[LabeledSentence]:
    """Stream the sentences of a CoNLL token-per-line file.

    ``delimiter=None`` splits on tabs when the line has one, else on spaces. In a
    two-column space-separated file a token that contains spaces (``10 000 NUM``)
    keeps them, and a line with an empty token (`` O``) is dropped and counted.
    A file with a single column gives unlabelled sentences (labels ``None``);
    so does ``label_col=None``. Sentence ids are ``file:line`` of the first token.
    """
    p = Path(path)
    name = _display_name(p)
    lmap = dict(label_map or {})
    own = RepairReport()
    if scheme not in ("bio", "none", "auto"):
        raise ValueError(f"scheme must be 'bio', 'none' or 'auto', not {scheme!r}")
    if repair not in ("fix", "strict", "keep"):
        raise ValueError(f"repair must be 'fix', 'strict' or 'keep', not {repair!r}")
    ncols: int | None = None
    first_line = 0
    tokens: list[str] = []
    labels: list[str | None] = []
    lines: list[int] = []
    comments: list[str] = []
    # scheme="auto": sentences are held back while every label so far is BIO; the first
    # non-BIO label releases them unrepaired, AUTO_BIO_AFTER all-BIO sentences (or the end of
    # the file) release them repaired and make the rest of the file BIO
    use_scheme = scheme if label_col is not None else "none"
    auto_decided = False
    held: list[tuple[list[str], list[str | None], list[int], int, list[str]]] = []
    cap = max_sentence_tokens()
    saw_comment = False

    def make(
        toks: list[str], labs: list[str | None], lns: list[int], first: int, comms: list[str], bio: bool
    ) -> LabeledSentence:
        if bio and labs and all(lab is not None for lab in labs):
            labs = list(repair_bio(labs, repair=repair, report=own, path=p, lines=lns))  # type: ignore[arg-type]
        meta: dict[str, object] = {"path": str(p), "line": first}
        if comms:
            meta["comments"] = comms
        return LabeledSentence(tuple(toks), tuple(labs), id=f"{name}:{first}", meta=meta)

    def finish() -> Iterator[LabeledSentence]:
        nonlocal use_scheme, auto_decided
        item = (tokens, labels, lines, first_line, list(comments))
        if use_scheme != "auto":
            yield make(*item, bio=use_scheme == "bio")
            return
        if all(lab is None or is_bio_label(lab) for lab in labels):
            held.append(item)
            if len(held) >= AUTO_BIO_AFTER:
                use_scheme, auto_decided = "bio", True
                for h in held:
                    yield make(*h, bio=True)
                held.clear()
            return
        use_scheme = "none"
        for h in held:
            yield make(*h, bio=False)
        held.clear()
        yield make(*item, bio=False)

    for lineno, line in iter_lines(p):
        stripped = line.strip()
        if not stripped:
            if tokens:
                yield from finish()
                tokens, labels, lines, comments = [], [], [], []
            else:
                comments = []
            continue
        if stripped.startswith("-DOCSTART-"):
            continue
        fields = _split(line, delimiter)
        if (
            not tokens
            and stripped.startswith("#")
            and (
                " = " in stripped
                or (ncols is not None and len(fields) != ncols)
                or (ncols is None and len(fields) > 2)
            )
        ):
            comments.append(stripped)
            saw_comment = True
            if len(comments) > cap:
                raise sentence_too_long(p, lineno, lineno - len(comments) + 1, cap, "comment lines")
            continue
        if ncols is None:
            ncols = len(fields)
            if label_col is not None and ncols > 1:
                try:
                    fields[label_col]
                except IndexError:
                    raise DataFormatError(
                        p, lineno, f"label column {label_col} does not exist: the line has {ncols} columns"
                    ) from None
        if len(fields) != ncols:
            if ncols == 2 and delimiter is None and "\t" not in line:
                if len(fields) == 1 and line[:1] == " ":
                    own.add("empty token dropped", p, lineno, f"line {line!r} has no token")
                    continue
                if len(fields) > 2:
                    fields = [" ".join(fields[:-1]), fields[-1]]
            needed = max(token_col, label_col if label_col is not None and label_col >= 0 else 0)
            ragged_ok = ncols > 2 and len(fields) > max(needed, 1) and (label_col is None or label_col >= 0)
            if len(fields) != ncols and not ragged_ok:
                raise DataFormatError(
                    p,
                    lineno,
                    f"expected {ncols} columns (as on the first token line) but found {len(fields)}: {line!r}",
                    hint="sentences are separated by blank lines; pass delimiter= if tokens contain spaces",
                )
        try:
            token = fields[token_col]
        except IndexError:
            raise DataFormatError(p, lineno, f"token column {token_col} does not exist in {line!r}") from None
        if token == "":
            raise DataFormatError(p, lineno, "empty token")
        label: str | None = None
        if label_col is not None and ncols > 1:
            label = fields[label_col]
            label = lmap.get(label, label)
            if label == "":
                raise DataFormatError(p, lineno, f"empty label in {line!r}")
            if use_scheme == "bio" and not is_bio_label(label):
                raise DataFormatError(
                    p,
                    lineno,
                    f"label {label!r} is not a BIO label; expected O, B-TYPE or I-TYPE",
                    hint=(
                        f"scheme='auto' read the file as BIO after {AUTO_BIO_AFTER} all-BIO sentences; "
                        "pass scheme='none' for a tag set that is not BIO"
                    )
                    if auto_decided
                    else None,
                )
        if tokens and repair != "keep" and is_detached_mark(token):
            if repair == "strict":
                raise DataFormatError(
                    p, lineno, f"token {token!r} is only combining marks (split off the token before it)"
                )
            own.add("combining mark rejoined", p, lineno, f"{tokens[-1]!r} + {token!r}")
            tokens[-1] = unicodedata.normalize("NFC", tokens[-1] + token)
            continue
        if not tokens:
            first_line = lineno
        elif len(tokens) >= cap:
            raise sentence_too_long(p, lineno, first_line, cap, "tokens")
        tokens.append(token)
        labels.append(label)
        lines.append(lineno)
    if tokens:
        yield from finish()
    elif first_line == 0:
        what = "only comment lines" if saw_comment else "empty file"
        raise DataFormatError(p, None, f"no sentences found ({what}); expected token lines")
    for h in held:
        yield make(*h, bio=any(lab is not None for lab in h[1]))
    if own:
        log.warning("%s: %s", p, own.summary())
        if report is not None:
            report.merge(own)


def read_conll(path: str | Path, **kwargs: object) -> list[LabeledSentence]:
    """All sentences of a CoNLL file (see :func:`iter_conll` for the options)."""
    return list(iter_conll(path, **kwargs))  # type: ignore[arg-type]


def write_conll(
    sentences: Iterable[LabeledSentence],
    path: str | Path,
    *,
    none_label: str = "O",
    delimiter: str = " ",
) -> int:
    """Write ``token<delimiter>label`` lines with a blank line after each sentence (atomic).

    Unlabelled tokens (``None``) get ``none_label``. Returns the number of sentences.
    """
    n = 0
    with atomic_writer(path) as fh:
        for sent in sentences:
            for tok, lab in zip(sent.tokens, sent.labels, strict=True):
                if not tok or any(c in tok for c in ("\n", "\r")) or (delimiter in tok) or tok != tok.strip():
                    raise DataFormatError(
                        path,
                        None,
                        f"token {tok!r} of sentence {sent.id} cannot be written with delimiter {delimiter!r}",
                        hint="tokens containing spaces can be written with delimiter='\\t'",
                    )
                fh.write(f"{tok}{delimiter}{none_label if lab is None else lab}\n")
            fh.write("\n")
            n += 1
    return n
