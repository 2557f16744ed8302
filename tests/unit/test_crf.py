"""CRF tagger: features, partial-label segments, clusters, persistence."""

from __future__ import annotations

import json

import pytest

from xlt.errors import ConfigError, DataNotFoundError
from xlt.models.crf import CrfConfig, CrfTagger, read_clusters
from xlt.models.features import FeatureConfig, labelled_segments, token_features, word_shape
from xlt.types import LabeledSentence, Sentence


def test_labelled_segments() -> None:
    assert labelled_segments(["A", None, "B", "C", None]) == [(0, 1), (2, 4)]
    assert labelled_segments([None, None]) == []
    assert labelled_segments(["A", "B"]) == [(0, 2)]
    assert labelled_segments([]) == []


def test_word_shape_is_script_agnostic() -> None:
    assert word_shape("Hello") == "Xx"
    assert word_shape("COVID-19") == "X-d"
    assert word_shape("ሰላም") == "a"  # Ge'ez letters have no case


def test_features_see_full_sentence_context() -> None:
    feats = token_features(("The", "cat", "sleeps"), FeatureConfig())
    assert "w=cat" in feats[1]
    assert "w-1=the" in feats[1] and "w+1=sleeps" in feats[1]
    assert "w-1=<s>" in feats[0] and "w+1=</s>" in feats[2]
    assert "s3=eps" in feats[2] and "p2=sl" in feats[2]


def test_segments_keep_context_features_but_no_fake_labels() -> None:
    sent = LabeledSentence(("a", "b", "c", "d"), ("X", None, "Y", "Z"))
    seqs, stats = CrfTagger(CrfConfig()).training_sequences([sent])
    assert [ys for _, ys in seqs] == [["X"], ["Y", "Z"]]
    # the second segment's first token still sees its real left neighbour 'b'
    assert "w-1=b" in seqs[1][0][0]
    assert stats["tokens_labelled"] == 3 and stats["tokens_total"] == 4


def test_complete_mode_and_min_segment() -> None:
    sents = [LabeledSentence(("a", "b", "c"), ("X", None, "Y")), LabeledSentence(("a", "b"), ("X", "Y"))]
    seqs, _ = CrfTagger(CrfConfig(partial_labels="complete")).training_sequences(sents)
    assert [ys for _, ys in seqs] == [["X", "Y"]]
    seqs, _ = CrfTagger(CrfConfig(min_segment=2)).training_sequences(sents[:1])
    assert seqs == []


def test_fit_without_labels_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no labelled tokens"):
        CrfTagger().fit([LabeledSentence(("a",), (None,))])


def _toy() -> list[LabeledSentence]:
    return [
        LabeledSentence(("the", "dog", "barks"), ("DET", "NOUN", "VERB")),
        LabeledSentence(("a", "cat", "sleeps"), ("DET", "NOUN", "VERB")),
    ] * 5


def test_confidence_and_sentence_inputs(tmp_path) -> None:
    m = CrfTagger(CrfConfig(max_iterations=50)).fit(_toy())
    labels, conf = m.predict_confidence([Sentence(("the", "cat", "barks"))])[0]
    assert labels == ["DET", "NOUN", "VERB"]
    assert all(0.5 < c <= 1.0 for c in conf)
    assert m.predict([("a", "dog"), ()]) == [["DET", "NOUN"], []]


def test_clusters_are_features_and_saved(tmp_path) -> None:
    cl = tmp_path / "clusters.tsv"
    cl.write_text("dog\t0110\ncat\t0111\n", encoding="utf-8")
    assert read_clusters(cl) == {"dog": "0110", "cat": "0111"}
    m = CrfTagger(CrfConfig(clusters=str(cl), max_iterations=20)).fit(_toy())
    seqs, _ = m.training_sequences(_toy()[:1])
    assert "c=0110" in seqs[0][0][1]
    m.save(tmp_path / "m")
    cl.unlink()  # the saved model carries its clusters
    again = CrfTagger.load(tmp_path / "m")
    assert again.predict(_toy()[:2]) == m.predict(_toy()[:2])
    meta = json.loads((tmp_path / "m" / "config.json").read_text())
    assert meta["backend"] == "crf"


def test_missing_cluster_file_and_bad_model_dir(tmp_path) -> None:
    with pytest.raises(DataNotFoundError, match=r"crf\.clusters"):
        CrfTagger(CrfConfig(clusters=str(tmp_path / "nope.tsv"))).fit(_toy())
    with pytest.raises(DataNotFoundError, match="not a saved crf model"):
        CrfTagger.load(tmp_path)
