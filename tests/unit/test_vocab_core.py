"""Unit tests: tokenizers, token forms, plans, sparsemax, Procrustes, dictionaries, transliteration."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from xlt.errors import ConfigError, DataNotFoundError
from xlt.vocab.plan import MEAN, RANDOM, TransferPlan

TEXTS = ["Hasieran Hitza zen , eta Hitza Jainkoarekin zen .", "Hitza haragi egin zen gure artean ."] * 10


@pytest.mark.parametrize("kind", ["unigram", "bpe", "wordpiece"])
def test_train_tokenizer_kinds_use_reference_specials(kind, tiny_model_dir, tmp_path):
    from transformers import AutoTokenizer

    from xlt.vocab.tokenizer import train_tokenizer

    ref = AutoTokenizer.from_pretrained(tiny_model_dir)
    tok = train_tokenizer(TEXTS, kind=kind, vocab_size=80, like=ref, min_frequency=1)
    ids = tok("Hitza zen")["input_ids"]
    assert tok.convert_ids_to_tokens(ids)[0] == "<s>" and tok.convert_ids_to_tokens(ids)[-1] == "</s>"
    assert tok.mask_token == "<mask>" and tok.pad_token == "<pad>"
    tok.save_pretrained(tmp_path)
    assert AutoTokenizer.from_pretrained(tmp_path)("Hitza zen")["input_ids"] == ids


def test_train_tokenizer_bert_style_default_and_errors():
    from xlt.vocab.tokenizer import train_tokenizer

    tok = train_tokenizer(TEXTS, kind="wordpiece", vocab_size=60, min_frequency=1)
    assert tok.convert_ids_to_tokens(tok("Hitza")["input_ids"])[0] == "[CLS]"
    with pytest.raises(ConfigError):
        train_tokenizer(["", "  "])
    with pytest.raises(ConfigError):
        train_tokenizer(TEXTS, kind="same")


def test_canonical_forms_agree_across_families():
    from xlt.vocab.tokenizer import canonical_forms, train_tokenizer

    wp = train_tokenizer(TEXTS, kind="wordpiece", vocab_size=60, min_frequency=1)
    uni = train_tokenizer(TEXTS, kind="unigram", vocab_size=60)
    wp_forms, uni_forms = set(canonical_forms(wp).values()), set(canonical_forms(uni).values())
    assert "▁Hitza" in wp_forms or "▁Hitza" in uni_forms
    assert all(not f.startswith("##") for f in wp_forms)
    assert "[CLS]" not in wp_forms  # special tokens are excluded


def test_extend_tokenizer_adds_whole_words(tiny_model_dir):
    from transformers import AutoTokenizer

    from xlt.vocab.tokenizer import extend_tokenizer, new_words

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    words = new_words(TEXTS, tok, num_tokens=3, min_count=2)
    assert 0 < len(words) <= 3
    new, added = extend_tokenizer(tok, words)
    assert added == [w for w in words if w not in tok.get_vocab()]
    assert len(new) == len(tok) + len(added)
    assert added[0] in new.tokenize(f"gure {added[0]} .")
    assert len(AutoTokenizer.from_pretrained(tiny_model_dir)) == len(tok)


def test_plan_apply_golden():
    src = torch.tensor([[1.0, 0.0], [0.0, 2.0], [4.0, 4.0]])
    plan = TransferPlan.empty(4, 3, seed=0, kind=MEAN, label="mean")
    plan.set_copy(0, 2)
    plan.set_mix(1, [0, 1], [0.25, 0.75], "mix")
    plan.set_fill(3, RANDOM, "random")
    out = plan.apply(src)
    assert torch.equal(out[0], src[2])
    assert torch.allclose(out[1], torch.tensor([0.25, 1.5]))
    assert torch.allclose(out[2], src.mean(0))
    bias = plan.apply(torch.tensor([1.0, 2.0, 3.0]))
    assert torch.allclose(bias, torch.tensor([3.0, 1.75, 2.0, 2.0]))  # random rows of a bias get the mean
    assert plan.summary() == {"copy": 1, "mean": 1, "mix": 1, "random": 1}
    with pytest.raises(ValueError):
        plan.set_copy(0, 1)


def test_sparsemax_is_sparse_distribution():
    from xlt.vocab.initializers.focus import sparsemax

    p = sparsemax(torch.tensor([[3.0, 1.0, 0.2], [0.5, 0.5, 0.5]]))
    assert torch.allclose(p.sum(-1), torch.ones(2))
    assert torch.equal(p[0], torch.tensor([1.0, 0.0, 0.0]))
    assert torch.allclose(p[1], torch.full((3,), 1 / 3))
    q = sparsemax(torch.tensor([1.0, 0.8, -1.0]))
    assert torch.allclose(q, torch.tensor([0.6, 0.4, 0.0]))


def test_orthogonal_procrustes_recovers_rotation():
    from xlt.vocab.procrustes import orthogonal_procrustes

    rng = np.random.default_rng(0)
    x = rng.normal(size=(50, 6)).astype(np.float32)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    w = orthogonal_procrustes(x, x @ q)
    assert np.allclose(w, q, atol=1e-4)
    assert np.allclose(w @ w.T, np.eye(6), atol=1e-5)


def test_fasttext_is_deterministic():
    from xlt.vocab.static_embeddings import train_fasttext, words

    sents = [words(t) for t in TEXTS]
    a = train_fasttext(sents, dim=8, epochs=2, seed=3)
    b = train_fasttext(sents, dim=8, epochs=2, seed=3)
    assert np.array_equal(a.get_vector("hitza"), b.get_vector("hitza"))
    assert a.get_vector("hitzak").shape == (8,)  # unseen words get n-gram vectors


def test_dictionaries(tmp_path):
    from xlt.vocab.dictionaries import dictionary_paths, read_dictionary

    (tmp_path / "dictionaries" / "muse_full_hunalign").mkdir(parents=True)
    (tmp_path / "dictionaries" / "wechsel_wiktionary" / "data").mkdir(parents=True)
    (tmp_path / "dictionaries" / "muse_full_hunalign" / "en-eu.dict").write_text(
        "Hitza @ word\netxe @ house\n"
    )
    (tmp_path / "dictionaries" / "wechsel_wiktionary" / "data" / "basque.txt").write_text(
        "water\tur\nword\thitza\n"
    )
    paths = dictionary_paths("eu", tmp_path)
    assert [p.name for p in paths] == ["en-eu.dict", "basque.txt"]
    assert read_dictionary(paths[0]) == [("word", "hitza"), ("house", "etxe")]
    from xlt.vocab.dictionaries import load_dictionary

    assert load_dictionary("eu", tmp_path) == [("word", "hitza"), ("house", "etxe"), ("water", "ur")]
    with pytest.raises(DataNotFoundError):
        load_dictionary("zz", tmp_path)


def test_transliteration_and_transmi():
    from xlt.testing.tiny import train_tiny_tokenizer
    from xlt.vocab.initializers import initializers
    from xlt.vocab.transliterate import transliterate, transmi_tokenizer

    assert transliterate("Швидка") == "Shvidka"
    tok = train_tiny_tokenizer()
    new, added = transmi_tokenizer(tok)
    assert added and len(new) == len(tok) + len(added)
    assert all(
        new.convert_tokens_to_ids(t) == tok.convert_tokens_to_ids(t) for t in list(tok.get_vocab())[:50]
    )
    plan = initializers.build("transliteration", {}).plan(tok, new)
    assert plan.summary().get("transliterated", 0) >= 1
    with pytest.raises(ConfigError):
        transliterate("x", "nope")  # type: ignore[arg-type]


def test_freedict_dictd_reader(resources):
    from xlt.vocab.dictionaries import dictionary_paths, read_dictionary

    index = resources / "vocab" / "freedict-eng-eus.index"
    assert read_dictionary(index) == [
        ("house", "etxe"),
        ("house", "egoitza"),
        ("house", "bizileku"),
        ("water", "ur"),
    ]
    assert index in dictionary_paths("eus", resources / "none", freedict_dir=resources / "vocab")
