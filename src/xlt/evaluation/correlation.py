"""Correlation of transfer scores with language distances (Pearson and Spearman, with p-values).

As in Eronen, Ptaszynski & Masui (2023), "Zero-shot cross-lingual transfer language
selection using linguistic similarity", and Lauscher et al. (2020): for every kind of
distance (syntactic, genetic, geographic, lexical overlap...), correlate it with the
scores of the (source, target) transfer pairs. The statistics are scipy's
(``pearsonr``, ``spearmanr``, ``linregress``; two-sided p-values from the t distribution
with ``n - 2`` degrees of freedom); the wrappers add xlt's rules for degenerate input.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from xlt.errors import DataFormatError, MismatchError
from xlt.io.files import iter_lines

Pair = tuple[str, str]


@dataclass(frozen=True)
class Correlation:
    """Pearson r and Spearman ρ between one distance and the transfer scores."""

    distance: str
    n: int
    pearson_r: float
    pearson_p: float
    spearman_rho: float
    spearman_p: float
    slope: float  # least-squares fit score = intercept + slope * distance
    intercept: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite_pair(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    if len(x) != len(y):
        raise MismatchError(f"{len(x)} x values but {len(y)} y values")
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _degenerate(a: np.ndarray, b: np.ndarray) -> bool:
    """Too few points, or a constant variable: no correlation is defined (NaN, no warning)."""
    return a.size < 2 or float(np.ptp(a)) == 0 or float(np.ptp(b)) == 0


def pearson(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Pearson's r and its two-sided p-value (``scipy.stats.pearsonr``; NaN when a variable is
    constant, and a NaN p-value for fewer than 3 points)."""
    from scipy import stats

    a, b = _finite_pair(x, y)
    if _degenerate(a, b):
        return float("nan"), float("nan")
    if a.size < 3:
        return float(np.sign((a[1] - a[0]) * (b[1] - b[0]))), float("nan")
    res = stats.pearsonr(a, b)
    return float(res.statistic), float(res.pvalue)


