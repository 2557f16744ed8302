"""The SQLite run store: an index of many run directories in one file.

:class:`RunStore` keeps one row per run (WAL mode, a busy timeout and ``BEGIN IMMEDIATE`` write
transactions, so several processes can record runs at once); :func:`resolve_runs` turns run
directories, folders of them and run ids into records; :func:`write_run` writes a run directory
(:func:`xlt.evaluation.rundir.write_run_dir`) and records it in its workspace's store.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xlt.errors import DataNotFoundError, UnknownNameError, XltError
from xlt.evaluation.rundir import (
    METRICS_FILE,
    RUN_FILE,
    RunRecord,
    find_run_dirs,
    load_run,
    now_iso,
    write_run_dir,
)

STORE_FILE = "runs.sqlite"


def write_run(
    run_dir: str | Path,
    info: Mapping[str, Any],
    metrics: Mapping[str, Any],
    *,
    predictions: Iterable[Mapping[str, Any]] | None = None,
    ranking: Any = None,
    recipe_yaml: str | None = None,
    record: bool = True,
    workspace: str | Path | None = None,
) -> Path:
    """Write a run directory in the documented layout (atomic per file); returns the directory.

    ``created_at`` and ``versions`` are filled in when ``info`` lacks them. With ``record`` the run
    is also recorded in the run store of ``workspace`` (default: the run directory's parent,
    i.e. ``<parent>/runs.sqlite``); a store that cannot be written only logs a warning.
    """
    d = write_run_dir(
        run_dir, info, metrics, predictions=predictions, ranking=ranking, recipe_yaml=recipe_yaml
    )
    if record:
        try:
            record_into_workspace(d, workspace)
        except (XltError, OSError, sqlite3.Error) as err:
            logging.getLogger("xlt.evaluation").warning("run written to %s but not recorded: %s", d, err)
    return d


_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id         TEXT PRIMARY KEY,
    run_dir        TEXT NOT NULL UNIQUE,
    task           TEXT,
    method         TEXT,
    model          TEXT,
    sources        TEXT NOT NULL,      -- JSON list
    target         TEXT,
    seed           INTEGER,
    dataset        TEXT,
    created_at     TEXT,
    recorded_at    TEXT NOT NULL,
    primary_metric TEXT,
    score          REAL,
    metrics        TEXT NOT NULL,      -- metrics.json
    info           TEXT NOT NULL,      -- run.json
    recipe         TEXT,               -- resolved_recipe.yaml
    has_predictions INTEGER NOT NULL DEFAULT 0,
    has_ranking    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_target ON runs(target);
CREATE INDEX IF NOT EXISTS runs_method ON runs(method);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
SCHEMA_VERSION = "1"
_COLUMNS = (
    "run_id", "run_dir", "task", "method", "model", "sources", "target", "seed", "dataset", "created_at",
    "recorded_at", "primary_metric", "score", "metrics", "info", "recipe", "has_predictions", "has_ranking",
)  # fmt: skip


class RunStore:
    """An index of runs in one SQLite file, safe for concurrent writers.

    WAL journal (readers never block the writer), ``busy_timeout`` so a writer waits
    for another's lock instead of failing, ``BEGIN IMMEDIATE`` so a write transaction
    takes the lock up front, and a bounded retry loop on ``database is locked``.
    Each call opens its own short-lived connection: a store object can be shared by
    threads and survives ``fork``.
    """

    def __init__(self, db_path: str | Path, *, timeout: float = 60.0) -> None:
        self.db_path = Path(db_path)
        self.timeout = timeout
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._retry(self._init)

    @classmethod
    def for_workspace(cls, workspace: str | Path, **kwargs: Any) -> RunStore:
        """The store of a workspace: ``<workspace>/runs.sqlite``."""
        return cls(Path(workspace) / STORE_FILE, **kwargs)

    # -- plumbing
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=self.timeout, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.row_factory = sqlite3.Row
            yield conn
        finally:
            conn.close()

    def _retry(self, fn: Any, *args: Any) -> Any:
        deadline = time.monotonic() + self.timeout
        delay = 0.01
        while True:
            try:
                return fn(*args)
            except sqlite3.OperationalError as err:
                msg = str(err).lower()
                if ("locked" not in msg and "busy" not in msg) or time.monotonic() > deadline:
                    raise XltError(f"run store {self.db_path}: {err}") from None
            except sqlite3.DatabaseError as err:
                raise XltError(
                    f"run store {self.db_path}: {err}; expected an SQLite database written by xlt",
                    hint="move the file away; 'xlt runs list DIR' rebuilds the index from run directories",
                ) from None
            time.sleep(delay)  # only reached after a locked/busy error, before the deadline
            delay = min(delay * 2, 0.5)

    def _init(self) -> None:
        with self._connect() as conn:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise XltError(f"run store {self.db_path}: could not enable WAL mode (got {mode})")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _write(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        def go() -> None:
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(sql, rows)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise

        self._retry(go)

    # -- writes
    def record_run(self, run_dir: str | Path) -> str:
        """Read ``run_dir`` and insert (or refresh) its row; returns the run id."""
        return self.record(load_run(run_dir))

    def record(self, rec: RunRecord) -> str:
        row = (
            rec.run_id, rec.run_dir, rec.task, rec.method, rec.model, json.dumps(list(rec.sources)),
            rec.target, rec.seed, rec.dataset, rec.created_at, now_iso(), rec.primary_metric, rec.score,
            json.dumps(rec.metrics, ensure_ascii=False), json.dumps(rec.info, ensure_ascii=False),
            rec.recipe, int(rec.has_predictions), int(rec.has_ranking),
        )  # fmt: skip
        placeholders = ", ".join("?" for _ in _COLUMNS)
        # a re-recorded directory replaces its old row (same run_dir, possibly a new run_id)
        self._write(f"INSERT OR REPLACE INTO runs ({', '.join(_COLUMNS)}) VALUES ({placeholders})", [row])
        return rec.run_id

    def record_many(self, run_dirs: Iterable[str | Path]) -> list[str]:
        return [self.record_run(d) for d in run_dirs]

    def delete(self, run_id: str) -> None:
        self.get(run_id)
        self._write("DELETE FROM runs WHERE run_id = ?", [(run_id,)])

    # -- reads
    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        def go() -> list[sqlite3.Row]:
            with self._connect() as conn:
                return conn.execute(sql, params).fetchall()

        return self._retry(go)

    def list(
        self,
        *,
        task: str | None = None,
        method: str | None = None,
        target: str | None = None,
        source: str | None = None,
        model: str | None = None,
    ) -> list[RunRecord]:
        """Runs matching every given filter (``source``: runs that include that source), oldest first."""
        where, params = [], []
        for col, val in (("task", task), ("method", method), ("target", target), ("model", model)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        sql = f"SELECT * FROM runs {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY created_at, run_id"
        runs = [_row_to_record(r) for r in self._query(sql, params)]
        if source is not None:
            runs = [r for r in runs if source in r.sources]
        return runs

    def get(self, run_id: str) -> RunRecord:
        """One run by id (an unambiguous id prefix is accepted)."""
        rows = self._query("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        if not rows:
            rows = self._query("SELECT * FROM runs WHERE run_id LIKE ? ESCAPE '\\'", (_like_prefix(run_id),))
        if len(rows) == 1:
            return _row_to_record(rows[0])
        ids = [r["run_id"] for r in self._query("SELECT run_id FROM runs")]
        if len(rows) > 1:
            raise XltError(f"run id prefix {run_id!r} is ambiguous: {', '.join(r['run_id'] for r in rows)}")
        raise UnknownNameError("run", run_id, ids, hint=f"list runs with: xlt runs list --db {self.db_path}")

    def __len__(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM runs")[0]["n"])


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _row_to_record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        run_dir=row["run_dir"],
        task=row["task"],
        method=row["method"],
        model=row["model"],
        sources=tuple(json.loads(row["sources"])),
        target=row["target"],
        seed=row["seed"],
        dataset=row["dataset"],
        created_at=row["created_at"],
        primary_metric=row["primary_metric"],
        score=row["score"],
        metrics=json.loads(row["metrics"]),
        info=json.loads(row["info"]),
        recipe=row["recipe"],
        has_predictions=bool(row["has_predictions"]),
        has_ranking=bool(row["has_ranking"]),
    )


def resolve_runs(refs: Sequence[str | Path], store: RunStore | None = None) -> list[RunRecord]:
    """Turn each reference into runs: a run directory, a directory holding run directories
    (searched recursively), or a run id in ``store``."""
    out: list[RunRecord] = []
    for ref in refs:
        path = Path(ref)
        if path.is_dir():
            dirs = find_run_dirs(path)
            if not dirs and (path / METRICS_FILE).exists():
                dirs = [path]
            if not dirs:
                raise DataNotFoundError(f"{path}: no run directories (with {RUN_FILE}) found under it")
            out.extend(load_run(d) for d in dirs)
        elif store is not None:
            out.append(store.get(str(ref)))
        else:
            raise DataNotFoundError(
                f"{ref}: not a directory, and no run store given to look it up as a run id",
            )
    return out


def record_into_workspace(run_dir: str | Path, workspace: str | Path | None = None) -> str:
    """Convenience for writers: record ``run_dir`` in the store of ``workspace``
    (default: the run directory's parent). Returns the run id."""
    d = Path(run_dir)
    ws = Path(workspace) if workspace is not None else d.resolve().parent
    return RunStore.for_workspace(ws).record_run(d)
