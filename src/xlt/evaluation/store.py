"""Run directories and the SQLite run store.

A *run directory* is what ``xlt run`` / ``xlt finetune`` write (schema in docs/evaluation.md)::

    <run_dir>/run.json              task, method, model, sources, target, seed, timings, versions, artifacts
    <run_dir>/metrics.json          top-level scores ("accuracy" / "f1" / "macro_f1"...), optional
                                    "per_label" and "per_language": {lang: {metric: value}}
    <run_dir>/resolved_recipe.yaml  the fully resolved recipe (optional)
    <run_dir>/predictions.jsonl     optional, one {"id", "lang", "gold", "pred"} per example/sentence
    <run_dir>/ranking.json          optional ranker output with per-feature explanations

:func:`load_run` reads one directory into a :class:`RunRecord` (no database needed).
:class:`RunStore` indexes many runs in one SQLite file (WAL mode, a busy timeout and
``BEGIN IMMEDIATE`` write transactions, so several processes can record runs at once).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import socket
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from xlt.errors import DataFormatError, DataNotFoundError, UnknownNameError, XltError
from xlt.io.files import atomic_writer, iter_lines, loads_json, read_text, resolve_path

RUN_FILE = "run.json"
METRICS_FILE = "metrics.json"
RECIPE_FILE = "resolved_recipe.yaml"
PREDICTIONS_FILE = "predictions.jsonl"
RANKING_FILE = "ranking.json"
STORE_FILE = "runs.sqlite"
#: metric keys tried, in order, when neither metrics.json nor run.json names ``primary_metric``
PRIMARY_METRICS: tuple[str, ...] = ("f1", "accuracy", "macro_f1", "las", "uas", "score")


@dataclass(frozen=True)
class RunRecord:
    """Everything recorded about one run (read from its directory)."""

    run_id: str
    run_dir: str
    task: str | None = None
    method: str | None = None
    model: str | None = None
    sources: tuple[str, ...] = ()
    target: str | None = None
    seed: int | None = None
    dataset: str | None = None
    created_at: str | None = None
    primary_metric: str | None = None
    score: float | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    info: Mapping[str, Any] = field(default_factory=dict)  # the whole run.json
    recipe: str | None = None
    has_predictions: bool = False
    has_ranking: bool = False

    @property
    def source_key(self) -> str:
        """Sources joined with ``+`` (``"-"`` when the run has none, e.g. a monolingual baseline)."""
        return "+".join(self.sources) if self.sources else "-"

    @property
    def config_key(self) -> tuple[Any, ...]:
        """What identifies a configuration up to its seed (runs sharing it are averaged)."""
        return (self.task, self.method, self.model, self.source_key, self.target, self.dataset)

    def language_scores(self) -> dict[str, float]:
        """Primary-metric score per evaluated language: ``per_language`` if present, else
        ``{target: score}``."""
        per_lang = self.metrics.get("per_language")
        out: dict[str, float] = {}
        if isinstance(per_lang, Mapping) and per_lang:
            for lang, scores in per_lang.items():
                val = _metric_value(scores, self.primary_metric)
                if val is not None:
                    out[str(lang)] = val
            return out
        if self.score is not None:
            out[self.target or "-"] = self.score
        return out

    def predictions(self) -> list[dict[str, Any]]:
        """The per-example predictions (empty when the run wrote none)."""
        path = _existing(Path(self.run_dir) / PREDICTIONS_FILE)
        # a run read from the store may have been moved since: then there is nothing to resample
        return read_predictions(path) if self.has_predictions and path is not None else []

    def ranking(self) -> Any:
        path = Path(self.run_dir) / RANKING_FILE
        return _read_json(path) if self.has_ranking and path.exists() else None

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        d = asdict(self)
        d["sources"] = list(self.sources)
        if not full:
            d.pop("info")
            d.pop("recipe")
        return d


def _existing(path: Path) -> Path | None:
    """``path`` or its compressed variant (``.gz``/``.bz2``/``.xz``), if either exists."""
    try:
        return resolve_path(path)
    except DataNotFoundError:
        return None


def _metric_value(scores: Any, name: str | None) -> float | None:
    if isinstance(scores, (int, float)) and not isinstance(scores, bool):
        return float(scores)
    if not isinstance(scores, Mapping):
        return None
    names = ([name] if name else []) + list(PRIMARY_METRICS)
    for key in names:
        val = scores.get(key)
        if isinstance(val, (int, float)) and not isinstance(val, bool) and not math.isnan(float(val)):
            return float(val)
    return None


def _read_json(path: Path) -> Any:
    return loads_json(read_text(path), path, None)


def read_predictions(path: str | Path) -> list[dict[str, Any]]:
    """Read ``predictions.jsonl``: one JSON object with ``gold`` and ``pred`` per line."""
    out = []
    for lineno, text in iter_lines(path):
        if not text.strip():
            continue
        rec = loads_json(text, path, lineno)
        if not isinstance(rec, dict) or "gold" not in rec or "pred" not in rec:
            raise DataFormatError(path, lineno, 'expected an object with "gold" and "pred"')
        out.append(rec)
    return out


def _as_sources(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(s for s in value.replace(",", "+").split("+") if s)
    return tuple(str(v) for v in value)


def default_run_id(run_dir: Path) -> str:
    """``<dir name>-<8 hex of the absolute path>``: stable for a directory, unique across workspaces."""
    digest = hashlib.sha1(str(run_dir.resolve()).encode("utf-8")).hexdigest()[:8]
    return f"{run_dir.name}-{digest}"


def load_run(run_dir: str | Path) -> RunRecord:
    """Read a run directory (needs ``run.json`` or ``metrics.json``)."""
    d = Path(run_dir)
    if not d.is_dir():
        raise DataNotFoundError(f"{d}: run directory not found")
    info_path, metrics_path = d / RUN_FILE, d / METRICS_FILE
    if not info_path.exists() and not metrics_path.exists():
        raise DataFormatError(
            d, None, f"not a run directory: expected {RUN_FILE} and/or {METRICS_FILE} in it"
        )
    info = _read_json(info_path) if info_path.exists() else {}
    metrics = _read_json(metrics_path) if metrics_path.exists() else {}
    if not isinstance(info, dict):
        raise DataFormatError(info_path, 1, "expected a JSON object")
    if not isinstance(metrics, dict):
        raise DataFormatError(metrics_path, 1, "expected a JSON object")
    primary = metrics.get("primary_metric") or info.get("primary_metric")
    if not isinstance(primary, str):
        primary = None
    if not primary:
        primary = next((k for k in PRIMARY_METRICS if isinstance(metrics.get(k), (int, float))), None)
    score = _metric_value(metrics, primary)
    if score is None and isinstance(metrics.get("per_language"), Mapping) and metrics["per_language"]:
        vals = [_metric_value(v, primary) for v in metrics["per_language"].values()]
        vals = [v for v in vals if v is not None]
        score = sum(vals) / len(vals) if vals else None
    seed = info.get("seed")
    recipe_path = d / RECIPE_FILE
    return RunRecord(
        run_id=str(info.get("run_id") or default_run_id(d)),
        run_dir=str(d.resolve()),
        task=_as_text(info.get("task")),
        method=_as_name(info.get("method")),
        model=_as_text(info.get("model")),
        sources=_as_sources(info.get("sources", info.get("source"))),
        target=_as_text(info.get("target")),
        seed=int(seed)
        if (isinstance(seed, (int, float)) and not isinstance(seed, bool) and math.isfinite(seed))
        or (isinstance(seed, str) and seed.isascii() and seed.isdigit() and len(seed) < 20)
        else None,
        dataset=_as_text(info.get("dataset")),
        created_at=_as_text(info.get("created_at"))
        or _mtime_iso(info_path if info_path.exists() else metrics_path),
        primary_metric=primary,
        score=score,
        metrics=metrics,
        info=info,
        recipe=read_text(recipe_path) if recipe_path.exists() else None,
        has_predictions=_existing(d / PREDICTIONS_FILE) is not None,
        has_ranking=(d / RANKING_FILE).exists(),
    )


def _as_text(value: Any) -> str | None:
    """A run.json field shown as text: strings as they are, other JSON values as compact JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _as_name(value: Any) -> str | None:
    if isinstance(value, Mapping):  # a method config: {"method": "lora", ...}
        return str(value.get("method") or value.get("name") or json.dumps(value, sort_keys=True))
    return None if value is None else str(value)


