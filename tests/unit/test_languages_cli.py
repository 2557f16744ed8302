"""``xlt langs`` commands."""

from __future__ import annotations

from xlt.testing.cli import invoke, invoke_json, invoke_ok


def test_langs_info_json() -> None:
    data = invoke_json("langs", "info", "wol")
    assert data["code"] == "wol" and data["family"] == "Atlantic-Congo" and data["scripts"] == ["Latn"]


def test_langs_info_text_and_unknown() -> None:
    result = invoke_ok("langs", "info", "Basque")
    assert "eus" in result.stdout and "Eurasia" in result.stdout
    bad = invoke("langs", "info", "Wolfo")
    assert bad.exit_code != 0 and "Wolof" in str(bad.exception)


def test_langs_resolve_and_script(tmp_path) -> None:
    assert invoke_json("langs", "resolve", "swa", "nor_Latn") == [
        {"given": "swa", "code": "swh", "script": None},
        {"given": "nor_Latn", "code": "nob", "script": "Latn"},
    ]
    text = tmp_path / "t.txt"
    text.write_text("Привет мир\nещё одна строка\nok\n", encoding="utf-8")
    assert invoke_json("langs", "script", text)["script"] == "Cyrl"


def test_langs_distance_json() -> None:
    data = invoke_json("langs", "distance", "xho", "zul")
    assert data["first"] == "xho" and data["features"]["script_match"] == 1.0
    assert data["features"]["genealogical"] < 0.5 and data["features"]["geographic"] < 1500
