"""Hostile corpus, class 'silent drops': whatever a command drops, it counts and says why
(log, ``--format json``, the run's statistics)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from xlt.io.parallel import join_verses, read_bible_pair
from xlt.testing.hostile import run_cli

RES = Path(__file__).parents[1] / "resources" / "pipeline"
FAST = ["--set", "rel_iterations=0.05", "--set", "n_samplers=1"]


def _bible(path: Path, verses: dict[str, str]) -> Path:
    path.write_text("verse_id\ttext\n" + "".join(f"{k}\t{v}\n" for k, v in verses.items()), encoding="utf-8")
    return path


SRC = {f"b.MAT.1.{i}": f"the bird {i} sings ." for i in range(1, 5)}
MOSTLY_EMPTY = {"b.MAT.1.1": "lo reni canta .", "b.MAT.1.2": "", "b.MAT.1.3": " ", "b.MAT.1.4": ""}


@pytest.mark.parametrize(
    ("src", "tgt", "reasons"),
    [
        (SRC, MOSTLY_EMPTY, {"empty_in_target": 3}),
        ({**SRC, "b.MAT.1.2": ""}, {k: "x y" for k in SRC}, {"empty_in_source": 1}),
        (SRC, {"b.MAT.1.1": "a", "b.MAT.9.9": "b"}, {"only_in_source": 3, "only_in_target": 1}),
        (
            {**SRC, "b.MAT.1.3": ""},
            {**MOSTLY_EMPTY, "b.MAT.1.2": "z"},
            {"empty_on_both_sides": 1, "empty_in_target": 1, "empty_in_source": 0},
        ),
    ],
    ids=["most-target-empty", "one-source-empty", "unshared", "both-sides"],
)
def test_join_counts_every_dropped_verse_by_reason(src: dict, tgt: dict, reasons: dict) -> None:
    join = join_verses(src, tgt)
    stats = join.to_dict()
    for k, n in reasons.items():
        assert stats["dropped_by_reason"][k] == n, stats
    assert stats["dropped"] == sum(stats["dropped_by_reason"].values()) == join.n_dropped
    assert stats["pairs"] + join.n_only_src + join.n_empty == len(src)


def test_empty_verses_are_a_logged_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    s, t = _bible(tmp_path / "s.tsv", SRC), _bible(tmp_path / "t.tsv", MOSTLY_EMPTY)
    with caplog.at_level(logging.WARNING, logger="xlt"):
        pairs, join = read_bible_pair(s, t)
    assert len(pairs) == 1 and join.n_empty == 3
    assert any(
        "3 empty on either side" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records
    )


def test_align_bibles_reports_the_drops(tmp_path: Path) -> None:
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    s, t = (
        _bible(tmp_path / "s.tsv", SRC),
        _bible(tmp_path / "t.tsv", {**MOSTLY_EMPTY, "b.MAT.1.4": "lo kano ."}),
    )
    out, ids = tmp_path / "a.txt", tmp_path / "ids.txt"
    res = run_cli("align", "-p", s, "-p", t, "--out", out, "--write-ids", ids, *FAST, "--format", "json")
    assert res.code == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["pairs"] == 2 and summary["dropped"] == 2
    assert summary["join"]["dropped_by_reason"]["empty_in_target"] == 2
    assert summary["join"]["empty_examples"] == ["b.MAT.1.2", "b.MAT.1.3"]
    assert ids.read_text().split() == ["b.MAT.1.1", "b.MAT.1.4"]  # output line -> verse id
    assert len(out.read_text().splitlines()) == 2
    text = run_cli("align", "-p", s, "-p", t, "--out", out, *FAST)
    assert "verse join: 2 shared verses; dropped 0 only in source, 0 only in target, 2 empty" in text.stdout


def test_align_bibles_with_nothing_left_is_an_error(tmp_path: Path) -> None:
    s = _bible(tmp_path / "s.tsv", SRC)
    t = _bible(tmp_path / "t.tsv", {k: "" for k in SRC})
    res = run_cli("align", "-p", s, "-p", t, "--out", tmp_path / "a.txt")
    assert res.code == 1 and not res.traceback and "4 empty on either side" in res.stderr


def test_recipe_run_statistics_count_the_drops(tmp_path: Path, write_recipe, projection_recipe) -> None:
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    lines = (RES / "target.verses.tsv").read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [ln.split("\t")[0] + "\t" if 1 <= i <= 5 else ln for i, ln in enumerate(lines[1:], 1)]
    tgt = tmp_path / "target.verses.tsv"
    tgt.write_text("\n".join(kept) + "\n", encoding="utf-8")
    data = projection_recipe(
        model={"method": "crf", "max_iterations": 10},
        align={"method": "eflomal", "options": {"symmetrize": "intersection", "n_samplers": 1}},
    )
    data["target"]["parallel"] = str(tgt)
    data["projection"] = {"max_sentences": 100}
    res = run_cli("run", write_recipe(data), "--format", "json")
    assert res.code == 0, res.stderr
    per = json.loads(res.stdout)["metrics"]["projection"]["per_source"]["eng"]
    assert per["dropped_by_reason"]["empty_in_target"] == 5
    assert per["dropped_by_reason"]["over_max_sentences"] == len(lines) - 1 - 5 - 100
    assert per["pairs"] == 100
    stats = json.loads((Path(data["output_dir"]) / "projection_stats.json").read_text())
    assert stats["per_source"]["eng"]["dropped_by_reason"] == per["dropped_by_reason"]
    log = (Path(data["output_dir"]) / "run.log").read_text()
    assert "5 empty in target" in log and "verse join eng-xx: 100 pairs kept" in log
