"""What every recipe method builds on: the run's state and its step helpers.

:class:`RunContext` holds one recipe run's resolved inputs (``paths``, parsed ``data``, the
``sources``), the step runner and the step summaries, and the helpers every method composes:
resolve a data reference (:meth:`~RunContext.ref`), fingerprint a file (:meth:`~RunContext.sig`),
read labelled data (:meth:`~RunContext.read`), train a model as a cached step
(:meth:`~RunContext.train_model`), score a model (:meth:`~RunContext.evaluate_on`) and report
progress (:meth:`~RunContext.say`). :class:`xlt.pipeline.run.Pipeline` adds validation, the
method dispatch and the run directory on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt.errors import ConfigError, UnknownNameError
from xlt.evaluation.scoring import score_predictions, task_scores
from xlt.logs import get_logger
from xlt.models.base import build_task_model, load_task_model
from xlt.pipeline import data as D
from xlt.pipeline.recipe import Recipe, SourceSpec
from xlt.pipeline.steps import StepRunner, file_signature

log = get_logger("pipeline")


@dataclass
class ResolvedSource:
    """One source language of the recipe: its resolved files and (projection) verse pairs."""

    index: int
    spec: SourceSpec
    key: str
    train: Path | None = None
    dev: Path | None = None
    parallel: Path | None = None
    tagger: Path | None = None
    pairs: list[Any] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The source's part of its step names: ``<index>-<language>``."""
        return f"{self.index}-{self.spec.language}"


