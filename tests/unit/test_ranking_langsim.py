"""Text/model language similarity, the text-only fallback for targets URIEL lacks, calibration."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import pytest

from xlt.io.tables import read_transfer_table
from xlt.languages import typology
from xlt.languages.codes import resolve as resolve_language
from xlt.ranking import LambdaRankConfig, LambdaRankRanker
from xlt.ranking.evaluate import calibrate_temperature, standard_error
from xlt.ranking.langsim import LanguageSimilarity, model_pair_features, text_pair_features
from xlt.ranking.text import TextProfile, read_text_file, text_features

L = resolve_language
#: Auvergnat: a code xlt parses but URIEL has no entry for
NO_URIEL = "auv"

TEXTS = {
    "eng": ["the house is big", "the dog sees the house", "a small dog"],
    "deu": ["das haus ist groß", "der hund sieht das haus", "ein kleiner hund"],
    "nld": ["het huis is groot", "de hond ziet het huis", "een kleine hond"],
    "fra": ["la maison est grande", "le chien voit la maison", "un petit chien"],
    "hau": ["gidan yana da girma", "kare yana ganin gidan", "karamin kare"],
    "yor": ["ilé náà tóbi", "ajá rí ilé náà", "ajá kékeré"],
    "swa": ["nyumba ni kubwa", "mbwa anaona nyumba", "mbwa mdogo"],
    "wol": ["kër gi dafa rëy", "xaj bi gis na kër gi", "xaj bu ndaw"],
}


@pytest.fixture(scope="module")
def table(resources: Path):
    return read_transfer_table(resources / "ranking" / "scores.csv")


@pytest.fixture(scope="module")
def langsim_file(tmp_path_factory) -> Path:
    profiles = {L(k).code: TextProfile.from_texts(v) for k, v in TEXTS.items()}
    codes = sorted(profiles)
    pairs = text_pair_features(profiles, codes, codes)
    rng = __import__("numpy").random.default_rng(0)
    emb = {c: rng.normal(size=(3, 5, 4)).astype("float32") for c in codes}
    model_pairs, _ = model_pair_features(emb, codes, codes)
    pairs.update(model_pairs)
    out = tmp_path_factory.mktemp("langsim") / "langsim.json.gz"
    LanguageSimilarity(pairs, profiles, {"tokenizer": None, "top": 800}).save(out)
    return out


def test_text_features_identity_and_disjoint() -> None:
    a = TextProfile.from_texts(TEXTS["eng"])
    same = text_features(a, a)
    assert same["char_cosine"] == pytest.approx(1.0) and same["word_overlap_text"] == pytest.approx(1.0)
    assert same["script_overlap"] == pytest.approx(1.0)
    assert math.isnan(same["subword_coverage"])  # no tokenizer
    other = text_features(a, TextProfile.from_texts(["ሰላም ለዓለም"]))
    assert other["char_cosine"] == 0.0 and other["script_overlap"] == 0.0
    near, far = (
        text_features(TextProfile.from_texts(TEXTS["deu"]), TextProfile.from_texts(TEXTS["nld"])),
        other,
    )
    assert near["char_overlap"] > far["char_overlap"]
    back = TextProfile.from_dict(json.loads(json.dumps(a.to_dict())))
    assert back == a


def test_langsim_round_trip_and_target_text(langsim_file: Path, tmp_path: Path) -> None:
    sim = LanguageSimilarity.load(langsim_file)
    v = sim.pair(L("deu"), L("nld"), ["char_cosine", "mexa_pair", "model_similarity"])
    assert all(0 <= x <= 1.0001 or x < 0 for x in v.values()) and not math.isnan(v["char_cosine"])
    assert math.isnan(sim.pair(L(NO_URIEL), L("eng"), ["char_cosine"])["char_cosine"])
    sim.add_target_text(L(NO_URIEL), ["la maison est petite", "le chien"], tokenizer_dir=None)
    assert (
        sim.pair(L(NO_URIEL), L("fra"), ["char_cosine"])["char_cosine"]
        > sim.pair(L(NO_URIEL), L("hau"), ["char_cosine"])["char_cosine"]
    )
    text = tmp_path / "t.txt"
    text.write_text("a\tline one\n\nline two\n", encoding="utf-8")
    assert read_text_file(text) == ["line one", "line two"]


def test_target_without_uriel_uses_text_fallback(table, langsim_file: Path, tmp_path: Path, caplog) -> None:
    assert typology.uriel_code(NO_URIEL) is None
    cfg = LambdaRankConfig(langsim=langsim_file, blend=0.3, blend_feature="geographic", n_estimators=20)
    ranker = LambdaRankRanker(cfg).fit(table)
    assert ranker.fallback_boosters_ and "char_cosine" in ranker.fallback_features
    ranker.temperature_ = 2.0
    ranker.save(tmp_path / "m")
    loaded = LambdaRankRanker.load(tmp_path / "m")
    assert loaded.temperature_ == 2.0 and len(loaded.fallback_boosters_) == 1
    loaded.use_target_text(L(NO_URIEL), ["la maison est grande", "le petit chien voit"], tokenizer_dir=None)
    with caplog.at_level(logging.WARNING):
        out = loaded.rank(L(NO_URIEL), [L(c) for c in ("eng", "fra", "hau", "swa")])
    assert "not in URIEL" in caplog.text
    assert len(out) == 4 and set(out[0].explanation) <= {
        *loaded.fallback_features,
        "bias",
        "geographic (blend)",
    }
    assert all(math.isfinite(s.score) for s in out)
    # a known target still uses the full model; explanations name the blend term and add up
    known = loaded.rank(L("wol"), [L(c) for c in ("eng", "fra", "hau")])
    assert sum(known[0].explanation.values()) == pytest.approx(known[0].score, abs=1e-6)
    assert "geographic (blend)" in known[0].explanation


def test_monotone_regularised_and_calibration(table) -> None:
    cfg = LambdaRankConfig(monotone=True, lambda_l2=1.0, n_estimators=10, text_fallback=False)
    ranker = LambdaRankRanker(cfg).fit(table)
    params = ranker._params(ranker.feature_names)
    assert params["monotone_constraints"][ranker.feature_names.index("geographic")] == -1
    assert params["monotone_constraints"][ranker.feature_names.index("source_prior")] == 1
    best, loglik = calibrate_temperature(
        table, lambda: LambdaRankRanker(cfg), targets=[L("hau"), L("wol")], top=2, grid=(0.5, 1.0, 4.0)
    )
    assert best in (0.5, 1.0, 4.0) and set(loglik) == {0.5, 1.0, 4.0}
    assert standard_error([1.0, 3.0]) == pytest.approx(1.0) and standard_error([2.0]) == 0.0


def test_cli_predict_unknown_target_with_text(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlt.cli.app import app

    text = tmp_path / "target.txt"
    text.write_text("la maison est grande\nle chien voit la maison\n" * 20, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "rank",
            "predict",
            "--target",
            NO_URIEL,
            "--target-text",
            str(text),
            "--top-k",
            "3",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout[res.stdout.index("[") :])
    assert len(rows) == 3 and sum(r["weight"] for r in rows) == pytest.approx(1.0)
    assert "char_cosine" in rows[0]["features"]


def test_cli_fit_calibrates_temperature(resources: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from xlt.cli.app import app

    args = ["rank", "fit", "--table", str(resources / "ranking" / "scores.csv"), "--out", str(tmp_path / "m")]
    args += ["--calibrate-on", "hau,wol", "--set", "n_estimators=5", "--set", "min_data_in_leaf=2"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "m" / "ranker.json").read_text())
    assert meta["temperature"] in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
