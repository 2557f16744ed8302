"""``xlt langs`` commands."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xlt.cli.app import app

runner = CliRunner()


def test_langs_info_json() -> None:
    result = runner.invoke(app, ["langs", "info", "wol", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["code"] == "wol" and data["family"] == "Atlantic-Congo" and data["scripts"] == ["Latn"]


def test_langs_info_text_and_unknown() -> None:
    result = runner.invoke(app, ["langs", "info", "Basque"])
    assert result.exit_code == 0 and "eus" in result.stdout and "Eurasia" in result.stdout
    bad = runner.invoke(app, ["langs", "info", "Wolfo"])
    assert bad.exit_code != 0 and "Wolof" in str(bad.exception)


def test_langs_resolve_and_script(tmp_path) -> None:
    result = runner.invoke(app, ["langs", "resolve", "swa", "nor_Latn", "--format", "json"])
    assert json.loads(result.stdout) == [
        {"given": "swa", "code": "swh", "script": None},
        {"given": "nor_Latn", "code": "nob", "script": "Latn"},
    ]
    text = tmp_path / "t.txt"
    text.write_text("Привет мир\nещё одна строка\nok\n", encoding="utf-8")
    out = runner.invoke(app, ["langs", "script", str(text), "--format", "json"])
    assert json.loads(out.stdout)["script"] == "Cyrl"


def test_langs_distance_json() -> None:
    result = runner.invoke(app, ["langs", "distance", "xho", "zul", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["first"] == "xho" and data["features"]["script_match"] == 1.0
    assert data["features"]["genealogical"] < 0.5 and data["features"]["geographic"] < 1500
