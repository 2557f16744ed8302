"""A data file's texts (one per sentence or example) and token sequences, whatever its format.

The readers behind the ``texts`` and ``tokens`` roles of :mod:`xlt.io.formats`; callers use
:func:`iter_texts` / :func:`iter_tokens`, which detect the kind with
:func:`xlt.io.detect.detect_kind` (plain text, one item per line, when nothing else fits).

- ``conll``: the first column of each sentence, joined by spaces;
- ``conllu``: the ``# text =`` comment, or the FORM column when it is missing;
- ``classification``: the text column (``text``/``sentence``/``premise`` header, else the last);
- ``parallel``: the target side;
- ``bible``: the verses;
- ``text``: the stripped lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xlt.errors import DataFormatError
from xlt.io.files import iter_lines, resolve_path, strip_compression_suffix
from xlt.types import Sentence

#: kinds whose files hold texts (what :func:`iter_texts` detects among)
TEXT_KINDS = ("bible", "conllu", "conll", "parallel", "classification")
#: kinds whose files hold token sequences (what :func:`iter_tokens` detects among)
TOKEN_KINDS = ("conllu", "parallel", "conll")


def text_kind(path: str | Path, among: tuple[str, ...] = TEXT_KINDS) -> str:
    """The kind of a text file: one of ``among``, else ``text`` (an unclear TSV counts as a
    classification file, whose reader takes the text column or the last one). The sniffs are
    strict: running text taken for CoNLL would lose all but its first words."""
    from xlt.io.detect import detect_kind

    kind = detect_kind(path, among=among, fallback="text", strict=True)
    if kind == "text" and strip_compression_suffix(Path(path).name).lower().endswith(".tsv"):
        return "classification"
    return kind


def iter_texts(path: str | Path, kind: str = "auto") -> Iterator[str]:
    """The texts of ``path`` (``kind`` a format kind, or ``auto``); empty ones kept."""
    from xlt.io.formats import get_format

    p = resolve_path(path)
    use = text_kind(p) if kind == "auto" else kind
    yield from get_format(use).function("texts")(p)


def iter_tokens(path: str | Path, kind: str = "auto") -> Iterator[Sentence]:
    """The token sequences of ``path`` (the target side of a parallel file)."""
    from xlt.io.formats import get_format

    p = resolve_path(path)
    use = text_kind(p, TOKEN_KINDS) if kind == "auto" else kind
    yield from get_format(use).function("tokens")(p)


# --- the per-format functions -----------------------------------------------------------------
def line_texts(path: Path) -> Iterator[str]:
    for _, line in iter_lines(path):
        yield line.strip()


def line_tokens(path: Path) -> Iterator[Sentence]:
    from xlt.io.parallel import split_tokens

    for n, line in iter_lines(path):
        yield Sentence(split_tokens(line), f"{path.name}:{n}")


def conll_texts(path: Path) -> Iterator[str]:
    tokens: list[str] = []
    for _, line in iter_lines(path):
        if not line.strip():
            if tokens:
                yield " ".join(tokens)
                tokens = []
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if fields:
            tokens.append(fields[0])
    if tokens:
        yield " ".join(tokens)


def conll_tokens(path: Path) -> Iterator[Sentence]:
    from xlt.io.conll import read_conll

    for s in read_conll(path, token_col=0, label_col=None):
        yield Sentence(s.tokens, s.id)


def conllu_texts(path: Path) -> Iterator[str]:
    text: str | None = None
    forms: list[str] = []
    for _, line in iter_lines(path):
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


def conllu_tokens(path: Path) -> Iterator[Sentence]:
    from xlt.io.conllu import iter_conllu

    for s in iter_conllu(path):
        yield Sentence(s.forms, s.sent_id)


def tsv_texts(path: Path) -> Iterator[str]:
    """The ``text`` (or ``sentence``/``premise``) column of a TSV with a header, else the last column."""
    column: int | None = None
    for lineno, line in iter_lines(path):
        fields = line.split("\t")
        if lineno == 1:
            header = [f.strip().lower() for f in fields]
            column = next((header.index(n) for n in ("text", "sentence", "premise") if n in header), None)
            if column is not None:
                continue
        if column is None:
            column = len(fields) - 1
        if len(fields) <= column:
            raise DataFormatError(path, lineno, f"expected at least {column + 1} tab-separated fields")
        yield fields[column].strip()


def classification_texts(path: Path) -> Iterator[str]:
    """TSV as :func:`tsv_texts`; CSV and JSONL through :func:`xlt.io.classification.iter_classification`."""
    if strip_compression_suffix(path.name).lower().endswith(".tsv"):
        yield from tsv_texts(path)
        return
    from xlt.io.classification import iter_classification

    for ex in iter_classification(path):
        yield ex.text


def parallel_texts(path: Path) -> Iterator[str]:
    """The target side of each pair (``src ||| tgt`` or two-column TSV), tokens joined by spaces."""
    for sent in parallel_tokens(path):
        yield " ".join(sent.tokens)


def parallel_tokens(path: Path) -> Iterator[Sentence]:
    from xlt.io.parallel import iter_parallel

    for pair in iter_parallel(path, allow_empty=True):
        yield Sentence(pair.tgt, pair.id)


def bible_texts(path: Path) -> Iterator[str]:
    from xlt.io.bible import read_bible

    yield from read_bible(path).values()
