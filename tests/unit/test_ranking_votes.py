"""Voting weights from a ranker: source-level terms left out, expected-relevance calibration."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from xlt.errors import DataFormatError
from xlt.io.tables import read_transfer_table
from xlt.languages.codes import resolve as resolve_language
from xlt.ranking import LambdaRankConfig, LambdaRankRanker
from xlt.ranking.evaluate import calibrate_relevance
from xlt.ranking.learned import PRIOR
from xlt.ranking.learned_terms import source_level_terms
from xlt.types import LangScore

L = resolve_language
CFG = {"n_estimators": 10, "min_data_in_leaf": 2, "text_fallback": False}


@pytest.fixture(scope="module")
def table(resources: Path):
    return read_transfer_table(resources / "ranking" / "scores.csv")


@pytest.fixture(scope="module")
def ranker(table) -> LambdaRankRanker:
    return LambdaRankRanker(LambdaRankConfig(**CFG)).fit(table)


class _Booster:
    """Stands in for a LightGBM booster: its contributions are the feature values themselves."""

    def predict(self, x: np.ndarray, pred_contrib: bool = False, num_threads: int = 1) -> np.ndarray:
        return np.hstack([x, np.zeros((len(x), 1))])


def test_source_level_terms_by_variance_share() -> None:
    rng = np.random.default_rng(0)
    sources = [s for _ in range(20) for s in ("a", "b", "c")]
    per_source = {"a": 1.0, "b": 0.0, "c": -1.0}
    by_source = np.array([per_source[s] for s in sources]) + rng.normal(0, 0.05, len(sources))
    by_pair = rng.normal(0, 1.0, len(sources))  # no source structure
    features = np.column_stack([by_source, by_pair, np.zeros(len(sources))])
    names = ["prior_like", "pair_like", "constant"]
    assert source_level_terms([_Booster()], features, sources, names) == ["prior_like"]


def test_fit_finds_the_prior_source_level(ranker: LambdaRankRanker) -> None:
    assert PRIOR in ranker.source_level_
    assert "geographic" not in ranker.source_level_


def test_vote_scores_drop_source_level_contributions(ranker: LambdaRankRanker) -> None:
    ranked = ranker.rank(L("wol"), [L(c) for c in ("eng", "fra", "hau", "yor")])
    votes = ranker.vote_scores(ranked)
    for s, v in zip(ranked, votes, strict=True):
        assert v == pytest.approx(s.score - sum(s.explanation[t] for t in ranker.source_level_))


def test_vote_weights_expected_relevance() -> None:
    r = LambdaRankRanker(LambdaRankConfig(**CFG))
    r.source_level_ = [PRIOR]
    r.vote_calibration_ = [[-1.0, 0.0, 1.0], [0.0, 2.0, 6.0]]
    scores = [
        LangScore(L("eng"), 1.5, {PRIOR: 0.5, "geographic": 1.0}),  # pair part 1.0 -> 6
        LangScore(L("ita"), 0.0, {PRIOR: -1.0, "geographic": 1.0}),  # pair part 1.0 -> 6
        LangScore(L("deu"), 0.5, {PRIOR: 0.5, "geographic": 0.0}),  # pair part 0.0 -> 2
        LangScore(L("fin"), -5.0, {PRIOR: 0.0, "geographic": -5.0}),  # clipped -> 0
    ]
    w = r.vote_weights(scores)
    assert w == pytest.approx([6 / 14, 6 / 14, 2 / 14, 0.0])
    # a temperature asks for the softmax of the pair part instead
    soft = r.vote_weights(scores, temperature=1.0)
    assert sum(soft) == pytest.approx(1.0) and soft[0] == pytest.approx(soft[1])
    assert soft[1] > soft[2] > soft[3] > 0
    # every expected relevance 0: uniform
    r.vote_calibration_ = [[0.0, 1.0], [0.0, 0.0]]
    assert r.vote_weights(scores) == pytest.approx([0.25] * 4)


def test_calibrate_relevance_is_monotone(table) -> None:
    xs, ys = calibrate_relevance(
        table,
        lambda: LambdaRankRanker(LambdaRankConfig(**CFG)),
        targets=[L("hau"), L("wol"), L("deu")],
        score=lambda r, ranked: r.vote_scores(ranked),
    )
    assert len(xs) == len(ys) >= 2 and xs == sorted(xs)
    assert ys == sorted(ys) and min(ys) >= 0 and max(ys) <= 10


def test_vote_calibration_round_trip_and_bad_file(ranker: LambdaRankRanker, tmp_path: Path) -> None:
    ranker.vote_calibration_ = [[-1.0, 1.0], [0.5, 4.0]]
    ranker.vote_temperature_ = 3.0
    ranker.save(tmp_path / "m")
    loaded = LambdaRankRanker.load(tmp_path / "m")
    assert loaded.vote_calibration_ == [[-1.0, 1.0], [0.5, 4.0]] and loaded.vote_temperature_ == 3.0
    assert loaded.source_level_ == ranker.source_level_
    w = loaded.vote_weights_for(L("wol"), [L("hau"), L("eng"), L("wol")])
    assert len(w) == 3 and sum(w) == pytest.approx(1.0) and w[2] == 0.0  # the target itself
    meta_path = tmp_path / "m" / "ranker.json"
    meta = json.loads(meta_path.read_text())
    meta["vote_calibration"] = [[0.0, 1.0], [1.0]]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(DataFormatError, match="vote_calibration"):
        LambdaRankRanker.load(tmp_path / "m")


def test_packaged_ranker_votes_are_not_one_hot() -> None:
    """The packaged weights for near-equal sources leave no source a majority of the vote."""
    from xlt.projection.multisource import rank_weights

    w = rank_weights("spa", ["eng", "ita", "deu"])
    assert sum(w) == pytest.approx(1.0) and max(w) < 0.5 and min(w) > 0.05


def test_cli_predict_reports_weight_and_p_best(table, resources: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlt.cli.app import app

    args = ["rank", "fit", "--table", str(resources / "ranking" / "scores.csv"), "--out", str(tmp_path / "m")]
    args += ["--calibrate-on", "hau,wol,deu", "--set", "n_estimators=5", "--set", "min_data_in_leaf=2"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "m" / "ranker.json").read_text())
    assert meta["vote_calibration"] and len(meta["vote_calibration"][0]) == len(meta["vote_calibration"][1])
    res = CliRunner().invoke(
        app, ["rank", "predict", "--target", "wol", "--model", str(tmp_path / "m"), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout[res.stdout.index("[") :])
    assert sum(r["weight"] for r in rows) == pytest.approx(1.0)
    assert sum(r["p_best"] for r in rows) == pytest.approx(1.0)


def test_cli_predict_code_xlt_does_not_know(tmp_path: Path) -> None:
    """A made-up code with --target-text: a warning, then the text-only model ranks (packaged)."""
    from typer.testing import CliRunner

    from xlt.cli.app import app

    text = tmp_path / "target.txt"
    text.write_text("ilé náà tóbi gan\najá rí ilé náà\n" * 30, encoding="utf-8")
    args = ["rank", "predict", "--target", "abcd1234", "--target-text", str(text), "--top-k", "3"]
    res = CliRunner().invoke(app, [*args, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "not a language code xlt knows" in res.output
    rows = json.loads(res.stdout[res.stdout.index("[") :])
    assert len(rows) == 3 and sum(r["weight"] for r in rows) == pytest.approx(1.0)
    assert "char_cosine" in rows[0]["explanation"] and "syntactic" not in rows[0]["explanation"]
    # without any text the code is refused (nothing to rank it by)
    bad = CliRunner().invoke(app, ["rank", "predict", "--target", "abcd1234"])
    assert bad.exit_code != 0


def test_blend_of_several_similarities_is_explained(table) -> None:
    cfg = LambdaRankConfig(**CFG, blend=0.4, blend_feature="syntactic+geographic")
    r = LambdaRankRanker(cfg).fit(table)
    assert r.blend_features == ("syntactic", "geographic")
    out = r.rank(L("wol"), [L(c) for c in ("eng", "fra", "hau", "yor", "swa")])
    for s in out:
        assert {"syntactic (blend)", "geographic (blend)"} <= set(s.explanation)
        assert sum(s.explanation.values()) == pytest.approx(s.score, abs=1e-6)
    # each blended feature moves the score in its own direction: the nearest candidate by
    # geography gets the largest geographic blend term
    geo = {s.language.code: s.features.get("geographic", s.explanation["geographic (blend)"]) for s in out}
    nearest = min(geo, key=geo.get)
    assert max(out, key=lambda s: s.explanation["geographic (blend)"]).language.code == nearest
