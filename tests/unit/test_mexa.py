"""MEXA alignment: golden scores on hand-made embeddings, the tiny model end to end, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from xlt.errors import MismatchError
from xlt.evaluation.mexa import (
    LayerEmbedder,
    MexaReport,
    alignment_score,
    correlate_with_transfer,
    load_report,
    mexa,
    read_line_aligned,
    read_sib200,
    summarise,
)
from xlt.languages.codes import language_key
from xlt.testing.cli import invoke_json

ENGLISH = [
    "the cat sleeps",
    "a dog runs fast",
    "we eat bread today",
    "rain falls on the town",
    "she reads books",
]


def test_alignment_score_hand_computed() -> None:
    e = np.eye(4)
    assert alignment_score(e, e) == 1.0
    # pair 0 and 1 swapped: rows 0 and 1 retrieve the wrong partner; pairs 2, 3 still aligned -> 2/4
    assert alignment_score(e[[1, 0, 2, 3]], e) == 0.5
    # row 0 is best in its row, but column 0 prefers row 1 (cos 1 vs 0.8): only rows 2 and 3 count
    src = np.array([[0.8, 0.6, 0, 0], [1.0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1.0]])
    tgt = np.eye(4)
    assert alignment_score(src, tgt) == 0.5
    with pytest.raises(MismatchError):
        alignment_score(np.eye(3), np.eye(4))


def test_summarise() -> None:
    r = summarise("wol", [0.1, 0.5, 0.3], 10)
    assert (r.mean, r.max, r.best_layer, r.mid_layer, r.mid) == pytest.approx((0.3, 0.5, 1, 1, 0.5))


def test_tiny_model_mexa(tiny_model_dir: Path) -> None:
    shuffled = ENGLISH[1:] + ENGLISH[:1]
    parallel = {"eng_Latn": ENGLISH, "copy_Latn": list(ENGLISH), "shuf_Latn": shuffled}
    embedder = LayerEmbedder(tiny_model_dir, batch_size=2)
    for pooling in ("mean", "weighted", "last"):
        embedder.pooling = pooling  # type: ignore[assignment]  # one model load for the three poolings
        rep = mexa(parallel, embedder, pivot="eng_Latn")
        assert rep.n_layers == 2 and set(rep.results) == {"copy_Latn", "shuf_Latn"}
        assert rep.results["copy_Latn"].per_layer == (1.0, 1.0)  # identical sentences retrieve each other
        assert rep.results["shuf_Latn"].mean < 1.0
    embedder.pooling = "mean"
    emb = embedder.embed(ENGLISH)
    embedder.batch_size = 16
    one = embedder.embed(ENGLISH)
    assert emb.shape == (2, 5, 32) and np.allclose(emb, one, atol=1e-5)  # batching/padding does not matter
    with pytest.raises(MismatchError):
        mexa({"eng_Latn": ENGLISH, "x": ENGLISH[:2]}, embedder)


def test_transfer_correlation_and_report_roundtrip(tmp_path: Path) -> None:
    rep = MexaReport("m", "eng_Latn", "mean", 2, {
        k: summarise(k, v, 5) for k, v in {"wol_Latn": [0.2, 0.4], "hau_Latn": [0.5, 0.7], "fra_Latn": [0.9, 0.9]}.items()
    })  # fmt: skip
    corr = correlate_with_transfer(rep, {"wol": 0.3, "ha": 0.5, "fra": 0.8, "xyz": 0.1})
    assert corr["n"] == 3 and corr["languages"] == ["fra", "ha", "wol"] and corr["pearson_r"] > 0.99
    path = tmp_path / "mexa.json"
    path.write_text(json.dumps(rep.to_dict()), encoding="utf-8")
    assert load_report(path) == rep
    assert language_key("wol_Latn") == "wol" and language_key("sw") == "swa"


def test_readers(tmp_path: Path, shared_data: Path) -> None:
    par = read_sib200(shared_data / "sib200", ["wol_Latn"], limit=7)
    assert set(par) == {"eng_Latn", "wol_Latn"} and len(par["wol_Latn"]) == 7
    (tmp_path / "a.txt").write_text("x\ny\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("x\n", encoding="utf-8")
    with pytest.raises(MismatchError):
        read_line_aligned({"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"})


def test_mexa_cli(tiny_model_dir: Path, tmp_path: Path) -> None:
    files = {}
    for lang, sents in (("eng_Latn", ENGLISH), ("deu_Latn", ENGLISH[::-1])):
        files[lang] = tmp_path / f"{lang}.txt"
        files[lang].write_text("\n".join(sents) + "\n", encoding="utf-8")
    out = tmp_path / "mexa.json"
    parallel = [x for lang, p in files.items() for x in ("--parallel", f"{lang}={p}")]
    data = invoke_json("mexa", "--model", tiny_model_dir, "--out", out, *parallel)
    assert data["n_layers"] == 2 and list(data["results"]) == ["deu_Latn"]
    # reversed order: only the middle sentence (index 2) is paired with itself
    assert data["results"]["deu_Latn"]["n"] == 5
    assert load_report(out).results["deu_Latn"].per_layer == tuple(data["results"]["deu_Latn"]["per_layer"])


def test_decoder_model_with_weighted_pooling(tiny_model_dir: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    config = GPT2Config(vocab_size=len(tok), n_embd=32, n_layer=3, n_head=2, n_positions=64)
    GPT2LMHeadModel(config).save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    parallel = {"eng_Latn": ENGLISH, "copy_Latn": list(ENGLISH)}
    rep = mexa(parallel, LayerEmbedder(tmp_path, pooling="weighted", batch_size=2))
    assert rep.n_layers == 3 and rep.results["copy_Latn"].per_layer == (1.0, 1.0, 1.0)
