"""Run a recipe: validate everything first, then run cached steps and write the run directory.

Recipe methods (``method``), each one entry of :data:`METHODS`:

* ``projection`` — per source: train (or load) a source tagger, tag the source side of
  the parallel text, align, project; then vote across sources (Agić et al. 2016),
  apply type constraints (Täckström et al. 2013), filter by coverage, train the target
  tagger on the (partially labelled) projected data and evaluate on the target test set
  (:mod:`xlt.pipeline.projection_method`).
* ``zero-shot`` — train on the source language(s), evaluate on the target directly.
* ``supervised`` — train and test in the target language (the upper bound)
  (both :mod:`xlt.pipeline.direct_methods`).
* ``translate-train`` — train on target-language silver data (e.g. machine-translated source
  data with projected labels, as T-Projection releases) and test on the target
  (:mod:`xlt.pipeline.translate_train`).
* ``translate-test`` — translate the target test data into the source language and predict
  there (:mod:`xlt.pipeline.translate_test`).

The step helpers every method composes are :class:`xlt.pipeline.context.RunContext`'s.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt.config import atomic_write_text
from xlt.errors import ConfigError
from xlt.evaluation.store import PREDICTIONS_FILE
from xlt.evaluation.tasks import task_metric
from xlt.io.files import atomic_writer
from xlt.logs import get_logger
from xlt.models.base import TOKEN_TASKS, resolve_model_spec
from xlt.pipeline import augment, direct_methods, projection_method, romanize, translate_test, translate_train
from xlt.pipeline import data as D
from xlt.pipeline.context import ResolvedSource, RunContext, build_method, spec_name
from xlt.pipeline.recipe import Recipe
from xlt.pipeline.run_outputs import file_log, write_run
from xlt.projection.multisource import vote_by_id

__all__ = ["METHODS", "Pipeline", "RecipeMethod", "RunResult", "build_method", "run_recipe"]

log = get_logger("pipeline")

#: the old private name of :func:`xlt.projection.multisource.vote_by_id`, for one release
_vote_by_id = vote_by_id


@dataclass
class RunResult:
    """What ``run_recipe`` returns: the run directory, its metrics and step timings."""

    output_dir: Path
    metrics: dict[str, Any]
    timings: dict[str, float]
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecipeMethod:
    """How :class:`Pipeline` runs one recipe ``method``.

    ``run`` trains the final model (cached steps) and returns its directory and the method's
    extra ``metrics.json`` keys. ``resolve`` adds data references of the method's own recipe keys
    (before the inputs are read and checked); ``prepare`` checks the method's options and inputs
    before any long step. ``parallel_text``: the method reads ``source.parallel`` and
    ``target.parallel``.
    """

    run: Callable[[RunContext], tuple[Path, dict[str, Any]]]
    resolve: Callable[[RunContext], None] | None = None
    prepare: Callable[[RunContext], None] | None = None
    parallel_text: bool = False


#: every recipe ``method``; a new one is a module of ``run``/``prepare`` functions and a row here
METHODS: dict[str, RecipeMethod] = {
    "projection": RecipeMethod(
        projection_method.run,
        resolve=projection_method.resolve,
        prepare=projection_method.prepare,
        parallel_text=True,
    ),
    "zero-shot": RecipeMethod(direct_methods.run_zero_shot),
    "supervised": RecipeMethod(direct_methods.run_supervised),
    "translate-train": RecipeMethod(translate_train.run, prepare=translate_train.prepare),
    "translate-test": RecipeMethod(translate_test.run, prepare=translate_train.prepare),
}


class Pipeline(RunContext):
    """One recipe run (use :func:`run_recipe`)."""

    @property
    def method(self) -> RecipeMethod:
        """The recipe's method (``METHODS[recipe.method]``)."""
        return METHODS[self.recipe.method]

    # -- validation (before any long work) ----------------------------------------------------
    def prepare(self) -> None:
        """Resolve every data reference, read and check every labelled input and the method's
        options (the projection's verse joins too), so no error waits behind a long step."""
        r = self.recipe
        method = self.method
        resolve_model_spec(r.model, r.task)
        if r.source_model is not None:
            resolve_model_spec(r.source_model, r.task)
        if r.zero_shot_model is not None:
            resolve_model_spec(r.zero_shot_model, r.task)
        if r.target_init == "zero-shot" and resolve_model_spec(r.model, r.task)[0] != "transformers":
            raise ConfigError(
                "target_init: zero-shot continues training the zero-shot encoder, so `model` must be a "
                f"transformers model (got {spec_name(r.model)!r})"
            )
        for i, spec in enumerate(r.all_sources):
            key = r.source_key(i)
            src = ResolvedSource(i, spec, key)
            src.train = self.ref(f"{key}.train", spec.train)
            src.dev = self.ref(f"{key}.dev", spec.dev)
            src.tagger = self.ref(f"{key}.tagger", spec.tagger)
            if method.parallel_text:
                src.parallel = self.ref(f"{key}.parallel", spec.parallel)
            self.sources.append(src)
        if method.resolve is not None:
            method.resolve(self)
        for k in ("parallel", "train", "dev", "test"):
            if k == "parallel" and not method.parallel_text:
                continue
            self.ref(f"target.{k}", getattr(r.target, k))
        self._validate_inputs()
        romanize.apply(self)
        if method.prepare is not None:
            method.prepare(self)
        if r.augment:
            augment.prepare(self)

    def _validate_inputs(self) -> None:
        """Read every labelled file the recipe names (train, dev and test sets of every language)
        before the first step, so a malformed test set fails now, not after training."""
        from xlt.errors import DataFormatError

        for key, path in self.paths.items():
            if path is not None and key.endswith(".tagger"):
                if not path.is_dir() or not (path / "config.json").is_file():
                    raise ConfigError(
                        f"{key}: {path} is not a saved xlt model (expected a directory with config.json, "
                        "as `xlt run` writes to output_dir/model)"
                    )
                continue
            if path is None or key.endswith(".parallel"):
                continue
            log.info("checking %s: %s", key, path)
            try:
                items = D.read_task_data(path, self.recipe.task)
            except DataFormatError as err:
                hint = f"this file is the recipe's {key}" + (f"; {err.hint}" if err.hint else "")
                raise DataFormatError(err.path, err.line, err.detail, hint=hint) from None
            if not items:
                raise ConfigError(f"{key}: {path} contains no examples")
            self.data[key] = items

    # -- the run -----------------------------------------------------------------------------
    def run(self) -> RunResult:
        """Claim the output directory, prepare, run the method, evaluate and write the run."""
        from xlt.pipeline.rundir import claim_run_dir, recipe_identity

        t0 = time.perf_counter()
        with (
            claim_run_dir(self.out, recipe_identity(self.recipe), overwrite=self.overwrite),
            file_log(self.out / "run.log"),
        ):
            log.info(
                "xlt run: %s (%s, %s) -> %s",
                self.recipe.name or "recipe",
                self.recipe.task,
                self.recipe.method,
                self.out,
            )
            self.prepare()
            model_dir, extra = self.method.run(self)
            metrics = self._final_metrics(model_dir, extra)
            total = time.perf_counter() - t0
            metrics["timings"] = {**self.runner.timings, "total": round(total, 3)}
            metrics["step_seconds"] = dict(self.runner.compute_seconds)
            write_run(self, model_dir, metrics)
            log.info("done in %.1fs", total)
        return RunResult(self.out, metrics, dict(self.runner.timings), list(self.runner.skipped))

    def _final_metrics(self, model_dir: Path, extra: dict[str, Any]) -> dict[str, Any]:
        """``metrics.json``: the final model on the target test set (step ``evaluate``, with
        bootstrap CIs and ``predictions.jsonl``) and dev set, then the method's ``extra``."""
        r = self.recipe
        metrics: dict[str, Any] = {"task": r.task, "method": r.method, "target": r.target.language}
        if self.paths.get("target.test") is not None:

            def compute(d: Path) -> dict[str, Any]:
                self.say("evaluating on the target test set")
                scores, records = self.evaluate_test(model_dir, "target.test")
                with atomic_writer(d / PREDICTIONS_FILE) as fh:
                    for rec in records:
                        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                atomic_write_text(d / "scores.json", json.dumps(scores, ensure_ascii=False, indent=2))
                return scores

            # "predictions": bumped when the step's artifacts change, so older caches are redone
            depends = {"test": self.sig(self.paths["target.test"]), "task": r.task, "predictions": 1}
            d, scores = self.runner.run("evaluate", depends, compute, upstream=self.model_step_names())
            primary = task_metric(r.task).primary  # the recipe's task is validated at load
            metrics[primary] = scores[primary]
            metrics["primary_metric"] = primary
            if "ci" in scores:
                metrics["ci"] = scores["ci"]
            metrics["test"] = scores
            self.predictions_path = d / PREDICTIONS_FILE
        else:
            metrics["primary_metric"] = None
            log.warning("no target.test given: the run reports no target score")
        if self.paths.get("target.dev") is not None:
            metrics["target_dev"] = self.evaluate_on(model_dir, "target.dev", self.model_step_names())
        if romanised := romanize.report(self):
            metrics["transliterated"] = romanised
        metrics.update(extra)
        return metrics


def run_recipe(
    recipe: Recipe,
    base_dir: str | Path = ".",
    *,
    force: bool = False,
    overwrite: bool = False,
    status: Any = None,
) -> RunResult:
    """Validate ``recipe`` (all files, names and verse joins) and run it; see the module docstring.

    ``output_dir`` is locked for the run; one holding another recipe's outputs is refused
    unless ``overwrite`` (or ``force``, which also redoes every cached step); see
    :mod:`xlt.pipeline.rundir`.
    """
    if recipe.task not in (*TOKEN_TASKS, "classification"):
        raise ConfigError(f"task: unknown task {recipe.task!r}")
    return Pipeline(recipe, Path(base_dir), force=force, overwrite=overwrite, status=status).run()
