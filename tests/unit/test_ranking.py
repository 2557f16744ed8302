"""Ranking features, metrics, rankers, persistence and the public API."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from xlt.io.tables import read_transfer_table
from xlt.languages.codes import resolve as resolve_language
from xlt.ranking import (
    FeatureExtractor,
    LambdaRankConfig,
    LambdaRankRanker,
    leave_one_target_out,
    rank_sources,
    rankers,
    ranking_metrics,
    softmax_weights,
    source_weights,
)
from xlt.ranking.evaluate import average_precision, ndcg_at_k, precision_at_1
from xlt.ranking.features import TextStats, dataset_features, expand_features, pair_features
from xlt.types import LangScore

L = resolve_language


@pytest.fixture(scope="module")
def table(resources: Path):
    return read_transfer_table(resources / "ranking" / "scores.csv")


def test_ndcg_hand_computed() -> None:
    a, b, c = L("eng"), L("deu"), L("fra")
    rel = {a: 2, b: 1, c: 0}
    assert ndcg_at_k([a, b, c], rel, 3) == pytest.approx(1.0)
    # predicted c, a, b: DCG = 0 + 3/log2(3) + 1/2; IDCG = 3 + 1/log2(3)
    expected = (3 / math.log2(3) + 1 / 2) / (3 + 1 / math.log2(3))
    assert ndcg_at_k([c, a, b], rel, 3) == pytest.approx(expected)
    assert ndcg_at_k([c, a, b], rel, 1) == 0.0
    assert ndcg_at_k([a], {a: 0}, 1) == 0.0  # nothing relevant
    assert precision_at_1([a, b], rel) == 1.0 and precision_at_1([b, a], rel) == 0.0
    assert average_precision([c, a, b], rel) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert set(ranking_metrics([a, b, c], rel)) == {"ndcg@1", "ndcg@3", "ndcg@5", "p@1", "map"}


def test_softmax_weights() -> None:
    w = softmax_weights([2.0, 1.0, float("nan")])
    assert sum(w) == pytest.approx(1.0) and w[0] > w[1] > w[2] == 0.0
    assert softmax_weights([]) == []
    assert softmax_weights([1.0, 1.0]) == [0.5, 0.5]
    sharper = softmax_weights([2.0, 1.0], temperature=0.1)
    assert sharper[0] > w[0]


def test_pair_features_and_missing_uriel() -> None:
    feats = pair_features(L("wol"), L("fon"))
    assert set(feats) == {
        "syntactic", "phonological", "inventory", "featural", "genetic",
        "geographic", "genealogical", "script_match", "typology_imputed",
    }  # fmt: skip
    assert feats["script_match"] == 1.0 and 0 <= feats["typology_imputed"] <= 1
    # a language without URIEL vectors is imputed (nan + flag), not an error
    missing = pair_features(L("wol"), L("aam"))  # Aramanik: in Glottolog, not in URIEL
    assert math.isnan(missing["syntactic"]) and missing["typology_imputed"] == 1.0


def test_expand_features_and_unknown() -> None:
    assert expand_features(["uriel", "geographic", "syntactic"])[:5] == (
        "syntactic", "phonological", "inventory", "featural", "genetic",
    )  # fmt: skip
    from xlt.errors import UnknownNameError

    with pytest.raises(UnknownNameError, match="geographic"):
        expand_features(["geografic"])


def test_dataset_features() -> None:
    a = TextStats.from_texts(["the cat sat", "the dog"])
    b = TextStats.from_texts(["the cat ran away"])
    feats = dataset_features(a, b)
    assert feats["word_overlap"] == pytest.approx(2 / (4 + 4))
    assert feats["size_ratio"] == pytest.approx(4 / 5)
    assert 0 < feats["subword_overlap"] < 1 and feats["ttr_distance"] >= 0
    extractor = FeatureExtractor(["dataset"], samples={L("eng"): ["the cat"], L("deu"): ["the katze"]})
    row = extractor.pair(L("eng"), L("deu"))
    assert row["word_overlap"] == pytest.approx(1 / 4)
    assert math.isnan(extractor.pair(L("eng"), L("fra"))["word_overlap"])  # no sample: nan
    assert extractor.missing_report([L("fra")]) == {"samples": ["fra"]}


def test_heuristic_ranker_orders_by_distance() -> None:
    ranker = rankers.build("geographic")
    out = ranker.rank(L("wol"), [L("eng"), L("fon"), L("wol"), L("cmn")])
    assert [s.language.code for s in out] == ["fon", "eng", "cmn"]  # target itself excluded
    assert all(isinstance(s, LangScore) for s in out)
    assert out[0].features["geographic"] < out[1].features["geographic"]


def test_rank_average_uses_all_features() -> None:
    ranker = rankers.build("rank-average")
    out = ranker.rank(L("xho"), [L("zul"), L("eng"), L("cmn")])
    assert out[0].language.code == "zul"
    assert sum(out[0].explanation.values()) == pytest.approx(out[0].score)


def test_the_default_lambdarank_is_the_chosen_one() -> None:
    """`xlt rank fit` with no options trains what the packaged ranker is (benchmarks/RESULTS.md)."""
    import xlt.resources

    packaged = json.loads(
        (Path(xlt.resources.__file__).parent / "rankers" / "ner" / "ranker.json").read_text()
    )["config"]
    default = LambdaRankConfig().model_dump(mode="json")
    assert (default["blend"], default["blend_feature"]) == (0.2, "syntactic")
    assert {k: default[k] for k in packaged if k in default} == packaged


def test_lambdarank_fit_rank_explain_save_load(table, tmp_path: Path) -> None:
    ranker = LambdaRankRanker(LambdaRankConfig(n_estimators=20, blend=0.0)).fit(table)
    cands = list(table.sources)
    ranked = ranker.rank(L("wol"), cands)
    assert len(ranked) == len(cands) - 1 and all(s.language != L("wol") for s in ranked)
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    for s in ranked:  # TreeSHAP contributions add up to the score
        assert sum(s.explanation.values()) == pytest.approx(s.score, abs=1e-6)
        assert set(s.explanation) == {*ranker.feature_names, "bias"}
    ranker.save(tmp_path / "m")
    meta = json.loads((tmp_path / "m" / "ranker.json").read_text())
    assert meta["training_table"]["sha256"] == table.digest and meta["feature_names"] == ranker.feature_names
    assert "xlt_version" in meta and (tmp_path / "m" / "model.txt").read_text().startswith("tree")
    again = LambdaRankRanker.load(tmp_path / "m")
    ranked2 = again.rank(L("wol"), cands)
    assert [s.language for s in ranked2] == [s.language for s in ranked]
    assert [s.score for s in ranked2] == pytest.approx([s.score for s in ranked])


def test_lambdarank_learns_the_synthetic_signal(table) -> None:
    result = leave_one_target_out(
        table, lambda: rankers.build("lambdarank", {"n_estimators": 30, "min_data_in_leaf": 2}), name="lr"
    )
    assert set(result.per_target) == {"deu", "fra", "hau", "yor", "swa", "wol"}
    assert 0.0 <= result.mean["ndcg@3"] <= 1.0
    baseline = leave_one_target_out(table, lambda: rankers.build("phonological"), name="phon")
    assert result.mean["ndcg@3"] > baseline.mean["ndcg@3"]


def test_relative_features_option(table) -> None:
    ranker = LambdaRankRanker(LambdaRankConfig(n_estimators=5, relative=True)).fit(table)
    assert "geographic_rank" in ranker.feature_names and "script_match_rank" not in ranker.feature_names
    assert len(ranker.rank(L("hau"), list(table.sources))) == len(table.sources) - 1


def test_untrained_and_bad_model_dir(tmp_path: Path) -> None:
    from xlt.errors import DataNotFoundError, XltError

    with pytest.raises(XltError, match="not trained"):
        LambdaRankRanker(LambdaRankConfig()).rank(L("wol"), [L("eng")])
    with pytest.raises(DataNotFoundError):
        LambdaRankRanker.load(tmp_path)


def test_rank_sources_packaged() -> None:
    out = rank_sources("hau", top_k=3)
    assert len(out) == 3 and all(s.language.code != "hau" for s in out)
    given = rank_sources("wol", ["swa", "fra", "eng"], task="ner")
    assert {s.language.given for s in given} == {"swa", "fra", "eng"}
    weights = source_weights(given)
    assert sum(weights) == pytest.approx(1.0) and weights == sorted(weights, reverse=True)
    from xlt.errors import UnknownNameError

    with pytest.raises(UnknownNameError):
        rank_sources("hau", task="pos-tagging-nonexistent")


def test_model_similarity_with_tiny_model(tiny_model_dir: Path) -> None:
    from xlt.ranking.similarity import ModelSimilarity

    parallel = {
        L("eng"): ["the cat sleeps", "a dog runs"],
        L("deu"): ["die katze schläft", "ein hund läuft"],
        L("fra"): ["the cat sleeps", "a dog runs"],
    }
    sim = ModelSimilarity(tiny_model_dir, parallel, batch_size=2)
    assert sim.similarity(L("eng"), L("fra")) == pytest.approx(1.0, abs=1e-5)  # identical text
    s = sim.similarity(L("eng"), L("deu"))
    assert -1.0 <= s <= 1.0
    assert math.isnan(sim.similarity(L("eng"), L("wol")))
    extractor = FeatureExtractor(["model"], similarity=sim)
    assert extractor.pair(L("eng"), L("deu"))["model_similarity"] == pytest.approx(s)
    from xlt.errors import MismatchError

    with pytest.raises(MismatchError):
        ModelSimilarity(tiny_model_dir, {L("eng"): ["a"], L("deu"): []})


def test_model_similarity_feature_in_lambdarank(tiny_model_dir: Path, table, tmp_path: Path) -> None:
    # SIB-200 layout: DIR/<code>_<Script>/dev.tsv with index_id and text, aligned by id
    sentences = {"a1": "the cat sleeps", "a2": "a dog runs", "a3": "rain falls"}
    for i, lang in enumerate(("eng_Latn", "deu_Latn", "fra_Latn", "hau_Latn", "yor_Latn", "wol_Latn")):
        d = tmp_path / "par" / lang
        d.mkdir(parents=True)
        rows = "".join(f"{k}\t{v} {'x' * i}\n" for k, v in sentences.items())
        (d / "dev.tsv").write_text("index_id\ttext\n" + rows, encoding="utf-8")
    cfg = LambdaRankConfig(
        features=("geography", "model"),
        similarity_model=str(tiny_model_dir),
        parallel_dir=tmp_path / "par",
        n_estimators=5,
        min_data_in_leaf=2,
    )
    ranker = LambdaRankRanker(cfg).fit(table)
    ranked = ranker.rank(L("wol"), [L("eng"), L("hau"), L("amh")])
    sims = {s.language.code: s.features["model_similarity"] for s in ranked}
    assert -1 <= sims["eng"] <= 1 and -1 <= sims["hau"] <= 1
    assert math.isnan(sims["amh"])  # no parallel text for amh: imputed, not an error
    from xlt.errors import ConfigError

    # a live encoder needs parallel text; without one the packaged precomputed table is used
    with pytest.raises(ConfigError, match="parallel_dir"):
        LambdaRankRanker(LambdaRankConfig(features=("model",), similarity_model=str(tiny_model_dir))).fit(
            table
        )


def test_packaged_ranker_metadata() -> None:
    from xlt.ranking import packaged_model_dir

    meta = json.loads((packaged_model_dir("ner") / "ranker.json").read_text())
    assert meta["task"] == "ner" and len(meta["sources"]) == 42
    assert np.isfinite(list(meta["source_prior"].values())).all()


def test_ensemble_and_knn_vectors_round_trip(table, tmp_path: Path) -> None:
    cfg = LambdaRankConfig(n_estimators=5, ensemble=3, uriel_vectors="knn", min_data_in_leaf=2)
    ranker = LambdaRankRanker(cfg).fit(table)
    assert len(ranker.boosters_) == 3
    ranked = ranker.rank(L("yor"), list(table.sources))
    for s in ranked:
        assert sum(s.explanation.values()) == pytest.approx(s.score, abs=1e-6)
    ranker.save(tmp_path / "ens")
    assert sorted(p.name for p in (tmp_path / "ens").iterdir()) == [
        "model-1.txt", "model-2.txt", "model.txt", "ranker.json",
        "text-model-1.txt", "text-model-2.txt", "text-model.txt",
    ]  # fmt: skip
    again = LambdaRankRanker.load(tmp_path / "ens")
    assert [s.score for s in again.rank(L("yor"), list(table.sources))] == pytest.approx(
        [s.score for s in ranked]
    )
    (tmp_path / "ens" / "model-2.txt").unlink()
    from xlt.errors import DataNotFoundError

    with pytest.raises(DataNotFoundError, match=r"model-2\.txt"):
        LambdaRankRanker.load(tmp_path / "ens")


def test_languages_without_typology_are_reported_not_dropped(tmp_path: Path, caplog) -> None:
    path = tmp_path / "t.csv"
    # aam (Aramanik) is in Glottolog but not in URIEL
    path.write_text(",eng,fra\neng,,1\nfra,1,\ndeu,2,2\naam,3,3\nspa,4,4\n", encoding="utf-8")
    table = read_transfer_table(path)
    with caplog.at_level("WARNING", logger="xlt.ranking.learned"):
        ranker = LambdaRankRanker(LambdaRankConfig(n_estimators=3, min_data_in_leaf=1)).fit(table)
    assert ranker.missing_ == {"uriel": ["aam"]}
    assert "aam" in caplog.text
    ranked = ranker.rank(L("eng"), list(table.sources))
    assert L("aam") in [s.language for s in ranked]  # still ranked, with imputed features


def test_lambdarank_auto_selects_on_training_targets_only(table, tmp_path: Path) -> None:
    cfg = {"n_estimators": 5, "min_data_in_leaf": 2, "candidate_features": [["uriel"], ["geography"]]}
    ranker = rankers.build("lambdarank-auto", cfg).fit(table.without_target(L("wol")))
    assert set(ranker.selection_) == {"uriel", "geography"}
    assert ranker.model_.config.features in (("uriel",), ("geography",))
    assert len(ranker.rank(L("wol"), list(table.sources))) == len(table.sources) - 1
    ranker.save(tmp_path / "auto")
    meta = json.loads((tmp_path / "auto" / "ranker.json").read_text())
    assert meta["selected_by"] == "lambdarank-auto" and set(meta["selection"]) == {"uriel", "geography"}
    assert LambdaRankRanker.load(tmp_path / "auto").config.features == ranker.model_.config.features
