"""`xlt finetune` end to end on hand-made data and a tiny local model (JSON and text output)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from xlt.testing.cli import invoke, invoke_json, invoke_ok

R = Path(__file__).parents[1] / "resources" / "finetuning"


def _config(tmp_path: Path, model_dir: Path, **training) -> Path:
    spec = {
        lang: {"lang": lang, **{s: str(R / f"{lang}.{s}.txt") for s in ("train", "dev", "test")}}
        for lang in ("src", "tgt")
    }
    cfg = {
        "training": {
            "model": str(model_dir),
            "task": "ner",
            "max_steps": 12,
            "batch_size": 8,
            "learning_rate": 3e-3,
            "eval_every": 4,
            **training,
        },
        "sources": [spec["src"]],
        "targets": [spec["tgt"]],
        "oracle": True,
    }
    path = tmp_path / "ft.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_finetune_cli_json_labels_oracle(tmp_path, tiny_model_dir):
    cfg = _config(tmp_path, tiny_model_dir)
    out = tmp_path / "run"
    report = invoke_json(
        "finetune", "--config", cfg, "--set", "training.averaging=all", "-o", out, "--threads", "1"
    )
    by_variant = {r["variant"]: r for r in report["summary"]}
    assert by_variant["target-dev"]["selection"] == "oracle"
    assert by_variant["source-dev"]["selection"] == "source-dev"
    assert set(by_variant) == {"last", "source-dev", "target-dev", "average"}
    assert (out / "results.json").exists() and (out / "model" / "xlt_task.json").exists()
    from xlt.models.transformers import TransformersTaskModel

    assert TransformersTaskModel.load(out / "model").predict([["Mary", "went"]])[0] is not None
    _check_run_dir(tmp_path, out, report)


def _check_run_dir(tmp_path: Path, out: Path, report: dict) -> None:
    """The output directory is also a standard run directory that `xlt runs` / `xlt report` read."""
    from xlt.evaluation.store import load_run

    run = load_run(out)
    assert (run.task, run.method, run.target, run.seed) == ("ner", "finetune", "tgt", 0)
    assert run.sources == ("src",)
    assert run.primary_metric == "f1" and run.has_predictions
    main = next(r for r in report["results"] if r["main"])
    assert run.metrics["selection"] == main["selection"] == "none (checkpoint average)"
    assert run.score == pytest.approx(main["metrics"]["f1"], abs=1e-4)  # same numbers as results.json
    assert report["final"]["targets"]["tgt"]["score"] == run.score
    assert json.loads((out / "results.json").read_text())["final"] == report["final"]
    ci = run.metrics["ci"]["f1"]
    assert ci["low"] <= run.score <= ci["high"] and ci["n"] == main["n"]
    preds = run.predictions()
    assert len(preds) == main["n"] and {p["lang"] for p in preds} == {"tgt"}
    assert run.info["setting"] == "zero-shot" and "versions" in run.info
    listed = invoke_json("runs", "list", "--workspace", tmp_path)
    assert [r["run_dir"] for r in listed] == [run.run_dir]
    html = tmp_path / "report.html"
    invoke_ok("report", out, "-o", html, "--n-resamples", "100")
    assert "finetune" in html.read_text(encoding="utf-8")


def test_finetune_cli_text_and_errors(tmp_path, tiny_model_dir):
    cfg = _config(tmp_path, tiny_model_dir, selection="last")
    result = invoke_ok(
        "finetune", "--config", cfg, "--set", "oracle=false", "--threads", "1", "-o", tmp_path / "o"
    )
    assert "tgt" in result.stdout and "last" in result.stdout
    assert "95% bootstrap CI" in result.stdout and "xlt runs show" in result.stdout
    bad = invoke("finetune", "--config", cfg, "--set", "training.selection=best")
    assert bad.exit_code != 0


@pytest.mark.slow
def test_accelerate_launch_single_process(tmp_path, tiny_model_dir):
    """The same command under `accelerate launch` (one CPU process)."""
    accelerate = shutil.which("accelerate")
    if accelerate is None:
        pytest.skip("accelerate CLI not on PATH")
    cfg = _config(tmp_path, tiny_model_dir, selection="last")
    cmd = [
        accelerate,
        "launch",
        "--cpu",
        "--num_processes",
        "1",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "-m",
        "xlt.cli.app",
        "finetune",
        "--config",
        str(cfg),
        "--format",
        "json",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert report["results"] and sys.executable
