"""Hostile corpus, class 'data loss' (and the run-directory faults): a run never replaces another
recipe's outputs without --overwrite/--force, concurrent runs are locked out, temporaries stay in
the run directory."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from xlt.testing.hostile import run_cli

RES = Path(__file__).parents[1] / "resources" / "pipeline"


def _recipe(tmp_path: Path, out: Path, file: str = "a.yaml", **over: object) -> Path:
    data: dict = {
        "task": "classification",
        "method": "supervised",
        "model": "linear",
        "target": {"language": "xx", "train": str(RES / "cls_train.tsv"), "test": str(RES / "cls_test.tsv")},
        "output_dir": str(out),
    }
    data.update(over)
    path = tmp_path / file
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in ("run.log", ".xlt-run.lock")
    }


@pytest.fixture
def first_run(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    res = run_cli("run", _recipe(tmp_path, out), "--format", "json")
    assert res.code == 0, res.stderr
    return out


DIFFERENT = [
    {"target": {"language": "yy", "train": str(RES / "cls_train.tsv"), "test": str(RES / "cls_test.tsv")}},
    {"name": "another-experiment"},
    {"method": "zero-shot", "source": {"language": "eng", "train": str(RES / "cls_train.tsv")}},
]


@pytest.mark.parametrize("over", DIFFERENT, ids=["other-target", "other-name", "other-method"])
def test_a_different_recipe_is_refused(tmp_path: Path, first_run: Path, over: dict) -> None:
    before = _snapshot(first_run)
    res = run_cli("run", _recipe(tmp_path, first_run, "b.yaml", **over))
    assert res.code == 1 and not res.traceback, res.stderr
    assert "holds a different recipe" in res.stderr
    for name in ("steps/", "model/", "metrics.json", "run.json"):
        assert name in res.stderr
    assert "--overwrite" in res.stderr
    assert _snapshot(first_run) == before  # nothing touched


@pytest.mark.parametrize("flag", ["--overwrite", "--force"])
def test_overwrite_or_force_replaces(tmp_path: Path, first_run: Path, flag: str) -> None:
    (first_run / "steps" / "stale-step").mkdir()
    res = run_cli("run", _recipe(tmp_path, first_run, "b.yaml", **DIFFERENT[0]), flag, "--format", "json")
    assert res.code == 0, res.stderr
    info = json.loads((first_run / "run.json").read_text())
    assert info["target"] == "yy"
    assert not (first_run / "steps" / "stale-step").exists()  # the other run's steps are gone


def test_same_recipe_resumes_and_option_changes_rerun(tmp_path: Path, first_run: Path) -> None:
    recipe = tmp_path / "a.yaml"
    again = run_cli("run", recipe, "--format", "json")
    assert again.code == 0 and "train-target" in json.loads(again.stdout)["cached_steps"]
    changed = run_cli("run", recipe, "--set", "seed=3", "--format", "json")
    assert changed.code == 0, changed.stderr
    assert "train-target" not in json.loads(changed.stdout)["cached_steps"]


def test_outputs_of_unknown_origin_are_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "steps" / "train-target").mkdir(parents=True)
    (out / "model").mkdir()
    res = run_cli("run", _recipe(tmp_path, out))
    assert res.code == 1 and "cannot be told" in res.stderr and "steps/" in res.stderr


def test_run_json_of_an_older_run_identifies_it(tmp_path: Path, first_run: Path) -> None:
    (first_run / ".xlt-run.json").unlink()  # as written by an xlt without the marker
    assert run_cli("run", tmp_path / "a.yaml").code == 0
    (first_run / ".xlt-run.json").unlink()
    res = run_cli("run", _recipe(tmp_path, first_run, "b.yaml", **DIFFERENT[0]))
    assert res.code == 1 and "holds a different recipe" in res.stderr


def test_unrelated_files_do_not_block(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert run_cli("run", _recipe(tmp_path, out)).code == 0
    assert (out / "notes.txt").read_text() == "mine"


# --- lock ------------------------------------------------------------------------------------
def test_a_locked_run_directory_is_a_clear_error(tmp_path: Path, first_run: Path) -> None:
    with open(first_run / ".xlt-run.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh.write("4242\n")
        fh.flush()
        res = run_cli("run", tmp_path / "a.yaml", "--force")
    assert res.code == 1 and not res.traceback
    assert "another xlt run (pid 4242) is using this output directory" in res.stderr
    assert (first_run / "model").is_dir()


def test_concurrent_forced_runs_never_crash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    recipe = _recipe(tmp_path, out)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    cmd = [sys.executable, "-m", "xlt.cli.app", "run", str(recipe), "--force"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for p in procs:
        p.stdout.close()  # type: ignore[union-attr]
        p.stderr.close()  # type: ignore[union-attr]
    assert all("Traceback" not in err for _, err in results), results
    assert all(code in (0, 1) for code, _ in results), results
    assert any(code == 0 for code, _ in results)
    for code, err in results:
        if code == 1:
            assert "is using this output directory" in err
    assert json.loads((out / "metrics.json").read_text())["accuracy"] == 1.0


# --- temporaries -------------------------------------------------------------------------------
def test_temporaries_live_in_the_run_directory(tmp_path: Path) -> None:
    from xlt.pipeline.rundir import claim_run_dir

    out = tmp_path / "out"
    (out / ".tmp" / "xlt-eflomal-leftover").mkdir(parents=True)  # from a SIGKILLed run
    (out / ".tmp" / "tmpabc.txt").write_text("x")
    identity = {"task": "pos", "method": "supervised", "target": "xx", "sources": [], "name": None}
    with claim_run_dir(out, identity):
        assert not (out / ".tmp" / "xlt-eflomal-leftover").exists()
        with tempfile.TemporaryDirectory(prefix="xlt-crf-") as d:
            assert Path(d).parent == out / ".tmp"
        seen = tempfile.gettempdir()
    assert seen == str(out / ".tmp")
    assert tempfile.gettempdir() != seen and not (out / ".tmp").exists()


def test_a_run_leaves_no_temporaries_in_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = tmp_path / "tmpdir"
    sandbox.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandbox))
    out = tmp_path / "out"
    assert run_cli("run", _recipe(tmp_path, out)).code == 0
    assert list(sandbox.iterdir()) == []
    assert not (out / ".tmp").exists()


def test_stale_temporaries_of_killed_processes_are_removed(tmp_path: Path) -> None:
    from xlt.tempfiles import clean_stale, temp_dir

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    for kind in ("eflomal", "crf", "ft"):
        (tmp_path / f"xlt-{kind}-{pid}-abc").mkdir()
    (tmp_path / f"xlt-crf-{os.getpid()}-mine").mkdir()  # this process: alive
    (tmp_path / "xlt-notes").mkdir()  # not ours by name
    (tmp_path / f"xlt-eflomal-{pid}-file").write_text("a file, not a directory")
    assert clean_stale(tmp_path) == 0  # just written: could be a live process in another namespace
    old = time.time() - 7200
    for p in tmp_path.rglob("*"):
        os.utime(p, (old, old))
    assert clean_stale(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"xlt-crf-{os.getpid()}-mine", "xlt-notes", f"xlt-eflomal-{pid}-file"]
    )
    with temp_dir("crf") as d:
        assert Path(d).name.startswith(f"xlt-crf-{os.getpid()}-")


def test_eflomal_temporaries_stay_in_its_own_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    from xlt.alignment import aligners
    from xlt.types import SentencePair

    sandbox = tmp_path / "tmpdir"
    sandbox.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(sandbox))
    seen: list[str] = []
    import eflomal

    real = eflomal.Aligner.align

    def spy(self, *a, **k):  # type: ignore[no-untyped-def]
        seen.append(tempfile.gettempdir())
        return real(self, *a, **k)

    monkeypatch.setattr(eflomal.Aligner, "align", spy)
    cfg = aligners.config_class("eflomal").from_dict(
        {"method": "eflomal", "n_samplers": 1, "rel_iterations": 0.05}
    )
    pairs = [SentencePair(("a", "b"), ("x", "y")), SentencePair(("b",), ("y",))]
    aligners.build("eflomal", cfg).align(pairs)
    assert seen and all(Path(d).parent == sandbox and Path(d).name.startswith("xlt-eflomal-") for d in seen)
    assert list(sandbox.iterdir()) == []


_WRITER = """
import sys
from xlt.io.pharaoh import write_pharaoh
from xlt.types import Alignment
k = int(sys.argv[2])
write_pharaoh((Alignment(frozenset({(i % 50, k)})) for i in range(200_000)), sys.argv[1])
"""


def test_two_writers_of_one_out_file_never_tear_it(tmp_path: Path) -> None:
    out = tmp_path / "pred.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(out), str(k)], env=env) for k in (1, 2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    lines = out.read_text().splitlines()
    assert len(lines) == 200_000 and len({ln.split("-")[1] for ln in lines}) == 1  # all from one writer
    assert not list(tmp_path.glob(".pred.txt.*"))


def test_an_interrupted_write_keeps_the_old_file(tmp_path: Path) -> None:
    from xlt.io.pharaoh import write_pharaoh
    from xlt.types import Alignment

    out = tmp_path / "pred.txt"
    out.write_text("0-0\n")

    def links():  # type: ignore[no-untyped-def]
        yield Alignment(frozenset({(1, 1)}))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_pharaoh(links(), out)
    assert out.read_text() == "0-0\n" and not list(tmp_path.glob(".pred.txt.*"))


def test_output_dir_that_is_a_file(tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.write_text("keep me")
    res = run_cli("run", _recipe(tmp_path, taken))
    assert res.code == 1 and not res.traceback and "is an existing file" in res.stderr
    assert taken.read_text() == "keep me"
