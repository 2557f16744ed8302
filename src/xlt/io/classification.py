"""Text classification data: SIB-200 / Taxi1500 / AmericasNLI TSV, NusaX CSV, JSONL.

Columns are found by header name: the text is ``text`` / ``sentence`` / ``premise``,
the optional second text ``text_pair`` / ``hypothesis`` / ``sentence2``, the label
``label`` / ``category``, the id ``id`` / ``index_id`` / ``idx``. Headerless TSV
files (Taxi1500: ``verse_id<TAB>label<TAB>text``) need ``columns=`` unless they
have exactly three columns with a numeric id first. Every row is validated; a
bad row raises :class:`DataFormatError` with the file and line.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from xlt.errors import DataFormatError
from xlt.io.files import atomic_writer, iter_lines, loads_json, resolve_path, strip_compression_suffix
from xlt.types import TextExample

log = logging.getLogger(__name__)

ClassificationFormat = Literal["auto", "tsv", "csv", "jsonl"]

TEXT_NAMES = ("text", "sentence", "premise", "sentence1", "content")
PAIR_NAMES = ("text_pair", "hypothesis", "sentence2")
LABEL_NAMES = ("label", "category", "labels", "gold_label")
ID_NAMES = ("id", "index_id", "idx", "guid")


def _format_of(path: Path) -> str:
    name = strip_compression_suffix(path.name).lower()
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    return "tsv"


def _pick(header: Sequence[str], given: str | None, names: Sequence[str]) -> int | None:
    low = [h.strip().lower() for h in header]
    if given is not None:
        return low.index(given.lower()) if given.lower() in low else None
    for n in names:
        if n in low:
            return low.index(n)
    return None


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, list[str]]]:
    if fmt == "tsv":
        for lineno, line in iter_lines(path):
            if line.strip():
                yield lineno, line.split("\t")
        return
    lines = iter_lines(path)
    numbers: list[int] = []

    def text_lines() -> Iterator[str]:
        for lineno, line in lines:
            numbers.append(lineno)
            yield line + "\n"

    reader = csv.reader(text_lines())
    start = 1
    try:
        for row in reader:
            first = start
            start = numbers[-1] + 1 if numbers else start
            if row and any(c.strip() for c in row):
                yield first, row
    except csv.Error as err:
        raise DataFormatError(path, numbers[-1] if numbers else None, f"malformed CSV: {err}") from None


def _read_table(
    path: Path,
    fmt: str,
    *,
    text_field: str | None,
    label_field: str | None,
    pair_field: str | None,
    id_field: str | None,
    columns: Sequence[str] | None,
    empty_text: str,
) -> Iterator[TextExample]:
    rows = _rows(path, fmt)
    if columns is not None:
        header: list[str] = [c.lower() for c in columns]
        header_line = 0
    else:
        try:
            header_line, header = next(rows)
        except StopIteration:
            raise DataFormatError(path, None, "empty file; expected a header and examples") from None
        if _pick(header, text_field, TEXT_NAMES) is None:
            if fmt == "tsv" and len(header) == 3 and header[0].strip().isdigit():
                # Taxi1500 style: id, label, text without a header
                row0 = header
                header = ["id", "label", "text"]
                rows = _chain([(header_line, row0)], rows)
                header_line = 0
            else:
                raise DataFormatError(
                    path,
                    header_line,
                    f"no text column in header {header!r}; expected one of {', '.join(TEXT_NAMES)}",
                    hint="pass text_field= / columns= (or --kind with a known format)",
                )
    ti = _pick(header, text_field, TEXT_NAMES)
    li = _pick(header, label_field, LABEL_NAMES)
    pi = _pick(header, pair_field, PAIR_NAMES)
    ii = _pick(header, id_field, ID_NAMES)
    if ti is None:
        raise DataFormatError(path, header_line or None, f"text column {text_field!r} not in {header!r}")
    if label_field is not None and li is None:
        raise DataFormatError(path, header_line or None, f"label column {label_field!r} not in {header!r}")
    n = len(header)
    extra = [i for i, h in enumerate(header) if i not in (ti, li, pi, ii)]
    name = strip_compression_suffix(path.name)
    empty = _EmptyTexts(path)
    for lineno, row in rows:
        if len(row) != n:
            raise DataFormatError(
                path, lineno, f"expected {n} columns ({', '.join(header)}), found {len(row)}"
            )
        text = row[ti].strip()
        if not text:
            if empty_text == "error":
                raise DataFormatError(path, lineno, f"empty text in column {header[ti]!r}")
            empty.add(lineno)
        label = row[li].strip() if li is not None else None
        if li is not None and not label:
            raise DataFormatError(
                path, lineno, f"empty label in column {header[li]!r}; expected a label on every example"
            )
        meta = {header[i]: row[i] for i in extra}
        yield TextExample(
            text,
            label,
            row[pi].strip() if pi is not None else None,
            row[ii].strip() if ii is not None else f"{name}:{lineno}",
            meta,
        )
    empty.report()


class _EmptyTexts:
    """Examples kept with an empty text (the documented rule): counted, reported once per file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[int] = []

    def add(self, lineno: int) -> None:
        self.lines.append(lineno)

    def report(self) -> None:
        if self.lines:
            log.warning(
                "%s: %d example(s) with an empty text kept as empty examples (first at line %d)",
                self.path,
                len(self.lines),
                self.lines[0],
            )


