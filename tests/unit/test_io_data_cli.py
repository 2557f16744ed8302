"""`xlt data check` and format detection on the hand-made fixtures."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from xlt.cli.app import app
from xlt.io.detect import detect_kind

runner = CliRunner()


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("masakhaner_sample.txt", "conll"),
        ("uner_sample.iob2", "conll"),
        ("ud_sample.conllu", "conllu"),
        ("bible_sample.xml", "bible"),
        ("bible_sample.verses.tsv", "bible"),
        ("gold_sample.src-tgt", "parallel"),
        ("gold_sample.gold", "pharaoh"),
        ("xlwa_sample.tsv", "xlwa"),
        ("sib_sample.tsv", "classification"),
        ("nusax_sample.csv", "classification"),
        ("anli_sample.tsv", "classification"),
        ("sample.jsonl", "classification"),
    ],
)
def test_detect_kind(resources, name, kind):
    assert detect_kind(resources / "io" / name) == kind


def test_detect_by_content(tmp_path):
    cases = {
        "a.txt": ("0-0 1-1\n2-2\n", "pharaoh"),
        "b.txt": ("a ||| b\n", "parallel"),
        "c.txt": ("x O\ny O\n\nz O\n", "conll"),
        "d.txt": ("b.GEN.1.1\tIn the beginning\nb.GEN.1.2\tAnd the earth\n", "bible"),
        "e.tsv": ("verse_id\ttext\nb.GEN.1.1\tIn the beginning\n", "bible"),
        "f.dat": ('<?xml version="1.0"?>\n<cesDoc><seg id="b.GEN.1.1">x</seg></cesDoc>\n', "bible"),
    }
    for name, (content, kind) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        assert detect_kind(tmp_path / name) == kind


def test_parallel_reader_and_detector_agree_on_bibles(tmp_path):
    """`read_parallel` joins two files by verse id exactly when `detect_kind` calls both Bibles."""
    from xlt.io.parallel import read_parallel

    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("b.GEN.1.2\tAnd the earth\nb.GEN.1.1\tIn the beginning\n", encoding="utf-8")
    tgt.write_text("b.GEN.1.1\tAu commencement\nb.GEN.1.2\tLa terre\n", encoding="utf-8")
    assert detect_kind(src) == detect_kind(tgt) == "bible"
    pairs = read_parallel([src, tgt])
    assert [(p.src[0], p.tgt[0]) for p in pairs] == [("And", "La"), ("In", "Au")]  # joined by verse id
    src.write_text("In the beginning\nAnd the earth\n", encoding="utf-8")
    tgt.write_text("Au commencement\nLa terre\n", encoding="utf-8")
    assert [p.src[0] for p in read_parallel([src, tgt])] == ["In", "And"]  # line-aligned


def _check(*args: str):
    return runner.invoke(app, ["data", "check", *args])


def _json(stdout: str) -> dict:
    # the JSON document starts at the first line that is exactly "{" (log lines may precede it
    # while the shared logging handler writes to stdout)
    lines = stdout.splitlines()
    return json.loads("\n".join(lines[lines.index("{") :]))


def test_check_conll_json(resources):
    res = _check(str(resources / "io" / "masakhaner_sample.txt"), "--format", "json")
    assert res.exit_code == 0, res.output
    out = _json(res.stdout)
    assert out["kind"] == "conll" and out["sentences"] == 2 and out["tokens"] == 9
    assert out["repairs"]["total"] == 2 and out["scheme"] == "bio"
    assert out["labels"]["B-PER"] == 1


def test_check_strict_fails_with_location(resources):
    res = _check(str(resources / "io" / "masakhaner_sample.txt"), "--strict")
    assert res.exit_code != 0
    assert "masakhaner_sample.txt:9" in str(res.exception)


def test_check_bible_join_and_conllu(resources):
    res = _check(
        str(resources / "io" / "bible_sample.xml"),
        "--pair",
        str(resources / "io" / "bible_sample.verses.tsv"),
        "-f",
        "json",
    )
    assert res.exit_code == 0, res.output
    out = _json(res.stdout)
    assert out["verses"] == 4 and out["join"]["shared"] == 2 and out["join"]["empty"] == 1
    res = _check(str(resources / "io" / "ud_sample.conllu"))
    assert res.exit_code == 0 and "multiword_tokens: 2" in res.stdout and "empty_nodes: 1" in res.stdout


def test_check_gold_alignment_bounds(resources, tmp_path):
    res = _check(
        str(resources / "io" / "gold_sample.gold"), "--pair", str(resources / "io" / "gold_sample.src-tgt")
    )
    assert res.exit_code == 0, res.output
    assert "sure_links: 5" in res.stdout
    bad = tmp_path / "bad.gold"
    bad.write_text("1-1 2-9\n1-1\n", encoding="utf-8")
    res = _check(str(bad), "--pair", str(resources / "io" / "gold_sample.src-tgt"))
    assert res.exit_code != 0 and "bad.gold:1" in str(res.exception)


def test_main_prints_error_and_exits_1(tmp_path, capsys):
    from xlt.cli.app import main

    path = tmp_path / "x.dat"
    path.write_text("one two three four five six seven eight\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["data", "check", str(path)])
    assert info.value.code == 1
    assert "cannot tell the format" in capsys.readouterr().err


def test_check_folder_skips_docs_and_unknown(tmp_path, resources):
    (tmp_path / "README.md").write_text("# notes\n", encoding="utf-8")
    (tmp_path / "labels.txt").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "train.txt").write_text("x O\ny B-PER\n\n", encoding="utf-8")
    res = _check(str(tmp_path))
    assert res.exit_code == 0, res.output
    assert "train.txt: OK (conll" in res.stdout and "labels.txt: skipped" in res.stdout
    assert "README" not in res.stdout
    (tmp_path / "broken.conllu").write_text("1\tA\n\n", encoding="utf-8")
    res = _check(str(tmp_path))
    assert res.exit_code != 0 and "broken.conllu:1" in str(res.exception)
