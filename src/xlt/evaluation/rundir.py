"""The run-directory format: reading and writing the files of one run (no database).

A *run directory* is what ``xlt run`` / ``xlt finetune`` write (schema in docs/evaluation.md)::

    <run_dir>/run.json              task, method, model, sources, target, seed, timings, versions, artifacts
    <run_dir>/metrics.json          top-level scores ("accuracy" / "f1" / "macro_f1"...), optional
                                    "per_label" and "per_language": {lang: {metric: value}}
    <run_dir>/resolved_recipe.yaml  the fully resolved recipe (optional)
    <run_dir>/predictions.jsonl     optional, one {"id", "lang", "gold", "pred"} per example/sentence
    <run_dir>/ranking.json          optional ranker output with per-feature explanations

:func:`load_run` reads one directory into a :class:`RunRecord`; :func:`write_run_dir` writes one.
Indexing many runs in SQLite is :mod:`xlt.evaluation.runstore`, whose ``write_run`` writes a run
directory and records it.
"""

from __future__ import annotations

import hashlib
import json
import math
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from xlt.errors import DataFormatError, DataNotFoundError
from xlt.io.files import atomic_writer, iter_lines, loads_json, read_text, resolve_path

RUN_FILE = "run.json"
METRICS_FILE = "metrics.json"
RECIPE_FILE = "resolved_recipe.yaml"
PREDICTIONS_FILE = "predictions.jsonl"
RANKING_FILE = "ranking.json"
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


def write_run_dir(
    run_dir: str | Path,
    info: Mapping[str, Any],
    metrics: Mapping[str, Any],
    *,
    predictions: Iterable[Mapping[str, Any]] | None = None,
    ranking: Any = None,
    recipe_yaml: str | None = None,
) -> Path:
    """Write a run directory in the documented layout (atomic per file); returns the directory.

    ``created_at``, ``versions`` and ``host`` are filled in when ``info`` lacks them; ``run.json``
    is written last, so its presence marks a complete run.
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
