"""Typological, geographic and genealogical distances between languages.

URIEL (Littell et al. 2017, *URIEL and lang2vec: Representing languages as typological,
geographical, and phylogenetic vectors*) vectors are read straight from the data files
shipped with the ``lang2vec`` package (its PyPI wheel lacks ``distance()``, and importing
it is slow), so distances are computed here:

* ``syntactic``, ``phonological``, ``inventory``, ``featural`` (all three together): cosine
  distance between URIEL "average" vectors; features a source left unknown are imputed with
  URIEL's kNN predictions and the imputed share is reported (``imputed``);
* ``genetic``: cosine distance between URIEL family-membership vectors;
* ``geographic``: great-circle distance (km) between Glottolog/WALS coordinates;
* ``genealogical``: 1 − shared share of the Glottolog classification path (1 across families).

A language URIEL does not cover yields ``nan`` (never an exception): rankers impute it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from xlt.errors import DataNotFoundError
from xlt.languages.codes import alternates
from xlt.languages.table import language_table

URIEL_GROUPS: dict[str, str] = {"syntactic": "S_", "phonological": "P_", "inventory": "INV_", "featural": ""}
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class UrielData:
    """URIEL matrices indexed by ISO 639-3 code."""

    index: dict[str, int]
    features: tuple[str, ...]
    average: np.ndarray  # (langs, 289) in [0, 1], -1 = unknown
    predicted: np.ndarray  # (langs, 289) kNN predictions (complete)
    family: np.ndarray  # (langs, families) bool


def uriel_dir() -> Path:
    """The ``data`` directory of the installed ``lang2vec`` package.

    Found on ``sys.path`` without importing lang2vec (slow; and its ``bin/lang2vec.py``
    script shadows the package when xlt runs as a console script).
    """
    for entry in sys.path:
        candidate = Path(entry or ".") / "lang2vec" / "data"
        if (candidate / "feature_averages.npz").is_file():
            return candidate
    raise DataNotFoundError(
        "URIEL data not found: the 'lang2vec' package is not installed", hint="pip install lang2vec"
    )


@lru_cache(maxsize=1)
def _uriel_average() -> tuple[dict[str, int], tuple[str, ...], np.ndarray]:
    """The (fast to load) URIEL averages: language index, feature names, values (-1 = unknown)."""
    with np.load(uriel_dir() / "feature_averages.npz", allow_pickle=False) as avg:
        langs = [str(x) for x in avg["langs"]]
        feats = tuple(str(x) for x in avg["feats"])
        average = avg["data"][:, :, 0].astype(np.float32)
    return {c: i for i, c in enumerate(langs)}, feats, average


@lru_cache(maxsize=1)
def uriel_data() -> UrielData:
    base = uriel_dir()
    index, feats, average = _uriel_average()
    langs = sorted(index, key=index.__getitem__)
    with np.load(base / "feature_predictions.npz", allow_pickle=False) as pred:
        if [str(x) for x in pred["langs"]] != langs:
            raise DataNotFoundError(f"{base}: URIEL files disagree on the language order")
        predicted = pred["data"][:, :, 0].astype(np.float32)
    with np.load(base / "family_features.npz", allow_pickle=False) as fam:
        order = {str(c): i for i, c in enumerate(fam["langs"])}
        rows = np.array([order.get(c, -1) for c in langs])
        family = fam["data"][:, :, 0][rows] > 0.5
        family[rows < 0] = False
    return UrielData(index, feats, average, predicted, family)


def uriel_code(code: str) -> str | None:
    """The code under which URIEL knows ``code`` (tries macrolanguage alternates), or None."""
    index, _, average = _uriel_average()
    for alt in alternates(code):
        i = index.get(alt)
        if i is not None and (average[i] >= 0).any():
            return alt
    for alt in alternates(code):
        if alt in index:
            return alt
    return None


def _cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 1.0 if na != nb else 0.0
    return float(1.0 - np.dot(a, b) / (na * nb))


@lru_cache(maxsize=len(URIEL_GROUPS))
def _group_columns(group: str) -> np.ndarray:
    """Boolean mask of the URIEL feature columns of ``group`` (computed once per group)."""
    prefix = URIEL_GROUPS[group]
    return np.array([f.startswith(prefix) for f in _uriel_average()[1]])


def typological_vector(
    code: str, group: str, vectors: str = "average"
) -> tuple[np.ndarray, np.ndarray] | None:
    """(vector, imputed mask) of ``group`` for ``code``.

    ``vectors="average"``: URIEL's averaged observed values, unknown ones filled with URIEL's kNN
    predictions (and marked in the mask); ``"knn"``: the kNN-predicted vectors throughout, as
    lang2vec's precomputed distances use (the mask still marks unobserved values).
    """
    ucode = uriel_code(code)
    if ucode is None:
        return None
    data = uriel_data()
    i = data.index[ucode]
    cols = _group_columns(group)
    avg = data.average[i, cols]
    missing = avg < 0
    if vectors == "knn":
        return data.predicted[i, cols], missing
    return np.where(missing, data.predicted[i, cols], avg), missing


def typological_distance(a: str, b: str, group: str, vectors: str = "average") -> tuple[float, float]:
    """(cosine distance, share of imputed values) between two languages; (nan, 1.0) if unknown."""
    va, vb = typological_vector(a, group, vectors), typological_vector(b, group, vectors)
    if va is None or vb is None:
        return math.nan, 1.0
    imputed = float(np.mean(va[1] | vb[1]))
    return _cosine_distance(va[0], vb[0]), imputed


def genetic_distance(a: str, b: str) -> float:
    """Cosine distance of URIEL family-membership vectors (nan if either is unknown)."""
    ua, ub = uriel_code(a), uriel_code(b)
    if ua is None or ub is None:
        return math.nan
    data = uriel_data()
    fa = data.family[data.index[ua]].astype(np.float32)
    fb = data.family[data.index[ub]].astype(np.float32)
    if not fa.any() or not fb.any():
        return math.nan
    return _cosine_distance(fa, fb)


def coordinates(code: str) -> tuple[float, float] | None:
    rec = language_table().by_iso.get(code)
    if rec is None or rec.lat is None or rec.lon is None:
        for alt in alternates(code)[1:]:
            rec = language_table().by_iso.get(alt)
            if rec is not None and rec.lat is not None and rec.lon is not None:
                break
        else:
            return None
    return rec.lat, rec.lon  # type: ignore[return-value]


def great_circle_km(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Haversine distance in kilometres between two (lat, lon) points in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*p, *q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def geographic_distance(a: str, b: str) -> float:
    """Great-circle km between the Glottolog/WALS coordinates of two languages (nan if unknown)."""
    pa, pb = coordinates(a), coordinates(b)
    return math.nan if pa is None or pb is None else great_circle_km(pa, pb)


def classification_path(code: str) -> tuple[str, ...] | None:
    """Glottolog path from the family root down to the language itself."""
    for alt in alternates(code):
        rec = language_table().by_iso.get(alt)
        if rec is not None and rec.glottocode and (rec.lineage or rec.family is None):
            return (*rec.lineage, rec.glottocode)
    return None


def genealogical_distance(a: str, b: str) -> float:
    """1 − (shared classification path) / (longer path); 1.0 across families, 0.0 for itself."""
    pa, pb = classification_path(a), classification_path(b)
    if pa is None or pb is None:
        return math.nan
    if pa == pb:
        return 0.0
    shared = 0
    for x, y in zip(pa, pb, strict=False):
        if x != y:
            break
        shared += 1
    return 1.0 - shared / max(len(pa), len(pb))
