"""``xlt vocab`` commands end to end on tiny local models, and trans-tokenization with eflomal."""

from __future__ import annotations

import json

import pytest


@pytest.fixture(scope="module")
def corpora(resources):
    return resources / "vocab"


def _run(args, capsys):
    from xlt.cli.app import main

    main(args)
    return json.loads(capsys.readouterr().out)


def test_train_tokenizer_then_wechsel_transfer(corpora, tiny_model_dir, tmp_path, capsys):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    info = _run(["vocab", "train-tokenizer", str(corpora / "eu.txt"), "--out", str(tmp_path / "tok"),
                 "--vocab-size", "100", "--like", str(tiny_model_dir), "--format", "json"], capsys)  # fmt: skip
    assert info["vocab_size"] == len(AutoTokenizer.from_pretrained(tmp_path / "tok"))
    rep = _run(["vocab", "transfer", str(tiny_model_dir), "--tokenizer", str(tmp_path / "tok"),
                "--method", "wechsel", "--source-corpus", str(corpora / "en.txt"),
                "--target-corpus", str(corpora / "eu.txt"), "--dictionary", str(corpora / "en-eu.tsv"),
                "--min-count", "1", "--min-pairs", "3", "--set", "dim=16",
                "--out", str(tmp_path / "model"), "--format", "json"], capsys)  # fmt: skip
    assert rep["rows"].get("wechsel", 0) > 0 and rep["target_vocab_size"] == info["vocab_size"]
    model = AutoModelForMaskedLM.from_pretrained(tmp_path / "model")
    assert model.config.vocab_size == info["vocab_size"]
    assert (tmp_path / "model" / "vocab_transfer.yaml").is_file()


def test_extend_and_transmi(corpora, tiny_model_dir, tmp_path, capsys):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    rep = _run(["vocab", "extend", str(tiny_model_dir), str(corpora / "eu.txt"), "--num-tokens", "5",
                "--min-count", "2", "--method", "mean", "--out", str(tmp_path / "ext"), "--format", "json"], capsys)  # fmt: skip
    tok = AutoTokenizer.from_pretrained(tmp_path / "ext")
    assert rep["rows"]["added_words"] > 0 and len(tok) == rep["target_vocab_size"]
    assert AutoModelForMaskedLM.from_pretrained(tmp_path / "ext").config.vocab_size == len(tok)
    rep = _run(
        ["vocab", "transmi", str(tiny_model_dir), "--out", str(tmp_path / "tm"), "--format", "json"], capsys
    )
    assert rep["rows"].get("transliterated", 0) > 0


def test_unknown_method_is_a_clear_error(tiny_model_dir, tmp_path, capsys):
    from xlt.cli.app import main

    with pytest.raises(SystemExit) as exc:
        main(["vocab", "transfer", str(tiny_model_dir), "--tokenizer", str(tiny_model_dir),
              "--method", "wechsl", "--out", str(tmp_path / "x")])  # fmt: skip
    assert exc.value.code == 1 and "wechsel" in capsys.readouterr().err


def test_transtokenize_with_eflomal(tiny_model_dir, resources):
    pytest.importorskip("eflomal", reason="needs the optional eflomal aligner (xlt[align])")
    pytest.importorskip("xlt.alignment.eflomal", reason="xlt.alignment is not available")
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from xlt.vocab.initializers import TransferData, initializers
    from xlt.vocab.tokenizer import train_tokenizer

    src_tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    source = (resources / "vocab" / "en.txt").read_text().splitlines() * 6
    target = (resources / "vocab" / "eu.txt").read_text().splitlines() * 6
    tgt_tok = train_tokenizer(target, vocab_size=120, like=src_tok)
    data = TransferData(parallel=list(zip(source, target, strict=True)))
    for level in ("token", "word"):
        init = initializers.build("transtokenize", {"level": level})
        emb = init.initialize(AutoModelForMaskedLM.from_pretrained(tiny_model_dir), src_tok, tgt_tok, data)
        assert emb.shape[0] == len(tgt_tok)
        assert init.aligned_tokens_ > 10


def test_transliterate_file(tmp_path, capsys):
    src = tmp_path / "uk.txt"
    src.write_text("Швидка бура лисиця\nabc\n", encoding="utf-8")
    info = _run(
        ["vocab", "transliterate", str(src), "--out", str(tmp_path / "uk.lat.txt"), "--format", "json"],
        capsys,
    )
    assert info == {"out": str(tmp_path / "uk.lat.txt"), "lines": 2, "changed": 1, "scheme": "unidecode"}
    assert (tmp_path / "uk.lat.txt").read_text().splitlines() == ["Shvidka bura lisitsia", "abc"]


def test_initializer_flags_come_from_the_config_models(tiny_model_dir, tmp_path, capsys):
    """Generated flags: help from the Field descriptions, choices from Literal, and a flag of
    another initializer is refused by name."""
    from typer.testing import CliRunner

    from xlt.cli.app import app, main

    text = CliRunner().invoke(app, ["vocab", "transfer", "--help"], env={"COLUMNS": "200"}).output
    assert "--min-pairs" in text and "Fewest usable dictionary pairs" in text and "<mean|random>" in text
    help_tok = CliRunner().invoke(app, ["vocab", "train-tokenizer", "--help"], env={"COLUMNS": "200"}).output
    assert "<unigram|bpe|wordpiece|same>" in help_tok and "--min-frequency" in help_tok
    with pytest.raises(SystemExit) as exc:
        main(["vocab", "transfer", str(tiny_model_dir), "--tokenizer", str(tiny_model_dir),
              "--method", "mean", "--k", "3", "--out", str(tmp_path / "x")])  # fmt: skip
    assert exc.value.code == 1 and "--k does not apply to initializer 'mean'" in capsys.readouterr().err
    rep = _run(["vocab", "transfer", str(tiny_model_dir), "--tokenizer", str(tiny_model_dir),
                "--method", "mean", "--noise", "0", "--out", str(tmp_path / "m"), "--format", "json"], capsys)  # fmt: skip
    saved = (tmp_path / "m" / "vocab_transfer.yaml").read_text()
    assert rep["method"] == "mean" and "noise: 0" in saved
