"""Hostile corpus, class 'tracebacks': each case ends in one clear xlt error (file, line, expectation), exit 1/2."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from xlt.errors import DataFormatError, MismatchError, XltError
from xlt.io.classification import read_classification
from xlt.io.conllu import read_conllu
from xlt.io.files import iter_lines
from xlt.io.pharaoh import read_naacl, read_pharaoh
from xlt.testing.hostile import run_cli

UD = "1\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_\n"


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


READER_CASES = [
    (
        "conllu-superscript-head",
        "a.conllu",
        UD + "2\tB\tb\tNOUN\t_\t_\t\u00b2\tdep\t_\t_\n\n",
        read_conllu,
        2,
    ),
    ("conllu-superscript-id", "a.conllu", UD + "\u00b2\tB\tb\tNOUN\t_\t_\t1\tdep\t_\t_\n\n", read_conllu, 2),
    (
        "conllu-arabic-indic-head",
        "a.conllu",
        UD + "2\tB\tb\tNOUN\t_\t_\t\u0661\tdep\t_\t_\n\n",
        read_conllu,
        2,
    ),
    (
        "conllu-fullwidth-range",
        "a.conllu",
        "\uff11-2\tAB\t_\t_\t_\t_\t_\t_\t_\t_\n" + UD + "\n",
        read_conllu,
        1,
    ),
    ("pharaoh-superscript", "a.align", "0-0 1-\u00b2\n", read_pharaoh, 1),
    ("pharaoh-devanagari", "a.align", "\u0966-0\n", read_pharaoh, 1),
    ("naacl-superscript", "g.naacl", "1 1 1 S\n1 \u00b2 1 S\n", read_naacl, 2),
    ("naacl-bengali", "g.naacl", "\u09e7 1 1\n", read_naacl, 1),
    (
        "jsonl-deep-nesting",
        "a.jsonl",
        '{"text": "x", "label": ' + "[" * 5000 + "]" * 5000 + "}\n",
        read_classification,
        1,
    ),
    ("jsonl-huge-int", "a.jsonl", '{"text": "x", "label": ' + "9" * 5000 + "}\n", read_classification, 1),
    (
        "jsonl-deep-objects",
        "a.jsonl",
        '{"text": "x", "y": ' + '{"a":' * 3000 + "1" + "}" * 3000 + "}\n",
        read_classification,
        1,
    ),
]


@pytest.mark.parametrize("case", READER_CASES, ids=[c[0] for c in READER_CASES])
def test_reader_cases_name_file_and_line(tmp_path: Path, case) -> None:
    _, name, content, reader, line = case
    path = _write(tmp_path / name, content)
    with pytest.raises(DataFormatError) as info:
        list(reader(path))
    assert info.value.path is not None and Path(info.value.path).name == name
    assert info.value.line == line


def test_corrupt_gzip_stream(tmp_path: Path) -> None:
    good = gzip.compress(("word O\n" * 20000).encode())
    bad = good[:20] + bytes(b ^ 0x5A for b in good[20:200]) + good[200:]
    path = _write(tmp_path / "bad.txt.gz", bad)
    with pytest.raises(DataFormatError, match="cannot read compressed data") as info:
        list(iter_lines(path))
    assert info.value.path == str(path)


def test_truncated_gzip_stream(tmp_path: Path) -> None:
    good = gzip.compress(("word O\n" * 2000).encode())
    path = _write(tmp_path / "cut.txt.gz", good[: len(good) // 2])
    with pytest.raises(DataFormatError, match="compressed"):
        list(iter_lines(path))


def test_bioes_is_read_as_spans() -> None:
    from xlt.evaluation.metrics import span_prf

    gold = [["S-PER", "O", "B-LOC", "E-LOC"]]
    scores = span_prf(gold, gold)
    assert scores["f1"] == 1.0 and scores["n_gold_spans"] == 2.0
    partial = span_prf(gold, [["S-PER", "O", "B-LOC", "O"]])
    assert 0 < partial["f1"] < 1


def test_unknown_tag_scheme_is_a_clear_error() -> None:
    from xlt.evaluation.metrics import span_prf

    with pytest.raises(MismatchError, match="token 2"):
        span_prf([["B-PER", "X-PER"]], [["B-PER", "O"]])


def test_project_evaluate_bioes_cli(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.txt", "Ann S-PER\nin O\nNew B-LOC\nYork E-LOC\n\n")
    out = run_cli("project", "evaluate", "--pred", gold, "--gold", gold, "--format", "json")
    assert out.code == 0, out.stderr
    assert json.loads(out.stdout)["f1"] == 1.0


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x00\x00\x00",
        (10**12).to_bytes(8, "little") + b"{}",
        (20).to_bytes(8, "little") + b"{not json",
    ],
    ids=["empty", "tiny", "header-too-large", "bad-header"],
)
def test_merge_bad_safetensors(tmp_path: Path, tiny_model_dir: Path, content: bytes) -> None:
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, bad)
    for f in bad.glob("*.safetensors"):
        f.write_bytes(content)
    out = run_cli("merge", "average", tiny_model_dir, bad, "--out", tmp_path / "out")
    assert not out.traceback, out.stderr
    assert out.code in (1, 2) and "error:" in out.stderr and "bad" in out.stderr


def test_pickle_bin_is_refused_in_one_line(tmp_path: Path, tiny_model_dir: Path) -> None:
    import shutil

    bad = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, bad)
    for f in bad.glob("*.safetensors"):
        f.unlink()
    (bad / "pytorch_model.bin").write_bytes(b"\x80\x04cos\nsystem\n.")
    out = run_cli("merge", "average", tiny_model_dir, bad, "--out", tmp_path / "out")
    assert out.code == 1 and not out.traceback
    assert "refusing to load pickle" in out.stderr
    assert "weights_only=False" not in out.stderr
    assert len(out.stderr.strip().splitlines()) <= 2


def test_merge_out_onto_existing_file_fails_before_work(tmp_path: Path, tiny_model_dir: Path) -> None:
    target = _write(tmp_path / "taken", "keep me")
    out = run_cli("merge", "average", tiny_model_dir, tiny_model_dir, "--out", target)
    assert out.code == 1 and "existing file" in out.stderr and not out.traceback
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    "info",
    [
        {"task": ["ner"], "model": {"a": 1}, "target": 3, "created_at": 7},
        {"seed": "\u00b2", "primary_metric": ["f1"]},
        {"seed": float("inf"), "dataset": {"x": [1]}},
    ],
)
def test_report_run_json_non_string_fields(tmp_path: Path, info: dict) -> None:
    run = tmp_path / "run1"
    run.mkdir()
    (run / "run.json").write_text(json.dumps(info).replace("Infinity", "1e999"), encoding="utf-8")
    (run / "metrics.json").write_text('{"f1": 0.5}', encoding="utf-8")
    out = run_cli("report", run, "--out", tmp_path / "r.json", "--format", "json", "--no-typology")
    assert out.code == 0, out.stderr


@pytest.mark.parametrize("junk", [b"not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 200])
def test_corrupt_run_store(tmp_path: Path, junk: bytes) -> None:
    _write(tmp_path / "runs.sqlite", junk)
    out = run_cli("runs", "list", "--workspace", tmp_path)
    assert out.code == 1 and not out.traceback
    assert "runs.sqlite" in out.stderr


def test_unexpected_exception_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import xlt.cli.app as app_mod

    def boom(*a: object, **k: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(app_mod, "app", boom)
    out = run_cli("methods")
    assert out.code == 2 and not out.traceback and "internal error" in out.stderr


def test_errors_are_xlt_errors() -> None:
    assert issubclass(DataFormatError, XltError)
