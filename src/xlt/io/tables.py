"""Transfer tables: a CSV of transfer scores or ranks, source languages × target languages.

Layout (as MasakhaNER 2.0's ``all_lang_ranks.csv``)::

    ,hau,wol,...          <- header: an empty (or "source") corner cell, then target codes
    eng,4.0,26.0,...      <- one row per source language
    hau,0.0,9.0,...

Cells are numbers; an empty cell, ``nan``, ``NA`` or ``-`` means "not measured". Codes
go through :func:`xlt.languages.resolve`, so ``swa`` and ``swh`` are the same language,
and a code xlt cannot map is an error naming the file and line (never dropped).

``kind`` says what the numbers are: ``ranks`` (lower is better; 1 = best source, the
diagonal is the target itself) or ``scores`` (higher is better, e.g. F1). ``auto`` picks
``ranks`` when every value is a non-negative multiple of 0.5 no larger than the number of
sources, otherwise ``scores``.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from xlt.errors import DataFormatError, UnknownNameError
from xlt.io.files import atomic_writer, iter_lines, resolve_path
from xlt.languages.codes import resolve as resolve_language
from xlt.types import Lang

TableKind = Literal["ranks", "scores"]
_MISSING = {"", "nan", "na", "n/a", "-", "none", "null"}
_CORNER = {"", "source", "sources", "src", "source\\target", "lang", "language"}


@dataclass(frozen=True)
class TransferTable:
    """Transfer results: ``values[i, j]`` is source ``sources[i]`` transferred to ``targets[j]``
    (``nan`` = not measured). ``kind`` tells whether lower (ranks) or higher (scores) is better."""

    sources: tuple[Lang, ...]
    targets: tuple[Lang, ...]
    values: np.ndarray
    kind: TableKind
    path: str | None = None
    digest: str = ""

    def __post_init__(self) -> None:
        if self.values.shape != (len(self.sources), len(self.targets)):
            raise ValueError(
                f"values have shape {self.values.shape}, expected {(len(self.sources), len(self.targets))}"
            )

    def target_index(self, target: Lang) -> int:
        for j, t in enumerate(self.targets):
            if t == target:
                return j
        raise UnknownNameError("target language", str(target), [str(t) for t in self.targets])

    def candidates(self, target: Lang) -> list[tuple[Lang, float]]:
        """Measured (source, value) pairs of one target, the target itself excluded."""
        j = self.target_index(target)
        return [
            (s, float(self.values[i, j]))
            for i, s in enumerate(self.sources)
            if s != target and not math.isnan(self.values[i, j])
        ]

    def relevance(self, target: Lang, *, top: int = 10) -> dict[Lang, int]:
        """LangRank graded relevance of each candidate source (Lin et al. 2019).

        Candidates are ordered best first (ascending ranks, descending scores; ties share the
        average position); the best gets ``top``, the next ``top - 1`` ... down to 1, and
        everything from position ``top + 1`` on gets 0. Half positions round up.
        """
        pairs = self.candidates(target)
        values = np.array([v for _, v in pairs], dtype=float)
        positions = average_positions(values if self.kind == "ranks" else -values)
        return {
            s: int(max(0, min(top, math.floor(top + 1 - pos + 0.5))))
            for (s, _), pos in zip(pairs, positions, strict=True)
        }

    def without_target(self, target: Lang) -> TransferTable:
        """The table minus one target column (the target stays available as a source row)."""
        keep = [j for j, t in enumerate(self.targets) if t != target]
        return TransferTable(
            self.sources,
            tuple(self.targets[j] for j in keep),
            self.values[:, keep],
            self.kind,
            self.path,
            self.digest,
        )


def average_positions(values: np.ndarray) -> np.ndarray:
    """1-based positions in ascending order; ties get the average of their positions."""
    order = np.argsort(values, kind="stable")
    positions = np.empty(len(values), dtype=float)
    sorted_vals = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_vals[j + 1] == sorted_vals[i]:
            j += 1
        positions[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return positions


def _parse_code(text: str, path: Path, line: int, what: str) -> Lang:
    try:
        return resolve_language(text)
    except UnknownNameError as err:
        raise DataFormatError(
            path, line, f"{what} {text!r} is not a language xlt knows: {err.message}"
        ) from None


def read_transfer_table(
    path: str | Path,
    *,
    kind: Literal["auto", "ranks", "scores"] = "auto",
    transpose: bool = False,
) -> TransferTable:
    """Read and validate a transfer table (plain or compressed CSV).

    ``transpose=True`` reads files whose rows are targets and columns sources.
    """
    p = resolve_path(path)
    lines = list(iter_lines(p))
    rows = [(n, next(csv.reader([text]))) for n, text in lines if text.strip()]
    if not rows:
        raise DataFormatError(p, None, "empty file; expected a header row of target language codes")
    header_line, header = rows[0]
    if len(header) < 2:
        raise DataFormatError(
            p, header_line, "expected a header: a corner cell, then one column per language"
        )
    if header[0].strip().lower() not in _CORNER:
        raise DataFormatError(
            p, header_line, f"expected an empty or 'source' corner cell, found {header[0]!r}"
        )
    col_langs = [_parse_code(c.strip(), p, header_line, "column code") for c in header[1:]]
    _no_duplicates(col_langs, p, header_line, "column")
    row_langs: list[Lang] = []
    matrix: list[list[float]] = []
    for line, cells in rows[1:]:
        if len(cells) != len(header):
            raise DataFormatError(
                p, line, f"expected {len(header)} comma-separated cells, found {len(cells)}"
            )
        row_langs.append(_parse_code(cells[0].strip(), p, line, "row code"))
        values = []
        for col, cell in enumerate(cells[1:], start=2):
            cell = cell.strip()
            if cell.lower() in _MISSING:
                values.append(math.nan)
                continue
            try:
                value = float(cell)
            except ValueError:
                raise DataFormatError(p, line, f"column {col}: expected a number, found {cell!r}") from None
            if math.isinf(value):
                raise DataFormatError(p, line, f"column {col}: expected a finite number, found {cell!r}")
            values.append(value)
        matrix.append(values)
    if not row_langs:
        raise DataFormatError(p, header_line, "no data rows after the header")
    _no_duplicates(row_langs, p, None, "row")
    values_arr = np.array(matrix, dtype=float)
    sources, targets = row_langs, col_langs
    if transpose:
        sources, targets, values_arr = col_langs, row_langs, values_arr.T
    if np.isnan(values_arr).all():
        raise DataFormatError(p, None, "the table has no numbers")
    resolved: TableKind = _detect_kind(values_arr, len(sources)) if kind == "auto" else kind
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return TransferTable(tuple(sources), tuple(targets), values_arr, resolved, str(p), digest)


def _no_duplicates(langs: Sequence[Lang], path: Path, line: int | None, what: str) -> None:
    seen: dict[Lang, str] = {}
    for lang in langs:
        if lang in seen:
            raise DataFormatError(
                path,
                line,
                f"{what} codes {seen[lang]!r} and {lang.given!r} are the same language ({lang.code})",
            )
        seen[lang] = lang.given


def _detect_kind(values: np.ndarray, n_sources: int) -> TableKind:
    finite = values[~np.isnan(values)]
    half_steps = np.all(np.abs(finite * 2 - np.round(finite * 2)) < 1e-9)
    if half_steps and finite.min() >= 0 and finite.max() <= n_sources:
        return "ranks"
    return "scores"


def write_transfer_table(table: TransferTable, path: str | Path) -> None:
    """Write ``table`` as CSV (sources as rows), codes as the user gave them."""
    with atomic_writer(path) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["", *[str(t) for t in table.targets]])
        for i, source in enumerate(table.sources):
            writer.writerow(
                [str(source), *["" if math.isnan(v) else repr(float(v)) for v in table.values[i]]]
            )