def _mtime_iso(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).isoformat(timespec="seconds")


def now_iso() -> str:
    return datetime.now(tz=timezone.utc).isoformat(timespec="seconds")


def find_run_dirs(root: str | Path) -> list[Path]:
    """Every directory under ``root`` (inclusive) that holds a ``run.json``, sorted."""
    root = Path(root)
    if (root / RUN_FILE).exists():
        return [root]
    return sorted(p.parent for p in root.rglob(RUN_FILE))


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
    d = Path(run_dir)
    d.mkdir(parents=True, exist_ok=True)
    info = dict(info)
    info.setdefault("created_at", now_iso())
    info.setdefault("versions", package_versions())
    info.setdefault("host", socket.gethostname())
    if predictions is not None:
        with atomic_writer(d / PREDICTIONS_FILE) as fh:
            for rec in predictions:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if ranking is not None:
        _write_json(d / RANKING_FILE, ranking)
    if recipe_yaml is not None:
        with atomic_writer(d / RECIPE_FILE) as fh:
            fh.write(recipe_yaml)
    _write_json(d / METRICS_FILE, metrics)
    _write_json(d / RUN_FILE, info)  # last: its presence marks a complete run
    if record:
        try:
            record_into_workspace(d, workspace)
        except (XltError, OSError, sqlite3.Error) as err:
            logging.getLogger("xlt.evaluation").warning("run written to %s but not recorded: %s", d, err)
    return d


