"""`xlt pretrain` from scratch on a small corpus file, and as a LoRA language adapter."""

from __future__ import annotations

from pathlib import Path

from xlt.testing.cli import invoke, invoke_json, invoke_ok

R = Path(__file__).parents[1] / "resources" / "finetuning"


def test_pretrain_cli_from_scratch_and_adapter(tmp_path, tiny_model_dir):
    cfg = tmp_path / "pt.yaml"
    cfg.write_text(
        "objective: mlm\nvocab_size: 150\nhidden_size: 32\nnum_layers: 1\nnum_heads: 2\nmax_length: 32\n"
        "batch_size: 8\nlogging_steps: 2\n"
    )
    out = tmp_path / "enc"
    summary = invoke_json(
        "pretrain",
        "--config",
        cfg,
        "--corpus",
        R / "src.train.txt",
        "--corpus",
        R / "tgt.train.txt",
        "--max-steps",
        "4",
        "-o",
        out,
    )
    assert summary["steps"] == 4 and summary["texts"] == 120 and not summary["adapter"]
    assert (out / "model.safetensors").exists() and (out / "tokenizer.json").exists()
    res = invoke_ok(
        "pretrain",
        "--model",
        tiny_model_dir,
        "--corpus",
        R / "tgt.train.txt",
        "--max-steps",
        "2",
        "--set",
        "lora.r=2",
        "--set",
        "max_length=32",
        "-o",
        tmp_path / "la",
    )
    assert "LoRA adapter" in res.stdout
    assert (tmp_path / "la" / "adapter_model.safetensors").exists()


def test_pretrain_cli_without_texts_fails_cleanly(tmp_path):
    res = invoke("pretrain", "--max-steps", "1", "-o", tmp_path / "x")
    assert res.exit_code != 0
