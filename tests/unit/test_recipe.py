"""Recipe schema and validation: bad recipes fail before any long work, naming the key or file."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlt.errors import ConfigError
from xlt.pipeline import load_recipe, run_recipe
from xlt.pipeline.steps import StepRunner
from xlt.projection.constraints import (
    MostFrequentTagBaseline,
    apply_type_constraints,
    filter_by_coverage,
    unlabel_low_confidence,
)
from xlt.types import LabeledSentence

RES = Path(__file__).parents[1] / "resources" / "pipeline"


def test_contract_keys_load(tmp_path, write_recipe, projection_recipe) -> None:
    rec, base = load_recipe(write_recipe(projection_recipe()))
    assert rec.task == "pos" and rec.method == "projection" and rec.model == "crf"
    assert rec.source is not None and rec.source.language == "eng"
    assert base == tmp_path.resolve()


def test_overrides_apply(write_recipe, projection_recipe) -> None:
    rec, _ = load_recipe(write_recipe(projection_recipe()), ["projection.min_coverage=0.8", "seed=4"])
    assert rec.projection.min_coverage == 0.8 and rec.seed == 4


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"colour": "red"}, "colour: unknown key"),
        (
            {"source": {"language": "eng", "train": "x", "parallel": "y", "paralel": "z"}},
            "source.paralel: unknown key",
        ),
        ({"task": "parsing"}, "task"),
        ({"method": "zero-shot", "source": {"language": "eng"}}, r"source\.train is required"),
        ({"target": {"language": "xx"}}, r"target\.parallel is required"),
        ({"task": "classification"}, "token tasks"),
        ({"sources": [{"language": "eng", "train": "a", "parallel": "b"}]}, "either 'source' or 'sources'"),
        ({"method": "supervised", "source": None}, r"target\.train is required"),
    ],
)
def test_schema_errors_name_the_key(change: dict, match: str, write_recipe, projection_recipe) -> None:
    with pytest.raises(ConfigError, match=match):
        load_recipe(write_recipe(projection_recipe(**change)))


def test_missing_output_dir(write_recipe, projection_recipe) -> None:
    data = projection_recipe()
    del data["output_dir"]
    with pytest.raises(ConfigError, match="output_dir"):
        load_recipe(write_recipe(data))


def _run(recipe_path: Path):
    rec, base = load_recipe(recipe_path)
    return run_recipe(rec, base)


def test_missing_file_fails_before_work(tmp_path, write_recipe, projection_recipe) -> None:
    data = projection_recipe()
    data["target"]["test"] = "nowhere/test.conll"
    with pytest.raises(ConfigError, match=r"target\.test: .*nowhere/test\.conll"):
        _run(write_recipe(data))
    assert not (tmp_path / "out" / "steps").exists()


def test_unknown_catalog_id_names_the_key(write_recipe, projection_recipe) -> None:
    data = projection_recipe()
    data["source"]["train"] = "ud:English-EWX:train"
    with pytest.raises(ConfigError, match=r"source\.train: .*English-EWT"):
        _run(write_recipe(data))


def _no_eflomal(tiny_model_dir: Path) -> dict:
    """An aligner that needs no optional extra, for tests of checks made before any alignment."""
    return {"method": "embedding", "options": {"model": str(tiny_model_dir)}}


def test_no_shared_verses_fails_before_work(
    tmp_path, write_recipe, projection_recipe, tiny_model_dir
) -> None:
    other = tmp_path / "other.verses.tsv"
    other.write_text("verse_id\ttext\nb.REV.1.1\tsomething else\n", encoding="utf-8")
    data = projection_recipe(align=_no_eflomal(tiny_model_dir))
    data["target"]["parallel"] = str(other)
    with pytest.raises(ConfigError, match=r"source\.parallel / target\.parallel: .*no verse ids in common"):
        _run(write_recipe(data))
    assert not (tmp_path / "out" / "steps").exists()


def test_unknown_aligner_and_backend(write_recipe, projection_recipe, tiny_model_dir) -> None:
    with pytest.raises(ConfigError, match="align"):
        _run(write_recipe(projection_recipe(align={"method": "eflomal", "options": {"symmetrise": "union"}})))
    align = _no_eflomal(tiny_model_dir)
    with pytest.raises(ConfigError, match="linear classifies sentences"):
        _run(write_recipe(projection_recipe(align=align, model="linear")))
    with pytest.raises(ConfigError, match="unknown key"):
        _run(write_recipe(projection_recipe(align=align, model={"method": "crf", "c3": 1.0})))


def test_step_runner_caches_and_forces(tmp_path) -> None:
    calls = []

    def compute(d: Path) -> dict:
        calls.append(1)
        (d / "x.txt").write_text("ok")
        return {"n": len(calls)}

    r = StepRunner(tmp_path)
    assert r.run("a", {"k": 1}, compute)[1] == {"n": 1}
    assert StepRunner(tmp_path).run("a", {"k": 1}, compute)[1] == {"n": 1}
    assert len(calls) == 1
    assert StepRunner(tmp_path).run("a", {"k": 2}, compute)[1] == {"n": 2}
    assert StepRunner(tmp_path, force=True).run("a", {"k": 2}, compute)[1] == {"n": 3}
    # an interrupted step (no marker) is redone
    (tmp_path / "steps" / "a" / "done.json").unlink()
    StepRunner(tmp_path).run("a", {"k": 2}, compute)
    assert len(calls) == 4


def _s(tokens: str, labels: list) -> LabeledSentence:
    return LabeledSentence(tuple(tokens.split()), tuple(labels))


def test_type_constraints_relabel_and_fill() -> None:
    sents = [_s("the dog", ["DET", "NOUN"])] * 19 + [_s("the dog", ["PRON", None])]
    out, stats = apply_type_constraints(sents)
    assert out[-1].labels == ("DET", "NOUN")
    assert stats == {"relabelled": 1, "filled": 1, "types_constrained": 2}


def test_filter_and_confidence_and_mft() -> None:
    sents = [_s("a b c d", ["X", None, None, None]), _s("a b", ["X", "Y"]), _s("a b c", ["X", "Y", None])]
    kept, reasons = filter_by_coverage(sents, 0.5, 3)
    assert [len(s) for s in kept] == [3]
    assert reasons == {"kept": 1, "dropped_short": 1, "dropped_low_coverage": 1, "dropped_unlabelled": 0}
    conf = LabeledSentence(("a", "b"), ("X", "Y"), meta={"confidence": (0.9, 0.2)})
    out, n = unlabel_low_confidence([conf], 0.5)
    assert out[0].labels == ("X", None) and n == 1
    out, n = unlabel_low_confidence([conf], {"X": 0.95})  # a bar per label; Y has none: kept
    assert out[0].labels == (None, "Y") and n == 1
    mft = MostFrequentTagBaseline().fit(sents)
    assert mft.predict([_s("b zz", [None, None])]) == [["Y", "X"]]


def test_multi_source_vote_aligns_verses_by_id() -> None:
    """Sources covering different verses: every verse appears once; missing sources abstain."""
    from xlt.pipeline.run import _vote_by_id

    a = [
        LabeledSentence(("x", "y"), ("N", "V"), id="v1"),
        LabeledSentence(("z",), ("N",), id="v2"),
    ]
    b = [
        LabeledSentence(("x", "y"), ("N", "N"), id="v1"),
        LabeledSentence(("w", "u"), ("A", None), id="v3"),
    ]
    out = {s.id: s for s in _vote_by_id([a, b], [1.0, 3.0])}
    assert sorted(out) == ["v1", "v2", "v3"]
    assert out["v1"].labels == ("N", "N")  # the heavier source wins the tie-break on token 2
    assert out["v2"].labels == ("N",)
    assert out["v3"].labels == ("A", None)


def test_rank_voting_for_a_task_without_a_ranker_fails_up_front(
    tmp_path, write_recipe, projection_recipe, tiny_model_dir
) -> None:
    recipe = projection_recipe(align=_no_eflomal(tiny_model_dir), projection={"voting": "rank"})
    with pytest.raises(ConfigError, match=r"projection\.voting"):
        _run(write_recipe(recipe))
    assert not (tmp_path / "out" / "steps").exists()


def test_mft_default_comes_from_rare_words() -> None:
    sents = [_s("he saw it", ["PRON", "VERB", "PRON"])] * 5 + [_s("he dog cat", ["PRON", "NOUN", "NOUN"])]
    mft = MostFrequentTagBaseline().fit(sents)
    assert mft.default_ == "NOUN"
    assert mft.predict([_s("he zebra", [None, None])]) == [["PRON", "NOUN"]]


def test_drop_uncertain_source_tags() -> None:
    from xlt.projection.constraints import drop_uncertain_sources
    from xlt.types import Alignment

    src = LabeledSentence(("a", "b", "c"), ("N", "V", "N"), meta={"confidence": (0.95, 0.5, 0.6)})
    tgt = LabeledSentence(("x", "y", "z"), ("N", "V", "N"))
    al = Alignment(sure=frozenset({(0, 0), (1, 1), (2, 2), (0, 2)}))
    out, n = drop_uncertain_sources([src], [tgt], [al], 0.9)
    # y came only from an unsure source tag; z has one sure source with the same tag
    assert out[0].labels == ("N", None, "N") and n == 1


def test_per_label_bars_are_class_balanced() -> None:
    """Each label keeps its own surest share: a label the tagger is unsure of everywhere keeps its
    best tokens instead of losing them all to one global bar."""
    from xlt.pipeline.self_training import keep_surest_per_label
    from xlt.projection.constraints import per_label_bars

    sure = LabeledSentence(("a",) * 4, ("N",) * 4, meta={"confidence": (0.9, 0.95, 0.97, 0.99)})
    unsure = LabeledSentence(("b",) * 4, ("A",) * 4, meta={"confidence": (0.3, 0.4, 0.5, 0.6)})
    bars = per_label_bars([sure, unsure], 0.5)
    assert bars["A"] == pytest.approx(0.45) and bars["N"] == pytest.approx(0.96)
    assert per_label_bars([sure, unsure], 1.0, floor=0.35) == {"A": 0.35, "N": 0.35}
    out, removed, _ = keep_surest_per_label([sure, unsure], 0.5)
    assert (
        out[1].labels == (None, None, "A", "A") and out[0].labels == (None, None, "N", "N") and removed == 4
    )
