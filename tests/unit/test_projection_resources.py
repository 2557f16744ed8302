"""The projection resource report: agreement figures, tokenization mismatches, the metrics block."""

from __future__ import annotations

import pytest

from xlt.pipeline.resources import (
    attached_punctuation_share,
    conllu_tokenization,
    label_agreement,
    resource_report,
    source_agreement,
)
from xlt.types import LabeledSentence


def _s(id_: str, labels: list[str | None]) -> LabeledSentence:
    return LabeledSentence(tuple(f"w{i}" for i in range(len(labels))), tuple(labels), id=id_)


def test_label_agreement_counts_only_tokens_both_label() -> None:
    a = [_s("1", ["NOUN", "VERB", None]), _s("2", ["DET", "NOUN"]), _s("3", ["X"])]
    b = [_s("1", ["NOUN", "NOUN", "ADJ"]), _s("2", [None, "NOUN"])]  # "3" missing from b
    assert label_agreement(a, b) == {"tokens_both_labelled": 3, "agreement": pytest.approx(2 / 3)}
    assert label_agreement(a, [])["agreement"] is None


def test_source_agreement_is_pairwise() -> None:
    x, y, z = [_s("1", ["A", "B"])], [_s("1", ["A", "C"])], [_s("1", ["A", "B"])]
    got = source_agreement([x, y, z], ["eng", "deu", "fra"])
    assert {k: v["agreement"] for k, v in got.items()} == {"eng+deu": 0.5, "eng+fra": 1.0, "deu+fra": 0.5}
    assert source_agreement([x], ["eng"]) == {}


def test_attached_punctuation_share() -> None:
    assert attached_punctuation_share(["word,", '"Hello', "plain", ",", "..."]) == pytest.approx(2 / 5)
    assert attached_punctuation_share([]) == 0.0


def test_conllu_tokenization_counts_multiword_tokens(tmp_path) -> None:
    conllu = tmp_path / "t.conllu"
    conllu.write_text(
        "# sent_id = 1\n"
        "1-2\tvámonos\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "1\tvamos\tir\tVERB\t_\t_\t0\troot\t_\t_\n"
        "2\tnos\tnosotros\tPRON\t_\t_\t1\tobj\t_\t_\n"
        "3\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_\n\n",
        encoding="utf-8",
    )
    got = conllu_tokenization(conllu)
    assert got is not None
    assert (got["words"], got["surface_tokens"], got["multiword_tokens"]) == (3, 2, 1)
    assert got["words_in_multiword_tokens"] == 2 and got["multiword_word_share"] == pytest.approx(2 / 3)
    plain = tmp_path / "t.conll"
    plain.write_text("a\tX\n\n", encoding="utf-8")
    assert conllu_tokenization(plain) is None and conllu_tokenization(None) is None


def test_resource_report_condenses_the_run_metrics() -> None:
    metrics = {
        "projection": {
            "sentences_in": 100,
            "kept": 80,
            "train_tokens": 1000,
            "train_token_coverage": 0.7,
            "zero_shot_agreement": {"0": {"agreement": 0.9, "tokens_both_labelled": 10}},
            "per_source": {"eng": {"pairs": 100, "token_coverage": 0.6}},
        },
        "sources": {"eng": {"dev": {"accuracy": 0.95}}},
        "baselines": {"zero_shot": 0.71},
    }
    got = resource_report(
        metrics, source_names=["eng"], source_agreements={}, train_tokens=["a,", "b"], tokenization=None
    )
    assert got["sources"] == [
        {"language": "eng", "verse_pairs": 100, "projected_token_coverage": 0.6, "dev_accuracy": 0.95}
    ]
    assert (got["target_verses"], got["verses_kept"], got["train_token_coverage"]) == (100, 80, 0.7)
    assert got["zero_shot_agreement"] == {"eng": 0.9} and got["zero_shot_test"] == 0.71
    assert got["train_attached_punctuation_share"] == 0.5 and got["test_tokenization"] is None
