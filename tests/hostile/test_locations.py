"""Hostile corpus, class 'errors with a location, early': bad alignment links name the alignment
file and line; every input a recipe names is validated before the first step."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from xlt.testing.hostile import run_cli

RES = Path(__file__).parents[1] / "resources" / "pipeline"


@pytest.fixture
def project_inputs(tmp_path: Path) -> tuple[Path, Path]:
    src = tmp_path / "src.conll"
    src.write_text("Ann B-PER\nsings O\n\nBob B-PER\n\n", encoding="utf-8")
    tgt = tmp_path / "tgt.txt"
    tgt.write_text("Ann canta\nBob\n", encoding="utf-8")
    return src, tgt


@pytest.mark.parametrize(
    ("links", "line", "what"),
    [
        ("0-0 1-1\n0-3\n", 2, "link '0-3': target index out of range (sentence has 1 tokens)"),
        ("0-0 5-1\n0-0\n", 1, "link '5-1': source index out of range (sentence has 2 tokens)"),
        ("0-0\n0-0 0-1\n", 2, "link '0-1': target index out of range"),
        ("0-0\n0-0\n0-0\n", None, "has more alignment lines than the 2 sentence pairs"),
        ("0-0\n", None, "has 1 alignment lines but there are 2 sentence pairs"),
    ],
    ids=["target-index", "source-index", "second-link", "extra-line", "missing-line"],
)
def test_project_bad_links_name_the_alignment_file(
    tmp_path: Path, project_inputs: tuple[Path, Path], links: str, line: int | None, what: str
) -> None:
    src, tgt = project_inputs
    al = tmp_path / "links.al"
    al.write_text(links, encoding="utf-8")
    out = run_cli("project", "--source", src, "--target", tgt, "--alignments", al, "--out", tmp_path / "o")
    assert out.code == 1 and not out.traceback, out.stderr
    where = f"links.al:{line}: " if line is not None else "links.al"
    assert where in out.stderr and what in out.stderr
    assert not (tmp_path / "o").exists()


def _recipe(tmp_path: Path, **target: str) -> dict:
    return {
        "task": "pos",
        "method": "supervised",
        "model": {"method": "crf", "max_iterations": 5},
        "target": {
            "language": "xx",
            "train": str(RES / "target_test.conll"),
            "test": str(RES / "target_test.conll"),
            **target,
        },
        "output_dir": str(tmp_path / "out"),
    }


BAD_FILES = {
    "test-bad-columns": ("test", "a.conll", "A\tNOUN\nB\tNOUN\textra\n\n", 2, "expected 2 columns"),
    "test-empty": ("test", "a.conll", "", None, "no sentences found"),
    "test-only-comments": ("test", "a.conllu", "# sent_id = 1\n# text = x\n", 1, "only comment lines"),
    "dev-bad-head": ("dev", "d.conllu", "1\tA\ta\tNOUN\t_\t_\t9\troot\t_\t_\n\n", 1, "HEAD 9 is outside"),
    "dev-bad-utf8": ("dev", "d.conll", b"A NOUN\n\xff\xfe NOUN\n\n", 2, "invalid UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_recipe_inputs_are_validated_before_training(tmp_path: Path, write_recipe, case: str) -> None:
    key, name, content, line, what = BAD_FILES[case]
    bad = tmp_path / name
    if isinstance(content, bytes):
        bad.write_bytes(content)
    else:
        bad.write_text(content, encoding="utf-8")
    t0 = time.perf_counter()
    out = run_cli("run", write_recipe(_recipe(tmp_path, **{key: str(bad)})))
    assert out.code == 1 and not out.traceback, out.stderr
    assert (f"{name}:{line}:" if line else f"{name}:") in out.stderr and what in out.stderr
    assert f"target.{key}" in out.stderr  # the hint names the recipe key
    assert not (tmp_path / "out" / "steps").exists()  # nothing was trained
    assert time.perf_counter() - t0 < 20


def test_zero_shot_source_dev_is_validated_too(tmp_path: Path, write_recipe) -> None:
    bad = tmp_path / "dev.conll"
    bad.write_text("A\tNOUN\n\tNOUN\n\n", encoding="utf-8")
    data = _recipe(tmp_path)
    data["method"] = "zero-shot"
    data["source"] = {"language": "eng", "train": str(RES / "source_train.conllu"), "dev": str(bad)}
    out = run_cli("run", write_recipe(data))
    assert out.code == 1 and "dev.conll:2:" in out.stderr and "source.dev" in out.stderr
    assert not (tmp_path / "out" / "steps").exists()


def test_a_source_tagger_that_is_not_a_model_fails_early(
    tmp_path: Path, write_recipe, projection_recipe
) -> None:
    notes = tmp_path / "tagger.txt"
    notes.write_text("not a model\n", encoding="utf-8")
    data = projection_recipe()
    data["source"] = {**data["source"], "tagger": str(notes)}
    del data["source"]["train"]
    out = run_cli("run", write_recipe(data))
    assert out.code == 1 and not out.traceback
    assert "source.tagger:" in out.stderr and "not a saved xlt model" in out.stderr
    assert not (Path(data["output_dir"]) / "steps").exists()
