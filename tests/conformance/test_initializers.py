"""Conformance suite run over every registered embedding initializer."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from xlt.config import XltConfig
from xlt.vocab.initializers import TransferData, initializers, overlap, special_token_pairs

RESOURCES = Path(__file__).parent.parent / "resources" / "vocab"
#: six parallel English / Basque verse-like sentences (repeated so fastText has something to learn)
SOURCE = (RESOURCES / "en.txt").read_text(encoding="utf-8").splitlines() * 6
TARGET = (RESOURCES / "eu.txt").read_text(encoding="utf-8").splitlines() * 6
DICTIONARY = [
    tuple(line.split("\t")) for line in (RESOURCES / "en-eu.tsv").read_text(encoding="utf-8").splitlines()
]
OPTIONS = {
    "wechsel": {"min_count": 1, "min_pairs": 3, "dim": 16, "epochs": 3},
    "focus": {"dim": 16, "epochs": 3},
}


class DiagonalAligner:
    """A deterministic stand-in for eflomal (which has no seed): links i-i."""

    def align(self, pairs, *, extra=()):
        from xlt.types import Alignment

        return [Alignment(sure=frozenset((i, i) for i in range(min(len(p.src), len(p.tgt))))) for p in pairs]


@pytest.fixture(autouse=True)
def _deterministic_aligner(monkeypatch):
    """Trans-tokenization's own logic is tested with a fixed aligner; eflomal runs in its unit test."""
    import xlt.vocab.initializers.transtokenize as tt

    monkeypatch.setattr(tt, "_aligner", lambda name, options: DiagonalAligner())


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


def _build(name: str, **extra):
    return initializers.build(name, {**OPTIONS.get(name, {}), **extra})


@pytest.mark.parametrize("name", initializers.names())
def test_shape_specials_and_determinism(name, setup):
    model, src_tok, tgt_tok, data = setup
    m = model()
    source = m.get_input_embeddings().weight.detach().clone()
    a = _build(name).initialize(m, src_tok, tgt_tok, data)
    assert a.shape == (len(tgt_tok), source.shape[1]) and a.dtype == source.dtype
    assert torch.isfinite(a).all()
    assert torch.equal(m.get_input_embeddings().weight, source)  # the source model is not modified
    for t, s in special_token_pairs(src_tok, tgt_tok).items():
        assert torch.equal(a[t], source[s])
    b = _build(name).initialize(model(), src_tok, tgt_tok, data)
    assert torch.equal(a, b)


@pytest.mark.parametrize("name", initializers.names())
def test_config_yaml_round_trip(name, tmp_path):
    cfg = _build(name).config
    assert isinstance(cfg, XltConfig)
    cfg.save_yaml(tmp_path / "init.yaml")
    assert type(cfg).from_yaml(tmp_path / "init.yaml") == cfg


@pytest.mark.parametrize("name", ["copy_overlap", "focus", "transtokenize", "transliteration"])
def test_overlapping_tokens_are_copied_exactly(name, setup):
    model, src_tok, tgt_tok, data = setup
    m = model()
    source = m.get_input_embeddings().weight.detach()
    out = _build(name).initialize(m, src_tok, tgt_tok, data)
    shared = overlap(src_tok, tgt_tok)
    assert shared, "the test vocabularies should share tokens"
    plan = _build(name).plan(src_tok, tgt_tok, data)
    copied = [t for t in shared if plan.labels[t] in ("copy", "special")]
    if name in ("copy_overlap", "focus", "transliteration"):
        assert len(copied) == len([t for t in shared if t not in special_token_pairs(src_tok, tgt_tok)])
    for t in copied:
        assert torch.equal(out[t], source[shared[t]])


@pytest.mark.parametrize("name", initializers.names())
def test_transferred_model_saves_and_reloads_identically(name, setup, tmp_path):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from xlt.vocab.apply import save_transferred, transfer_model

    model, src_tok, tgt_tok, data = setup
    adapted, report = transfer_model(model(), src_tok, tgt_tok, _build(name), data)
    assert report.target_vocab_size == len(tgt_tok) and sum(report.rows.values()) == len(tgt_tok)
    save_transferred(adapted, tgt_tok, tmp_path, report)
    reloaded = AutoModelForMaskedLM.from_pretrained(tmp_path).eval()
    tok = AutoTokenizer.from_pretrained(tmp_path)
    assert reloaded.config.vocab_size == len(tok)
    assert (
        reloaded.config.pad_token_id == tok.pad_token_id and reloaded.config.eos_token_id == tok.eos_token_id
    )
    assert (
        reloaded.get_output_embeddings().weight.data_ptr()
        == reloaded.get_input_embeddings().weight.data_ptr()
    )
    assert reloaded.get_output_embeddings().bias.shape == (len(tok),)
    enc = tok(["Hitza Jainkoarekin zen ."], return_tensors="pt")
    adapted.eval()
    with torch.no_grad():
        assert torch.equal(adapted(**enc).logits, reloaded(**enc).logits)