def average_ranks(values: Sequence[float]) -> np.ndarray:
    """1-based ranks, ties sharing the average of their positions (``scipy.stats.rankdata``)."""
    from scipy import stats

    return stats.rankdata(np.asarray(values, dtype=float), method="average")


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Spearman's ρ and its two-sided p-value (``scipy.stats.spearmanr``: Pearson on average
    ranks, t-distribution p-value)."""
    from scipy import stats

    a, b = _finite_pair(x, y)
    if _degenerate(a, b):
        return float("nan"), float("nan")
    if a.size < 3:
        return pearson(average_ranks(a), average_ranks(b))
    res = stats.spearmanr(a, b)
    return float(res.statistic), float(res.pvalue)


def least_squares(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """``(slope, intercept)`` of the ordinary least-squares line y = intercept + slope x
    (``scipy.stats.linregress``); NaN slope when x is constant."""
    from scipy import stats

    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.size < 2 or float(np.ptp(a)) == 0:
        return float("nan"), float(b.mean()) if b.size else float("nan")
    res = stats.linregress(a, b)
    return float(res.slope), float(res.intercept)


def correlate(distance: str, x: Sequence[float], y: Sequence[float]) -> Correlation:
    r, rp = pearson(x, y)
    rho, sp = spearman(x, y)
    slope, intercept = least_squares(x, y)
    return Correlation(distance, len(x), r, rp, rho, sp, slope, intercept)


def distance_correlations(
    scores: Mapping[Pair, float], distances: Mapping[str, Mapping[Pair, float]]
) -> list[Correlation]:
    """One :class:`Correlation` per distance kind, over the pairs that have both a score and
    that distance (pairs missing a distance are left out of that kind only)."""
    out = []
    for kind in sorted(distances):
        table = distances[kind]
        pairs = [
            p for p in sorted(scores) if p in table and table[p] is not None and not math.isnan(table[p])
        ]
        out.append(correlate(kind, [table[p] for p in pairs], [scores[p] for p in pairs]))
    return out


def per_target_correlations(
    scores: Mapping[Pair, float], distances: Mapping[str, Mapping[Pair, float]], *, min_sources: int = 3
) -> dict[str, list[Correlation]]:
    """Correlations computed within each target over its sources (the question a source-selection
    method answers: for *this* target, do closer sources transfer better?). Targets with fewer than
    ``min_sources`` scored sources are left out."""
    by_target: dict[str, dict[Pair, float]] = {}
    for (src, tgt), v in scores.items():
        by_target.setdefault(tgt, {})[(src, tgt)] = v
    return {
        tgt: distance_correlations(sub, distances)
        for tgt, sub in sorted(by_target.items())
        if len(sub) >= min_sources
    }


def read_distance_table(path: str | Path) -> dict[str, dict[Pair, float]]:
    """A user distance table: CSV or TSV with header ``source,target,<kind>,<kind>...``.

    Empty cells (or ``NA``) are missing values. Returns ``{kind: {(source, target): d}}``.
    """
    lines = [text for _, text in iter_lines(path)]
    if not lines:
        raise DataFormatError(path, 1, "empty distance table; expected a header source,target,<kind>...")
    delim = "\t" if "\t" in lines[0] else ","
    rows = list(csv.reader(lines, delimiter=delim))
    header = [h.strip() for h in rows[0]]
    if len(header) < 3 or [h.lower() for h in header[:2]] != ["source", "target"]:
        raise DataFormatError(
            path, 1, f"expected header 'source{delim}target{delim}<distance kind>...', found {header!r}"
        )
    table: dict[str, dict[Pair, float]] = {kind: {} for kind in header[2:]}
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise DataFormatError(path, lineno, f"expected {len(header)} columns, found {len(row)}")
        pair = (row[0].strip(), row[1].strip())
        for kind, cell in zip(header[2:], row[2:], strict=True):
            cell = cell.strip()
            if cell in ("", "NA", "nan", "-"):
                continue
            try:
                table[kind][pair] = float(cell)
            except ValueError:
                raise DataFormatError(
                    path, lineno, f"column {kind!r}: expected a number, found {cell!r}"
                ) from None
    return table


def typology_kinds() -> tuple[str, ...]:
    """The distance kinds :mod:`xlt.languages.typology` provides (URIEL groups, then the rest)."""
    from xlt.languages.typology import URIEL_GROUPS

    return (*URIEL_GROUPS, "genetic", "geographic", "genealogical")


def typology_distances(
    pairs: Sequence[Pair], kinds: Sequence[str] | None = None
) -> dict[str, dict[Pair, float]]:
    """Distances of each kind for each (source, target) pair from :mod:`xlt.languages.typology`
    (URIEL vectors, Glottolog coordinates and classification). Codes such as ``wol_Latn`` or
    ``wo`` are reduced to ISO 639-3 first; unknown languages give no value (left out)."""
    from xlt.errors import UnknownNameError
    from xlt.languages import typology
    from xlt.languages.codes import language_key

    funcs = {
        "genetic": typology.genetic_distance,
        "geographic": typology.geographic_distance,
        "genealogical": typology.genealogical_distance,
    }
    valid = set(typology_kinds())
    out: dict[str, dict[Pair, float]] = {}
    for kind in kinds if kinds is not None else typology_kinds():
        if kind not in valid:
            raise UnknownNameError("distance kind", kind, valid)
        table: dict[Pair, float] = {}
        for src, tgt in pairs:
            a, b = language_key(src), language_key(tgt)
            if kind in funcs:
                d = funcs[kind](a, b)
            else:
                d, _imputed = typology.typological_distance(a, b, kind)
            if d is not None and not math.isnan(d):
                table[(src, tgt)] = float(d)
        out[kind] = table
    return out
