"""Pretraining from scratch / continued, MLM and CLM, LoRA language adapters, deterministic LM losses."""

from __future__ import annotations

import math

import pytest

from xlt.finetuning.corpora import detect_format, read_texts
from xlt.finetuning.pretrain import PretrainConfig, clm_loss, mlm_loss, pretrain
from xlt.testing.tiny import DEFAULT_TEXTS

TEXTS = list(DEFAULT_TEXTS) * 4


def _cfg(tmp_path, **kw) -> PretrainConfig:
    base = dict(
        output_dir=str(tmp_path / "out"),
        max_steps=6,
        batch_size=8,
        vocab_size=200,
        hidden_size=32,
        num_layers=1,
        num_heads=2,
        logging_steps=1,
        max_length=32,
        learning_rate=3e-3,
        warmup_ratio=0.0,
    )
    base.update(kw)
    return PretrainConfig(**base)


def test_mlm_from_scratch_learns_and_saves(tmp_path):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    result = pretrain(_cfg(tmp_path, max_steps=20), TEXTS)
    assert result.steps == 20 and len(result.losses) == 20
    assert result.tokens_per_s > 0 and result.train_tokens > 0
    assert (result.output_dir / "model.safetensors").exists()
    model = AutoModelForMaskedLM.from_pretrained(result.output_dir)
    tok = AutoTokenizer.from_pretrained(result.output_dir)
    first = sum(loss for _, loss in result.losses[:5]) / 5
    last = sum(loss for _, loss in result.losses[-5:]) / 5
    assert last < first  # training reduces the loss
    a = mlm_loss(model, tok, TEXTS[:10], seed=1)
    assert a == mlm_loss(model, tok, TEXTS[:10], seed=1)  # deterministic masking
    assert math.isfinite(a) and a < math.log(len(tok)) + 1


def test_continued_pretraining_lora_adapter_and_clm(tmp_path, tiny_model_dir):
    res = pretrain(_cfg(tmp_path / "a", model=str(tiny_model_dir), lora={"r": 2}), TEXTS)
    assert res.adapter
    assert (res.output_dir / "adapter_model.safetensors").exists()
    assert not (res.output_dir / "model.safetensors").exists()

    from transformers import AutoModelForCausalLM, AutoTokenizer

    res = pretrain(_cfg(tmp_path / "c", objective="clm"), TEXTS)
    model = AutoModelForCausalLM.from_pretrained(res.output_dir)
    loss = clm_loss(model, AutoTokenizer.from_pretrained(res.output_dir), TEXTS[:5])
    assert math.isfinite(loss) and loss > 0


def test_no_texts_is_a_config_error(tmp_path):
    from xlt.errors import ConfigError

    with pytest.raises(ConfigError, match="no training texts"):
        pretrain(_cfg(tmp_path), [])


def test_corpus_formats(tmp_path):
    conll = tmp_path / "ner.txt"
    conll.write_text("Mary B-PER\nwent O\n\nHi O\nthere O\n\n", encoding="utf-8")
    assert detect_format(conll) == "conll"
    assert read_texts(conll) == ["Mary went", "Hi there"]
    tsv = tmp_path / "sib.tsv"
    tsv.write_text("index_id\tcategory\ttext\n1\tscience\tA b c\n2\thealth\tD e\n", encoding="utf-8")
    assert read_texts(tsv) == ["A b c", "D e"]
    xml = tmp_path / "bible.xml"
    xml.write_text(
        '<x><seg id="b.MAT.1.1" type="verse">\n  In the &amp; beginning \n</seg></x>', encoding="utf-8"
    )
    assert read_texts(xml) == ["In the & beginning"]
    plain = tmp_path / "plain.txt"
    plain.write_text("one two three\n\nfour five\n", encoding="utf-8")
    assert read_texts(plain, limit=1) == ["one two three"]


def test_bible_corpus_uses_the_xml_reader(tmp_path):
    xml = tmp_path / "bible.xml"
    xml.write_text(
        '<x><seg id="b.MAT.1.1">God&#39;s <i>word</i></seg><seg id="b.MAT.1.2"> </seg></x>', encoding="utf-8"
    )
    assert read_texts(xml) == ["God's word"]
