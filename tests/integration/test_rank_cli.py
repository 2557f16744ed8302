"""``xlt rank fit / predict / evaluate`` end to end on a tiny table."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from xlt.cli.app import app

runner = CliRunner()


def table_path(resources: Path) -> str:
    return str(resources / "ranking" / "scores.csv")


def test_fit_then_predict(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    fit = runner.invoke(
        app,
        ["rank", "fit", "--table", table_path(resources), "--out", str(out), "--features", "uriel,geography",
         "--set", "n_estimators=10", "--format", "json"],
    )  # fmt: skip
    assert fit.exit_code == 0, fit.output
    summary = json.loads(fit.stdout)
    assert summary["targets"] == 6 and "geographic" in summary["features"]
    assert (out / "model.txt").is_file() and (out / "ranker.json").is_file()
    pred = runner.invoke(
        app,
        ["rank", "predict", "--target", "wol", "--model", str(out), "--candidates", "swa,fra,hau",
         "--top-k", "2", "--format", "json"],
    )  # fmt: skip
    assert pred.exit_code == 0, pred.output
    rows = json.loads(pred.stdout)
    assert len(rows) == 2 and {r["language"] for r in rows} <= {"swa", "fra", "hau"}
    assert rows[0]["score"] >= rows[1]["score"]
    assert abs(sum(r["weight"] for r in rows) - 1.0) < 1e-9
    assert "geographic" in rows[0]["explanation"] and "bias" in rows[0]["explanation"]
    text = runner.invoke(app, ["rank", "predict", "--target", "wol", "--model", str(out)])
    assert text.exit_code == 0 and "weight" in text.stdout


def test_predict_packaged_ner_offline() -> None:
    result = runner.invoke(app, ["rank", "predict", "--target", "hau", "--task", "ner", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 41 and rows[0]["language"] != "hau"
    assert all(set(r) >= {"language", "score", "explanation", "weight"} for r in rows)


def test_predict_with_heuristic_method() -> None:
    result = runner.invoke(
        app, ["rank", "predict", "--target", "xho", "--method", "genealogical", "--candidates", "zul,eng,cmn"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split()[1] == "zul"
    bad = runner.invoke(app, ["rank", "predict", "--target", "xho", "--method", "geographic"])
    assert bad.exit_code != 0 and "--candidates" in str(bad.exception)


def test_evaluate_json_and_text(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    result = runner.invoke(
        app,
        ["rank", "evaluate", "--table", table_path(resources), "--rankers", "geographic,rank-average",
         "--targets", "hau,wol", "--out", str(out), "--format", "json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report == json.loads(out.read_text())
    assert [r["ranker"] for r in report["results"]] == ["geographic", "rank-average"]
    assert set(report["results"][0]["mean"]) == {"ndcg@1", "ndcg@3", "ndcg@5", "p@1", "map"}
    text = runner.invoke(
        app,
        ["rank", "evaluate", "--table", table_path(resources), "--rankers", "geographic", "--targets", "hau"],
    )
    assert text.exit_code == 0 and "ndcg@3" in text.stdout


def test_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(",eng\nfra,oops\n", encoding="utf-8")
    result = runner.invoke(app, ["rank", "evaluate", "--table", str(bad)])
    assert result.exit_code != 0 and f"{bad}:2" in str(result.exception)
    unknown = runner.invoke(app, ["rank", "predict", "--target", "Wolfo"])
    assert unknown.exit_code != 0 and "Wolof" in str(unknown.exception)