class RunContext:
    """One recipe run's state and the cached-step helpers the recipe methods share."""

    def __init__(
        self,
        recipe: Recipe,
        base_dir: Path,
        *,
        force: bool = False,
        overwrite: bool = False,
        status: Any = None,
    ) -> None:
        self.recipe = recipe
        self.overwrite = overwrite or force  # --force redoes everything, so it may also replace
        self.base = base_dir
        out = Path(recipe.output_dir).expanduser()
        self.out = out if out.is_absolute() else Path.cwd() / out  # like any CLI output path
        self.runner = StepRunner(self.out, force=force, shared_root=shared_root(recipe))
        self.status = status  # callable(message, transient=False) for progress messages, or None
        self.sources: list[ResolvedSource] = []
        self.paths: dict[str, Path | None] = {}
        self.summaries: dict[str, Any] = {}
        self.weights: list[float] = []
        #: zero_shot_sources kept for the zero-shot model: (recipe key, spec); and the languages
        #: left out because they are the target's own
        self.zero_shot_extra: list[tuple[str, SourceSpec]] = []
        self.zero_shot_skipped: list[str] = []
        #: projection.source_top_k: the ranker's scores, the sources kept and left out
        self.source_selection: dict[str, Any] | None = None
        #: projection.multiword_split: the splitter's fingerprint (part of every target-text step's)
        self.target_split: str | None = None
        #: projection.match_tokenization: the token matcher's fingerprint (likewise)
        self.target_tokens: str | None = None
        self.predictions_path: Path | None = None  # predictions.jsonl of the evaluate step
        self.data: dict[str, list[Any]] = {}  # every labelled input, parsed (validated) in prepare()
        #: translate-test: (model_dir, key, data) -> predictions through the translation (None: predict)
        self.test_predictor: Any = None

    # -- inputs ------------------------------------------------------------------------------
    def say(self, message: str) -> None:
        """Log a progress message and show it on the status line (if any)."""
        log.info(message)
        if self.status is not None:
            self.status(message)

    def ref(self, key: str, ref: str | None) -> Path | None:
        """Resolve the recipe's data reference ``ref`` for ``key`` (recorded in ``paths``)."""
        path = D.resolve_key(key, ref, self.base, self.recipe.data_root)
        self.paths[key] = path
        return path

    def sig(self, path: Path | None) -> Any:
        """A file's identity for a step fingerprint (its path as text when it is not a file)."""
        return file_signature(path) if path is not None and path.is_file() else str(path)

    def target_split_sig(self) -> list[str]:
        """The multiword splitter's and token matcher's part of a target-text step's fingerprint
        (nothing without them)."""
        return [sig for sig in (self.target_split, self.target_tokens) if sig]

    def read(self, key: str, max_n: int | None = None) -> list[Any]:
        """The labelled data of ``key`` (parsed once), at most ``max_n`` examples."""
        path = self.paths.get(key)
        assert path is not None, key
        items = self.data.get(key)
        if items is None:
            items = self.data[key] = D.read_task_data(path, self.recipe.task)
        if not items:
            raise ConfigError(f"{key}: {path} contains no examples")
        return items[:max_n] if max_n else items

    def projector_name(self) -> str:
        """The recipe's projector: ``projection.method``, else tokens (pos) or spans (ner)."""
        r = self.recipe
        return r.projection.method or ("tokens" if r.task == "pos" else "spans")

    # -- training ----------------------------------------------------------------------------
    def train_model(
        self,
        name: str,
        spec: Any,
        keys: Sequence[str],
        max_n: int | dict[str, int | None] | None = None,
        dev_keys: Sequence[str] = (),
        shared: bool = False,
    ) -> Path:
        """Train ``spec`` on the data of ``keys`` (at most ``max_n`` examples of each, or
        ``max_n[key]``); ``dev_keys`` (source-language dev sets) go to backends that choose a
        checkpoint on them (``transformers``: ``selection: source-dev``). ``shared``: the model does
        not depend on the target (kept in the shared step cache)."""
        r = self.recipe
        dev_keys = [k for k in dev_keys if self.paths.get(k) is not None]

        def compute(d: Path) -> dict[str, Any]:
            train: list[Any] = []
            for k in keys:
                train.extend(self.read(k, max_n.get(k) if isinstance(max_n, dict) else max_n))
            dev = [x for k in dev_keys for x in self.read(k)]
            self.say(f"training {name} ({spec_name(spec)}) on {len(train)} examples")
            return self.fit(name, spec, train, d, dev or None)

        limit_sig: Any = max_n
        if isinstance(max_n, dict) and len(set(max_n.values())) == 1:
            limit_sig = next(iter(max_n.values()))  # one limit for all: the fingerprint as before
        depends = {"spec": spec, "task": r.task, "seed": r.seed, "max": limit_sig}
        depends["data"] = [self.sig(self.paths[k]) for k in keys]
        if dev_keys:
            depends["dev"] = [self.sig(self.paths[k]) for k in dev_keys]
        if shared:
            depends["model_files"] = model_identity(spec)
        d, summary = self.runner.run(name, depends, compute, shared=shared)
        self.summaries[name] = summary
        return d / "model"

    def fit(
        self, name: str, spec: Any, train: list[Any], d: Path, dev: list[Any] | None = None
    ) -> dict[str, Any]:
        """Train a ``spec`` model on ``train`` (``dev``: source dev data for checkpoint choice),
        save it in ``d/model``; the step's summary."""
        r = self.recipe
        model = self._with_progress(build_task_model(spec, r.task, seed=r.seed), name).fit(train, dev)
        model.save(d / "model")
        return {"n_train": len(train), "train_stats": getattr(model, "train_stats_", None)}

    def _with_progress(self, model: Any, name: str) -> Any:
        """Show training iterations of backends that report them (the CRF) on the status line."""
        if self.status is not None and hasattr(model, "on_iteration"):
            status = self.status

            def update(k: int, total: int, loss: float) -> None:
                if k % 10 == 0:
                    status(f"{name}: iteration {k}/{total}, loss {loss:.1f}", transient=True)

            model.on_iteration = update
        return model

    def model_step_names(self) -> tuple[str, ...]:
        """The steps so far that trained (or translated for) the final model: its evaluation's upstream."""
        return tuple(
            n
            for n in self.runner.fingerprints
            if n.startswith(("train", "translate-target", "self-train", "merge-zero-shot"))
        )

    # -- scoring -----------------------------------------------------------------------------
    def evaluate_on(self, model_dir: Path, key: str, upstream: tuple[str, ...]) -> dict[str, Any]:
        """Scores of the model on ``key`` (a dev set), cached like every step."""

        def compute(d: Path) -> dict[str, Any]:
            data = self.read(key)
            return task_scores(self.recipe.task, D.gold_of(data), self.predict(model_dir, key, data))

        depends = {"data": self.sig(self.paths[key]), "task": self.recipe.task, "model": str(model_dir)}
        return self.runner.run(f"evaluate-{key}", depends, compute, upstream=upstream)[1]

    def evaluate_test(self, model_dir: Path, key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Scores on ``key`` plus bootstrap CIs, and the ``predictions.jsonl`` records."""
        data = self.read(key)
        pred = self.predict(model_dir, key, data)
        gold = D.gold_of(data)
        ids = [str(getattr(x, "id", None) or "") for x in data]
        unique = all(ids) and len(set(ids)) == len(ids)
        scores, records = score_predictions(
            self.recipe.task,
            gold,
            pred,
            ids=ids if unique else None,
            target=self.recipe.target.language,
            seed=self.recipe.seed,
        )
        scores.pop("primary_metric", None)
        return scores, records

    def predict(self, model_dir: Path, key: str, data: list[Any]) -> list[Any]:
        """The model's predictions on ``data`` (through ``test_predictor`` where a method sets one)."""
        if self.test_predictor is not None:
            return self.test_predictor(model_dir, key, data)
        return load_task_model(model_dir).predict(data)


# --- helpers for the recipe methods ----------------------------------------------------------
def build_method(registry: Any, name: str, options: dict[str, Any], key: str) -> Any:
    """Build a registered method from recipe options; errors name the recipe key."""
    try:
        cfg_cls = registry.config_class(name)
        data = dict(options)
        if "method" in getattr(cfg_cls, "model_fields", {}):
            data.setdefault("method", name)
        config = cfg_cls.from_dict(data, source=f"{key}.options")
    except (ConfigError, UnknownNameError) as err:
        raise ConfigError(f"{key}: {err.message}", hint=err.hint) from None
    return registry.get(name)(config)


def shared_root(recipe: Recipe) -> Path | None:
    """Where shared steps live (``share_steps``), or None."""
    if not recipe.share_steps:
        return None
    from xlt.paths import xlt_cache_dir

    return xlt_cache_dir() / "steps"


def model_identity(spec: Any) -> Any:
    """What a shared step's fingerprint needs beyond the spec: the files behind a local model
    path (a relative path names different models in different directories)."""
    name = spec.get("model") if isinstance(spec, dict) else spec
    if not isinstance(name, str):
        return None
    path = Path(name).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        return {"path": str(path.resolve()), "config": file_signature(path / "config.json")}
    return None


def spec_name(spec: Any) -> str:
    """A model spec's backend name, for messages and ``run.json``."""
    if isinstance(spec, dict):
        return str(spec.get("method") or spec.get("backend"))
    return str(spec)


def max_train(sources: Sequence[ResolvedSource]) -> int | None:
    """The smallest ``max_train`` of ``sources`` (one limit for a model trained on all of them)."""
    vals = [s.spec.max_train for s in sources if s.spec.max_train]
    return min(vals) if vals else None


def jsonable_stats(stats: Any) -> Any:
    """A method's ``stats_`` as JSON values (None stays None)."""
    from xlt.io.jsonio import to_jsonable

    return to_jsonable(stats) if stats is not None else None
