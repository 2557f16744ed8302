"""``xlt rank fit / predict / evaluate`` end to end on a tiny table."""

from __future__ import annotations

import json
from pathlib import Path

from xlt.testing.cli import invoke, invoke_json, invoke_ok


def table_path(resources: Path) -> str:
    return str(resources / "ranking" / "scores.csv")


def test_fit_then_predict(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    summary = invoke_json(
        "rank", "fit", "--table", table_path(resources), "--out", out, "--features", "uriel,geography",
        "--set", "n_estimators=10",
    )  # fmt: skip
    assert summary["targets"] == 6 and "geographic" in summary["features"]
    assert (out / "model.txt").is_file() and (out / "ranker.json").is_file()
    rows = invoke_json(
        "rank", "predict", "--target", "wol", "--model", out, "--candidates", "swa,fra,hau", "--top-k", "2"
    )
    assert len(rows) == 2 and {r["language"] for r in rows} <= {"swa", "fra", "hau"}
    assert rows[0]["score"] >= rows[1]["score"]
    assert abs(sum(r["weight"] for r in rows) - 1.0) < 1e-9
    assert "geographic" in rows[0]["explanation"] and "bias" in rows[0]["explanation"]
    assert "weight" in invoke_ok("rank", "predict", "--target", "wol", "--model", out).stdout


def test_predict_packaged_ner_offline() -> None:
    rows = invoke_json("rank", "predict", "--target", "hau", "--task", "ner")
    assert len(rows) == 41 and rows[0]["language"] != "hau"
    assert all(set(r) >= {"language", "score", "explanation", "weight"} for r in rows)


def test_predict_with_heuristic_method() -> None:
    result = invoke_ok(
        "rank", "predict", "--target", "xho", "--method", "genealogical", "--candidates", "zul,eng,cmn"
    )
    assert result.stdout.splitlines()[1].split()[1] == "zul"
    bad = invoke("rank", "predict", "--target", "xho", "--method", "geographic")
    assert bad.exit_code != 0 and "--candidates" in str(bad.exception)


def test_evaluate_json_and_text(resources: Path, tmp_path: Path) -> None:
    out = tmp_path / "eval.json"
    report = invoke_json(
        "rank", "evaluate", "--table", table_path(resources), "--rankers", "geographic,rank-average",
        "--targets", "hau,wol", "--out", out,
    )  # fmt: skip
    assert report == json.loads(out.read_text())
    assert [r["ranker"] for r in report["results"]] == ["geographic", "rank-average"]
    assert set(report["results"][0]["mean"]) == {"ndcg@1", "ndcg@3", "ndcg@5", "p@1", "map"}
    text = invoke_ok(
        "rank", "evaluate", "--table", table_path(resources), "--rankers", "geographic", "--targets", "hau"
    )
    assert "ndcg@3" in text.stdout


def test_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(",eng\nfra,oops\n", encoding="utf-8")
    result = invoke("rank", "evaluate", "--table", bad)
    assert result.exit_code != 0 and f"{bad}:2" in str(result.exception)
    unknown = invoke("rank", "predict", "--target", "Wolfo")
    assert unknown.exit_code != 0 and "Wolof" in str(unknown.exception)
