"""``xlt translate`` and ``xlt methods`` for the translation stages."""

from __future__ import annotations

from xlt.testing.cli import invoke, invoke_json


def test_translate_file_backend_lines_and_conll(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("Mary went to Nairobi .\n\nThe dog .\n", encoding="utf-8")
    mt = tmp_path / "mt.txt"
    mt.write_text("Maria Nairobira joan zen .\n\nTxakurra .\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    summary = invoke_json(
        "translate", src, "-o", out, "--src", "eng", "--tgt", "eus", "-t", "file", "--translations", mt
    )
    assert summary["sentences"] == 3 and summary["empty_outputs"] == 1
    assert out.read_text(encoding="utf-8") == mt.read_text(encoding="utf-8")

    conll = tmp_path / "in.conll"
    conll.write_text("Mary B-PER\nwent O\nto O\nNairobi B-LOC\n. O\n\n", encoding="utf-8")
    marked = tmp_path / "marked.txt"
    marked.write_text("{Maria} Nairobira joan zen .\n", encoding="utf-8")
    res = invoke_json(
        "translate", conll, "-o", tmp_path / "out.conll", "--src", "en", "--tgt", "eu",
        "-t", "file", "--translations", marked, "--project", "markers",
    )  # fmt: skip
    assert res["kept"] == 1 and res["markers"]["lost"] == 1 and res["spans"]["fuzzy_copy"] == 1
    assert (tmp_path / "out.conll").read_text(encoding="utf-8").splitlines()[:2] == [
        "Maria B-PER",
        "Nairobira B-LOC",
    ]


def test_translate_errors_are_one_line(tmp_path):
    src = tmp_path / "in.txt"
    src.write_text("a\nb\n", encoding="utf-8")
    mt = tmp_path / "mt.txt"
    mt.write_text("x\n", encoding="utf-8")
    r = invoke("translate", src, "-o", tmp_path / "o.txt", "--src", "eng", "--tgt", "eus", "-t", "file",
               "--translations", mt)  # fmt: skip
    assert r.exit_code != 0 and "1 lines (empty lines counted) for 2 input" in str(r.exception or r.output)
    assert not (tmp_path / "o.txt").exists()


def test_methods_lists_translators_and_projectors():
    rows = invoke_json("methods")
    names = {(r["stage"], r["name"]) for r in rows}
    assert {("translators", "hf-seq2seq"), ("translators", "file"), ("translators", "openai")} <= names
    assert {("translation_projectors", "markers"), ("translation_projectors", "constrained")} <= names
    assert all(r["reference"] for r in rows if r["stage"] in ("translators", "translation_projectors"))


def test_translate_project_candidates_with_a_local_encoder(tmp_path, tiny_model_dir):
    conll = tmp_path / "in.conll"
    conll.write_text("Mary B-PER\nwent O\nto O\nNairobi B-LOC\n. O\n\n", encoding="utf-8")
    mt = tmp_path / "mt.txt"
    mt.write_text("Maria Nairobira joan zen .\n", encoding="utf-8")
    res = invoke_json(
        "translate", conll, "-o", tmp_path / "out.conll", "--src", "en", "--tgt", "eu", "-t", "file",
        "--translations", mt, "--project", "candidates", "--project-set", f"encoder={tiny_model_dir}",
    )  # fmt: skip
    assert res["kept"] == 1 and res["spans"]["placed"] == 2 and res["translation_scored"] is False
    labels = [
        line.split()[1] for line in (tmp_path / "out.conll").read_text(encoding="utf-8").split("\n") if line
    ]
    assert sorted(lab for lab in labels if lab.startswith("B-")) == ["B-LOC", "B-PER"]
