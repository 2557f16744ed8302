"""Every registered embedding initializer honours the contract (:func:`xlt.testing.checks.check_initializer`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from xlt.testing.checks import check_initializer, example_config
from xlt.vocab.initializers import TransferData, initializers, overlap, special_token_pairs

RESOURCES = Path(__file__).parent.parent / "resources" / "vocab"
#: six parallel English / Basque verse-like sentences (repeated so fastText has something to learn)
SOURCE = (RESOURCES / "en.txt").read_text(encoding="utf-8").splitlines() * 6
TARGET = (RESOURCES / "eu.txt").read_text(encoding="utf-8").splitlines() * 6
DICTIONARY = [
    tuple(line.split("\t")) for line in (RESOURCES / "en-eu.tsv").read_text(encoding="utf-8").splitlines()
]


@pytest.fixture(scope="module")
def setup(tiny_model_dir):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from xlt.vocab.tokenizer import train_tokenizer

    src_tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    tgt_tok = train_tokenizer(TARGET, kind="unigram", vocab_size=120, like=src_tok)
    data = TransferData(
        source_texts=SOURCE,
        target_texts=TARGET,
        parallel=list(zip(SOURCE, TARGET, strict=True)),
        dictionary=DICTIONARY,
    )

    def model():
        return AutoModelForMaskedLM.from_pretrained(tiny_model_dir)

    return model, src_tok, tgt_tok, data


def _build(name: str, tiny_model_dir: Path):
    return initializers.build(name, example_config(initializers.entry(name), tiny_model=tiny_model_dir))


@pytest.mark.parametrize("name", initializers.names())
def test_initializer_conformance(name, setup, tiny_model_dir, tmp_path):
    model, src_tok, tgt_tok, data = setup
    check_initializer(
        name,
        source_model=model,
        source_tokenizer=src_tok,
        target_tokenizer=tgt_tok,
        data=data,
        tmp_path=tmp_path,
        tiny_model=tiny_model_dir,
    )


@pytest.mark.parametrize("name", ["copy_overlap", "focus", "transtokenize", "transliteration"])
def test_overlapping_tokens_are_copied_exactly(name, setup, tiny_model_dir):
    """A method property beyond the contract: these four copy every shared token's row exactly."""
    model, src_tok, tgt_tok, data = setup
    m = model()
    source = m.get_input_embeddings().weight.detach()
    out = _build(name, tiny_model_dir).initialize(m, src_tok, tgt_tok, data)
    shared = overlap(src_tok, tgt_tok)
    assert shared, "the test vocabularies should share tokens"
    plan = _build(name, tiny_model_dir).plan(src_tok, tgt_tok, data)
    copied = [t for t in shared if plan.labels[t] in ("copy", "special")]
    if name in ("copy_overlap", "focus", "transliteration"):
        assert len(copied) == len([t for t in shared if t not in special_token_pairs(src_tok, tgt_tok)])
    for t in copied:
        assert torch.equal(out[t], source[shared[t]])