def _write_json(path: Path, obj: Any) -> None:
    from xlt.io.jsonio import write_json

    write_json(path, obj)


def package_versions(
    packages: Sequence[str] = ("xlt", "torch", "transformers", "numpy", "scikit-learn"),
) -> dict[str, str]:
    """Installed versions of the packages that decide a run's numbers (absent ones left out)."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in packages:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


# --------------------------------------------------------------------------- SQLite store

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
                time.sleep(delay)
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


def aligned_predictions(
    a: RunRecord,
    b: RunRecord,
    lang: str,
    *,
    records: tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]] | None = None,
) -> tuple[list, list, list] | None:
    """``(gold, pred_a, pred_b)`` of two runs on the same examples of ``lang`` (matched by ``id``
    when every record has one, else by position), or None when they were not scored on the same data.

    ``records``: the two runs' predictions, when the caller already read them (e.g. once for
    every language of a comparison); by default they are read here."""

    def select(run: RunRecord, recs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return [p for p in recs if str(p.get("lang") or run.target or "-") == lang]

    recs_a, recs_b = records if records is not None else (a.predictions(), b.predictions())
    pa, pb = select(a, recs_a), select(b, recs_b)
    if not pa or len(pa) != len(pb):
        return None
    if all("id" in p for p in pa) and all("id" in p for p in pb):
        index = {p["id"]: p for p in pb}
        if set(index) != {p["id"] for p in pa}:
            return None
        pb = [index[p["id"]] for p in pa]
    if any(x["gold"] != y["gold"] for x, y in zip(pa, pb, strict=True)):
        return None  # different test data: a paired test would be meaningless
    return [p["gold"] for p in pa], [p["pred"] for p in pa], [p["pred"] for p in pb]
