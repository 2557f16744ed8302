"""Run directories and the SQLite run store, including two processes writing at once."""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest

from xlt.errors import DataFormatError, UnknownNameError
from xlt.evaluation.store import RunStore, find_run_dirs, load_run, resolve_runs, write_run


def _info(i: int, **kw: object) -> dict:
    return {"task": "ner", "method": "zero-shot", "model": "crf", "sources": ["eng"], "target": "wol",
            "seed": i, **kw}  # fmt: skip


def test_write_and_load_run(tmp_path: Path) -> None:
    d = write_run(
        tmp_path / "r1",
        _info(1),
        {"f1": 0.5, "per_language": {"wol": {"f1": 0.5}, "hau": {"f1": 0.25}}},
        predictions=[{"id": "s1", "lang": "wol", "gold": ["B-PER"], "pred": ["O"]}],
        recipe_yaml="task: ner\n",
        ranking={"target": "wol", "candidates": []},
    )
    rec = load_run(d)
    assert rec.primary_metric == "f1" and rec.score == 0.5
    assert rec.language_scores() == {"wol": 0.5, "hau": 0.25}
    assert rec.sources == ("eng",) and rec.seed == 1 and rec.recipe == "task: ner\n"
    assert rec.has_predictions and rec.predictions()[0]["id"] == "s1"
    assert rec.ranking() == {"target": "wol", "candidates": []}
    assert "python" in rec.info["versions"] and rec.created_at
    assert find_run_dirs(tmp_path) == [d]


def test_load_run_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFormatError, match="not a run directory"):
        load_run(tmp_path / "empty")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "run.json").write_text("{\n  'task': 1\n}", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"run.json:2: invalid JSON"):
        load_run(bad)
    ok = write_run(tmp_path / "ok", _info(1), {"accuracy": 0.9})
    (ok / "predictions.jsonl").write_text('{"gold": "a", "pred": "a"}\n{"gold": "a"}\n', encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"predictions.jsonl:2"):
        load_run(ok).predictions()


def test_store_record_list_get(tmp_path: Path) -> None:
    store = RunStore.for_workspace(tmp_path)
    assert store.db_path == tmp_path / "runs.sqlite"
    ids = [store.record_run(write_run(tmp_path / f"r{i}", _info(i, target=t), {"f1": i / 10}))
           for i, t in enumerate(["wol", "hau", "wol"])]  # fmt: skip
    assert len(store) == 3
    assert [r.seed for r in store.list(target="wol")] == [0, 2]
    assert store.list(source="fra") == [] and len(store.list(source="eng")) == 3
    assert store.get(ids[1]).score == pytest.approx(0.1)
    assert store.get(ids[2][:4]).run_id == ids[2]  # unique prefix "r2-x"
    with pytest.raises(UnknownNameError):
        store.get("nope")
    # re-recording a directory refreshes its row instead of duplicating it
    (tmp_path / "r0" / "metrics.json").write_text(json.dumps({"f1": 0.99}), encoding="utf-8")
    store.record_run(tmp_path / "r0")
    assert len(store) == 3 and store.get(ids[0]).score == 0.99
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r.run_id for r in resolve_runs([str(tmp_path / "r1"), ids[2]], store)] == [ids[1], ids[2]]


def _writer(db: str, root: str, worker: int, barrier: object, errors: object) -> None:
    try:
        barrier.wait()  # type: ignore[attr-defined]  # start together: schema creation races too
        store = RunStore(db, timeout=60)
        for i in range(25):
            store.record_run(
                write_run(Path(root) / f"w{worker}-{i}", _info(i, method=f"m{worker}"), {"f1": i / 25})
            )
    except BaseException as err:  # report to the parent instead of dying silently
        errors.put(repr(err))  # type: ignore[attr-defined]
        raise


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "runs.sqlite")
    ctx = mp.get_context("spawn")
    barrier, errors = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(db, str(tmp_path), w, barrier, errors)) for w in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert errors.empty(), errors.get()
    assert [p.exitcode for p in procs] == [0, 0]
    store = RunStore(db)
    assert len(store) == 50
    assert len(store.list(method="m0")) == 25 == len(store.list(method="m1"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_compressed_predictions_and_moved_runs(tmp_path: Path) -> None:
    import gzip
    import shutil

    d = write_run(tmp_path / "r", _info(1), {"accuracy": 0.5})
    with gzip.open(d / "predictions.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write('{"gold": "a", "pred": "b"}\n')
    rec = load_run(d)
    assert rec.has_predictions and rec.predictions() == [{"gold": "a", "pred": "b"}]
    store = RunStore(tmp_path / "db.sqlite")
    run_id = store.record_run(d)
    shutil.rmtree(d)  # the store still knows the run; its predictions are simply gone
    assert store.get(run_id).score == 0.5 and store.get(run_id).predictions() == []


def test_write_run_records_into_the_workspace(tmp_path: Path) -> None:
    d = write_run(tmp_path / "ws" / "run-a", _info(3), {"f1": 0.25})
    store = RunStore.for_workspace(tmp_path / "ws")
    assert [r.run_dir for r in store.list()] == [str(d.resolve())]
    write_run(tmp_path / "other" / "run-b", _info(4), {"f1": 0.5}, record=False)
    assert not (tmp_path / "other" / "runs.sqlite").exists()
    write_run(tmp_path / "other" / "run-c", _info(5), {"f1": 0.5}, workspace=tmp_path / "ws")
    assert len(store) == 2