def _label_value(value: object, path: Path, lineno: int, field: str) -> str:
    """A JSONL label as a string: strings and integers are labels; null, empty strings, objects,
    arrays, booleans and floats are errors (they are never a class name)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        kind = "null" if value is None else type(value).__name__
        if isinstance(value, dict):
            kind = "an object"
        elif isinstance(value, list):
            kind = "an array"
        raise DataFormatError(
            path, lineno, f"label field {field!r} is {kind}; expected a string or an integer class label"
        )
    text = str(value).strip()
    if not text:
        raise DataFormatError(
            path, lineno, f"label field {field!r} is empty; expected a label on every example"
        )
    return text


def _chain(
    first: list[tuple[int, list[str]]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield from first
    yield from rest


def _read_jsonl(
    path: Path,
    *,
    text_field: str | None,
    label_field: str | None,
    pair_field: str | None,
    id_field: str | None,
    empty_text: str,
) -> Iterator[TextExample]:
    name = strip_compression_suffix(path.name)
    empty = _EmptyTexts(path)
    for lineno, line in iter_lines(path):
        if not line.strip():
            continue
        obj = loads_json(line, path, lineno)
        if not isinstance(obj, dict):
            raise DataFormatError(
                path, lineno, f"expected a JSON object per line, found {type(obj).__name__}"
            )
        keys = list(obj)
        ti = _pick(keys, text_field, TEXT_NAMES)
        if ti is None:
            raise DataFormatError(
                path,
                lineno,
                f"no text field in {sorted(obj)}; expected {text_field or ' / '.join(TEXT_NAMES)}",
            )
        li = _pick(keys, label_field, LABEL_NAMES)
        if label_field is not None and li is None:
            raise DataFormatError(path, lineno, f"no label field {label_field!r} in {sorted(obj)}")
        pi, ii = _pick(keys, pair_field, PAIR_NAMES), _pick(keys, id_field, ID_NAMES)
        text = obj[keys[ti]]
        if not isinstance(text, str):
            raise DataFormatError(
                path, lineno, f"field {keys[ti]!r} must be a string, found {type(text).__name__}"
            )
        if not text.strip():
            if empty_text == "error":
                raise DataFormatError(path, lineno, f"field {keys[ti]!r} is empty")
            empty.add(lineno)
        used = {keys[i] for i in (ti, li, pi, ii) if i is not None}
        label = _label_value(obj[keys[li]], path, lineno, keys[li]) if li is not None else None
        yield TextExample(
            text,
            label,
            None if pi is None else str(obj[keys[pi]]),
            str(obj[keys[ii]]) if ii is not None and obj[keys[ii]] is not None else f"{name}:{lineno}",
            {k: v for k, v in obj.items() if k not in used},
        )
    empty.report()


def iter_classification(
    path: str | Path,
    *,
    fmt: ClassificationFormat = "auto",
    text_field: str | None = None,
    label_field: str | None = None,
    pair_field: str | None = None,
    id_field: str | None = None,
    columns: Sequence[str] | None = None,
    empty_text: Literal["keep", "error"] = "keep",
) -> Iterator[TextExample]:
    """Stream classification examples (see the module docstring for the column rules).

    An empty text (AmericasNLI has one) is kept, counted and logged as one warning per
    file, or raises with ``empty_text="error"``. A label column or field that is present
    but empty, null, an object, an array or a boolean always raises (a file without a label
    column gives unlabelled examples).
    """
    p = resolve_path(path)
    use = _format_of(p) if fmt == "auto" else fmt
    if use == "jsonl":
        yield from _read_jsonl(
            p,
            text_field=text_field,
            label_field=label_field,
            pair_field=pair_field,
            id_field=id_field,
            empty_text=empty_text,
        )
    elif use in ("tsv", "csv"):
        yield from _read_table(
            p,
            use,
            text_field=text_field,
            label_field=label_field,
            pair_field=pair_field,
            id_field=id_field,
            columns=columns,
            empty_text=empty_text,
        )
    else:
        raise ValueError(f"fmt must be auto, tsv, csv or jsonl, not {fmt!r}")


def read_classification(
    path: str | Path, *, fmt: ClassificationFormat = "auto", **kwargs: Any
) -> list[TextExample]:
    """All examples of a SIB-200/Taxi1500/AmericasNLI TSV, NusaX CSV or JSONL file."""
    examples = list(iter_classification(path, fmt=fmt, **kwargs))
    if not examples:
        raise DataFormatError(resolve_path(path), None, "no examples found")
    return examples


def read_labels(path: str | Path) -> list[str]:
    """A label list file (one label per line, e.g. SIB-200 ``labels.txt``)."""
    labels = [line.strip() for _, line in iter_lines(path) if line.strip()]
    if len(set(labels)) != len(labels):
        raise DataFormatError(path, None, "duplicate labels in label list")
    return labels


def write_jsonl(examples: Iterable[TextExample], path: str | Path) -> int:
    """Write examples as JSONL (``id``, ``text``, ``label`` and ``text_pair`` when set, plus meta; atomic)."""
    n = 0
    with atomic_writer(path) as fh:
        for ex in examples:
            obj: dict[str, Any] = {"id": ex.id, "text": ex.text}
            if ex.label is not None:  # unlabelled examples have no label field (null is refused)
                obj["label"] = ex.label
            if ex.text_pair is not None:
                obj["text_pair"] = ex.text_pair
            for k, v in ex.meta.items():
                obj.setdefault(k, v)
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            n += 1
    return n
