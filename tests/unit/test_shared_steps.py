"""Steps shared across runs (pipeline/steps.py: ``shared=True`` with a ``shared_root``)."""

from __future__ import annotations

import json
from pathlib import Path

from xlt.pipeline.steps import StepRunner


def _step(calls: list[str], text: str):
    def compute(d: Path) -> dict:
        calls.append(text)
        (d / "out.txt").write_text(text, encoding="utf-8")
        return {"n": len(text)}

    return compute


def test_shared_step_is_reused_by_another_run_directory(tmp_path: Path) -> None:
    shared = tmp_path / "cache"
    calls: list[str] = []
    a = StepRunner(tmp_path / "run-a", shared_root=shared)
    d1, s1 = a.run("train-source", {"data": 1}, _step(calls, "model"), shared=True)
    b = StepRunner(tmp_path / "run-b", shared_root=shared)
    d2, s2 = b.run("train-source", {"data": 1}, _step(calls, "other"), shared=True)
    assert calls == ["model"]  # computed once
    assert d1 == d2 and d1.parent == shared and (d2 / "out.txt").read_text() == "model"
    assert s1 == s2 == {"n": 5}
    assert b.skipped == ["train-source"]
    pointer = json.loads((tmp_path / "run-b" / "steps" / "train-source" / "shared.json").read_text())
    assert pointer["path"] == str(d1)
    # no temporaries are left next to the shared step
    assert sorted(p.name for p in shared.iterdir()) == [d1.name]


def test_shared_step_depends_on_its_fingerprint_and_upstream(tmp_path: Path) -> None:
    shared = tmp_path / "cache"
    calls: list[str] = []
    r = StepRunner(tmp_path / "run", shared_root=shared)
    r.run("train", {"data": 1}, _step(calls, "a"), shared=True)
    r.run("train", {"data": 2}, _step(calls, "b"), shared=True)
    assert calls == ["a", "b"] and len(list(shared.iterdir())) == 2
    # a downstream (run-local) step chains on the shared step's fingerprint
    r.run("tag", {}, _step(calls, "t1"), upstream=("train",))
    r2 = StepRunner(tmp_path / "run", shared_root=shared)
    r2.run("train", {"data": 2}, _step(calls, "x"), shared=True)
    r2.run("tag", {}, _step(calls, "t2"), upstream=("train",))
    assert calls == ["a", "b", "t1"]  # both cached


def test_force_recomputes_a_shared_step_and_no_shared_root_keeps_it_local(tmp_path: Path) -> None:
    shared = tmp_path / "cache"
    calls: list[str] = []
    StepRunner(tmp_path / "r", shared_root=shared).run("s", {}, _step(calls, "one"), shared=True)
    d, _ = StepRunner(tmp_path / "r", shared_root=shared, force=True).run(
        "s", {}, _step(calls, "two"), shared=True
    )
    assert calls == ["one", "two"] and (d / "out.txt").read_text() == "two"
    local, _ = StepRunner(tmp_path / "local").run("s", {}, _step(calls, "three"), shared=True)
    assert local == tmp_path / "local" / "steps" / "s"


def test_failed_shared_step_leaves_nothing_behind(tmp_path: Path) -> None:
    import pytest

    shared = tmp_path / "cache"

    def boom(d: Path) -> dict:
        (d / "partial").write_text("x")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        StepRunner(tmp_path / "r", shared_root=shared).run("s", {}, boom, shared=True)
    assert list(shared.iterdir()) == []
