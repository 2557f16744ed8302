"""score_predictions(): metrics.json with CIs and per-language blocks, readable back through load_run."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlt.errors import MismatchError
from xlt.evaluation.scoring import score_predictions
from xlt.evaluation.store import load_run, write_run


def test_classification_per_language(tmp_path: Path) -> None:
    gold = ["a", "b", "a", "b", "a", "b"]
    pred = ["a", "b", "b", "b", "a", "a"]
    langs = ["wol", "wol", "wol", "hau", "hau", "hau"]
    metrics, records = score_predictions("classification", gold, pred, langs=langs, n_resamples=300)
    assert metrics["primary_metric"] == "accuracy" and metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["per_language"]["wol"]["accuracy"] == pytest.approx(2 / 3)
    assert metrics["per_language"]["hau"]["accuracy"] == pytest.approx(2 / 3)
    ci = metrics["ci"]["accuracy"]
    assert ci["low"] <= 4 / 6 <= ci["high"] and ci["n"] == 6 and "macro_f1" in metrics["ci"]
    assert metrics["per_label"]["a"]["support"] == 3.0
    assert records[2] == {"id": "2", "lang": "wol", "gold": "a", "pred": "b"}
    run = load_run(
        write_run(tmp_path / "r", {"task": "classification", "target": "wol"}, metrics, predictions=records)
    )
    assert run.language_scores() == pytest.approx({"wol": 2 / 3, "hau": 2 / 3})


def test_ner_and_pos() -> None:
    gold = [["B-PER", "I-PER", "O"], ["B-LOC", "O"]]
    pred = [["B-PER", "I-PER", "O"], ["O", "O"]]
    metrics, records = score_predictions("ner", gold, pred, target="yor", ids=["s1", "s2"], n_resamples=200)
    # 1 true positive, 1 predicted, 2 gold spans: P 1, R .5, F1 2/3
    assert metrics["f1"] == pytest.approx(2 / 3) and metrics["primary_metric"] == "f1"
    assert "per_language" not in metrics and records[1]["id"] == "s2" and records[1]["lang"] == "yor"
    pos, _ = score_predictions("pos", [["NOUN", "VERB"], ["DET"]], [["NOUN", None], ["DET"]], n_resamples=100)
    assert pos["accuracy"] == pytest.approx(2 / 3) and pos["per_label"]["VERB"]["recall"] == 0.0
    assert "<none>" not in pos["per_label"]
    with pytest.raises(MismatchError):
        score_predictions("ner", gold, pred[:1])


def test_stored_cis_are_used_without_predictions(tmp_path: Path) -> None:
    from xlt.evaluation.matrix import transfer_matrix

    gold, pred = ["a", "b"] * 10, ["a", "a"] * 10
    metrics, _ = score_predictions("classification", gold, pred, target="wol", n_resamples=200)
    run = load_run(
        write_run(tmp_path / "r", {"task": "classification", "sources": ["eng"], "target": "wol"}, metrics)
    )
    cell = transfer_matrix([run]).get("eng", "wol")
    assert cell.ci is not None and cell.ci.low == metrics["ci"]["accuracy"]["low"] and cell.mean == 0.5


def test_ci_follows_the_primary_metric(tmp_path: Path) -> None:
    from xlt.evaluation.matrix import transfer_matrix
    from xlt.evaluation.metrics import classification_scores

    gold, pred = ["pos", "neg", "neu", "pos"] * 5, ["pos", "neg", "pos", "pos"] * 5
    macro = classification_scores(gold, pred)["macro_f1"]
    records = [{"gold": g, "pred": p} for g, p in zip(gold, pred, strict=True)]
    info = {"task": "classification", "sources": ["ind"], "target": "jav"}
    run = load_run(
        write_run(
            tmp_path / "r", info, {"macro_f1": macro, "primary_metric": "macro_f1"}, predictions=records
        )
    )
    cell = transfer_matrix([run], n_resamples=100).get("ind", "jav")
    assert cell.ci.metric == "macro_f1" and cell.ci.estimate == pytest.approx(macro) == cell.mean


def test_old_evaluate_names_are_aliases() -> None:
    """The names kept for one release point at the renamed functions."""
    from xlt.evaluation import evaluate as old_module
    from xlt.finetuning import trainer

    assert old_module.evaluate is score_predictions and trainer.evaluate is trainer.score_examples
