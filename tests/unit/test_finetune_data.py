"""Subword label alignment, chunking, word-level predictions out, source mixing, few-shot sampling."""

from __future__ import annotations

from collections import Counter

import pytest

from xlt.finetuning.data import (
    IGNORE,
    encode_text_data,
    encode_token_data,
    few_shot_sample,
    labels_of,
    length_sorted_batches,
    mix_sources,
    temperature_probabilities,
)
from xlt.types import LabeledSentence, TextExample


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def test_first_subword_labelling(tokenizer):
    sent = LabeledSentence(("Nairobi", "xyzzyqwerty", "dog"), ("B-LOC", "O", None))
    enc = encode_token_data(tokenizer, [sent], {"O": 0, "B-LOC": 1}, max_length=64)
    (feat,) = enc.features
    wids, labels = feat["word_ids"], feat["labels"]
    assert len(wids) == len(labels) == len(feat["input_ids"])
    # exactly one labelled position per labelled word: its first subword
    firsts = [i for i, w in enumerate(wids) if w is not None and (i == 0 or wids[i - 1] != w)]
    assert [labels[i] for i in firsts] == [1, 0, IGNORE]  # None label -> ignored
    assert all(labels[i] == IGNORE for i in range(len(labels)) if i not in firsts)
    assert wids.count(1) > 1  # the rare word really is split, and only its first piece is labelled
    assert enc.stats["unlabelled_tokens"] == 1


def test_long_sentences_are_chunked_not_cut(tokenizer):
    words = tuple(f"w{i}" for i in range(300))
    enc = encode_token_data(tokenizer, [LabeledSentence(words, ("O",) * 300)], {"O": 0}, max_length=16)
    assert len(enc.features) > 10 and enc.stats["chunked_sentences"] == 1
    covered = sorted({w for f in enc.features for w in f["word_ids"] if w is not None})
    assert covered == list(range(300))  # every word is in some chunk
    assert all(len(f["input_ids"]) <= 16 for f in enc.features)


def test_text_pairs_and_labels(tokenizer):
    data = [
        TextExample("a premise", "entailment", text_pair="a hypothesis"),
        TextExample("x", None, text_pair="y"),
    ]
    enc = encode_text_data(tokenizer, data, {"entailment": 0}, max_length=32)
    assert len(enc.features) == 1 and enc.features[0]["labels"] == 0
    assert enc.stats["unlabelled_examples"] == 1
    assert labels_of([LabeledSentence(("a", "b"), ("B-X", "O"))]) == ["O", "B-X"]


def test_length_sorted_batches_cover_everything():
    feats = [{"input_ids": [0] * n} for n in (5, 1, 9, 3, 7)]
    batches = length_sorted_batches(feats, 2)
    assert sorted(i for b in batches for i in b) == list(range(5))
    assert [len(feats[i]["input_ids"]) for i in batches[0]] == [1, 3]


def test_mixing_concat_and_temperature():
    groups = {"big": list(range(900)), "small": list(range(1000, 1100))}
    mixed, counts = mix_sources(groups, strategy="concat")
    assert len(mixed) == 1000 and counts == {"big": 900, "small": 100}
    probs = temperature_probabilities({"big": 900, "small": 100}, 1e9)
    assert probs["big"] == pytest.approx(0.5, abs=1e-6)  # T -> inf: uniform
    assert temperature_probabilities({"big": 900, "small": 100}, 1.0)["small"] == pytest.approx(0.1)
    mixed, counts = mix_sources(groups, strategy="temperature", temperature=5.0, seed=3)
    assert len(mixed) == 1000
    expected = temperature_probabilities({"big": 900, "small": 100}, 5.0)["small"]  # ~0.39
    assert counts["small"] / 1000 == pytest.approx(expected, abs=0.05)
    small = Counter(x for x in mixed if x >= 1000)
    assert max(small.values()) - min(small.values()) <= 1  # without replacement, reshuffled when used up
    assert mix_sources(groups, strategy="temperature", temperature=5.0, seed=3)[0] == mixed


def test_few_shot_is_seeded_and_skips_unlabelled():
    data = [LabeledSentence(("a",), ("O",), id=str(i)) for i in range(50)]
    data.append(LabeledSentence(("b",), (None,), id="unlabelled"))
    a = few_shot_sample(data, 5, seed=1)
    assert [x.id for x in a] == [x.id for x in few_shot_sample(data, 5, seed=1)]
    assert [x.id for x in a] != [x.id for x in few_shot_sample(data, 5, seed=2)]
    assert len(few_shot_sample(data, 500, seed=0)) == 50


def test_task_metrics_skip_unlabelled_gold():
    from xlt.finetuning.trainer import main_score, score_examples

    pos = score_examples("pos", [["NOUN", None, "VERB"]], [["NOUN", "ADJ", "ADJ"]])
    assert pos["accuracy"] == 0.5 and pos["n_tokens"] == 2  # the unlabelled token is not scored
    ner = score_examples("ner", [["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]])
    assert main_score("ner", ner) == 1.0
    cls = score_examples("classification", ["a", None, "b"], ["a", "b", "a"])
    assert cls["accuracy"] == 0.5 and main_score("classification", cls) == 0.5
