"""Golden tests for Pearson/Spearman with p-values, least squares and distance tables."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import stats

from xlt.errors import DataFormatError
from xlt.evaluation.correlation import (
    average_ranks,
    correlate,
    distance_correlations,
    least_squares,
    pearson,
    read_distance_table,
    spearman,
)

X = [1, 2, 3, 4, 5]
Y = [2, 4, 5, 4, 5]


def test_pearson_hand_computed() -> None:
    # dx = [-2,-1,0,1,2], dy = [-2,0,1,0,1]: Sxy = 6, Sxx = 10, Syy = 6 -> r = 6/sqrt(60) = 0.774597
    # t = r sqrt(3 / (1 - r^2)) = 0.774597 * sqrt(7.5) = 2.121320; two-sided p = 2 * P(T_3 > 2.121320) = 0.124027
    r, p = pearson(X, Y)
    assert r == pytest.approx(0.774597, abs=1e-6)
    assert p == pytest.approx(0.124027, abs=1e-5)
    ref = stats.pearsonr(X, Y)
    assert (r, p) == pytest.approx((ref.statistic, ref.pvalue))


def test_spearman_hand_computed_with_ties() -> None:
    # ranks of Y with ties: [1, 2.5, 4.5, 2.5, 4.5]; Pearson on ranks: 7 / sqrt(10 * 9) = 0.737865
    assert average_ranks(Y).tolist() == [1.0, 2.5, 4.5, 2.5, 4.5]
    rho, p = spearman(X, Y)
    assert rho == pytest.approx(0.737865, abs=1e-6)
    ref = stats.spearmanr(X, Y)
    assert (rho, p) == pytest.approx((ref.statistic, ref.pvalue))


def test_least_squares_and_degenerate_cases() -> None:
    # slope = Sxy / Sxx = 0.6, intercept = 4 - 0.6 * 3 = 2.2
    assert least_squares(X, Y) == pytest.approx((0.6, 2.2))
    r, p = pearson([1, 1, 1], [1, 2, 3])
    assert math.isnan(r) and math.isnan(p)
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx((1.0, 0.0), abs=1e-6)  # scipy: p ~ 1e-8, not 0
    c = correlate("syntactic", X, Y)
    assert c.n == 5 and c.slope == pytest.approx(0.6)


def test_distance_correlations_use_pairs_present_in_each_table() -> None:
    scores = {("eng", "wol"): 0.2, ("eng", "fra"): 0.8, ("eng", "deu"): 0.7, ("fra", "wol"): 0.3}
    dist = {
        "syntactic": {("eng", "wol"): 0.6, ("eng", "fra"): 0.1, ("eng", "deu"): 0.2, ("fra", "wol"): 0.5},
        "genetic": {("eng", "wol"): 1.0, ("eng", "fra"): 0.5, ("eng", "deu"): 0.3},
    }
    out = {c.distance: c for c in distance_correlations(scores, dist)}
    assert out["syntactic"].n == 4 and out["genetic"].n == 3
    assert out["syntactic"].pearson_r < -0.9


def test_read_distance_table(tmp_path: Path) -> None:
    path = tmp_path / "d.tsv"
    path.write_text(
        "source\ttarget\tsyntactic\tlexical\neng\twol\t0.6\t\neng\tfra\t0.1\t0.4\n", encoding="utf-8"
    )
    table = read_distance_table(path)
    assert table == {
        "syntactic": {("eng", "wol"): 0.6, ("eng", "fra"): 0.1},
        "lexical": {("eng", "fra"): 0.4},
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,syntactic\neng,wol,far\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"bad.csv:2: column 'syntactic'"):
        read_distance_table(bad)
    (tmp_path / "h.csv").write_text("src,tgt,d\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="expected header"):
        read_distance_table(tmp_path / "h.csv")


def test_typology_distances_from_languages_module() -> None:
    from xlt.evaluation.correlation import typology_distances, typology_kinds

    pairs = [("eng", "fra_Latn"), ("eng", "wol_Latn"), ("eng", "zzz")]
    dist = typology_distances(pairs, ["geographic", "genealogical", "syntactic"])
    assert set(dist) == {"geographic", "genealogical", "syntactic"}
    geo = dist["geographic"]
    assert ("eng", "zzz") not in geo  # unknown language: no value, not an error
    assert 0 < geo[("eng", "fra_Latn")] < geo[("eng", "wol_Latn")]
    assert dist["genealogical"][("eng", "wol_Latn")] == 1.0  # different families
    assert "genetic" in typology_kinds()
    with pytest.raises(KeyError):
        typology_distances(pairs, ["nonsense"])


def test_per_target_correlations() -> None:
    from xlt.evaluation.correlation import per_target_correlations

    scores = {("a", "t"): 0.9, ("b", "t"): 0.5, ("c", "t"): 0.1, ("a", "u"): 0.3, ("b", "u"): 0.2}
    dist = {"d": {("a", "t"): 0.1, ("b", "t"): 0.5, ("c", "t"): 0.7, ("a", "u"): 0.2, ("b", "u"): 0.9}}
    out = per_target_correlations(scores, dist)
    assert list(out) == ["t"]  # u has only two sources
    (c,) = out["t"]
    assert c.n == 3 and c.spearman_rho == pytest.approx(-1.0)
