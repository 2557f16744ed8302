"""Run a recipe: validate everything first, then run cached steps and write the run directory.

Pipelines (``method``):

* ``projection`` — per source: train (or load) a source tagger, tag the source side of
  the parallel text, align, project; then vote across sources (Agić et al. 2016),
  apply type constraints (Täckström et al. 2013), filter by coverage, train the target
  tagger on the (partially labelled) projected data and evaluate on the target test set.
* ``zero-shot`` — train on the source language(s), evaluate on the target directly.
* ``supervised`` — train and test in the target language (the upper bound).
* ``translate-train`` — train on target-language silver data (e.g. machine-translated source
  data with projected labels, as T-Projection releases) and test on the target.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from xlt.config import atomic_write_text
from xlt.errors import ConfigError, MismatchError, MissingDependencyError, UnknownNameError
from xlt.evaluation.evaluate import evaluate, task_scores
from xlt.evaluation.store import PREDICTIONS_FILE
from xlt.evaluation.tasks import task_metric
from xlt.io.conll import write_conll
from xlt.io.files import atomic_writer
from xlt.io.parallel import VerseJoin, read_bible_pair
from xlt.io.pharaoh import read_pharaoh, write_pharaoh
from xlt.languages.codes import language_key
from xlt.logs import get_logger
from xlt.models.base import TOKEN_TASKS, build_task_model, load_task_model, resolve_model_spec
from xlt.pipeline import data as D
from xlt.pipeline.constraints import (
    MostFrequentTagBaseline,
    apply_type_constraints,
    coverage,
    drop_uncertain_sources,
    filter_by_coverage,
    unlabel_low_confidence,
)
from xlt.pipeline.recipe import Recipe, SourceSpec
from xlt.pipeline.resources import agreement_with, conllu_tokenization, resource_report, source_agreement
from xlt.pipeline.self_training import self_train
from xlt.pipeline.steps import StepRunner, file_signature
from xlt.types import LabeledSentence, Sentence

log = get_logger("pipeline")


@dataclass
class RunResult:
    """What ``run_recipe`` returns: the run directory, its metrics and step timings."""

    output_dir: Path
    metrics: dict[str, Any]
    timings: dict[str, float]
    skipped: list[str] = field(default_factory=list)


@dataclass
class _Source:
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
        return f"{self.index}-{self.spec.language}"


class Pipeline:
    """One recipe run (use :func:`run_recipe`)."""

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
        self.runner = StepRunner(self.out, force=force, shared_root=_shared_root(recipe))
        self.status = status  # callable(message, transient=False) for progress messages, or None
        self.sources: list[_Source] = []
        self.paths: dict[str, Path | None] = {}
        self.summaries: dict[str, Any] = {}
        self.weights: list[float] = []
        #: zero_shot_sources kept for the zero-shot model: (recipe key, spec); and the languages
        #: left out because they are the target's own
        self.zero_shot_extra: list[tuple[str, SourceSpec]] = []
        self.zero_shot_skipped: list[str] = []
        self.predictions_path: Path | None = None  # predictions.jsonl of the evaluate step
        self.data: dict[str, list[Any]] = {}  # every labelled input, parsed (validated) in prepare()
        #: translate-test: (model_dir, key, data) -> predictions through the translation (None: predict)
        self.test_predictor: Any = None

    # -- helpers ----------------------------------------------------------------------------
    def say(self, message: str) -> None:
        log.info(message)
        if self.status is not None:
            self.status(message)

    def _ref(self, key: str, ref: str | None) -> Path | None:
        path = D.resolve_key(key, ref, self.base, self.recipe.data_root)
        self.paths[key] = path
        return path

    def _sig(self, path: Path | None) -> Any:
        return file_signature(path) if path is not None and path.is_file() else str(path)

    # -- validation (before any long work) ----------------------------------------------------
    def prepare(self) -> None:
        r = self.recipe
        resolve_model_spec(r.model, r.task)
        if r.source_model is not None:
            resolve_model_spec(r.source_model, r.task)
        if r.zero_shot_model is not None:
            resolve_model_spec(r.zero_shot_model, r.task)
        if r.target_init == "zero-shot" and resolve_model_spec(r.model, r.task)[0] != "transformers":
            raise ConfigError(
                "target_init: zero-shot continues training the zero-shot encoder, so `model` must be a "
                f"transformers model (got {_spec_name(r.model)!r})"
            )
        for i, spec in enumerate(r.all_sources):
            key = r.source_key(i)
            src = _Source(i, spec, key)
            src.train = self._ref(f"{key}.train", spec.train)
            src.dev = self._ref(f"{key}.dev", spec.dev)
            src.tagger = self._ref(f"{key}.tagger", spec.tagger)
            if r.method == "projection":
                src.parallel = self._ref(f"{key}.parallel", spec.parallel)
            self.sources.append(src)
        self._prepare_zero_shot_sources()
        for k in ("parallel", "train", "dev", "test"):
            if r.method != "projection" and k == "parallel":
                continue
            self._ref(f"target.{k}", getattr(r.target, k))
        self._validate_inputs()
        if r.method == "projection":
            self._prepare_projection()
        if r.method in ("translate-train", "translate-test") and r.translate is not None:
            from xlt.pipeline import translate_train

            translate_train.prepare(self)
        if r.augment:
            from xlt.pipeline import augment

            augment.prepare(self)

    def _prepare_zero_shot_sources(self) -> None:
        """Resolve ``zero_shot_sources``; an entry in the target's language never trains a model
        that is scored on that language (its data would be target data)."""
        r = self.recipe
        target = language_key(r.target.language)
        for i, spec in enumerate(r.zero_shot_sources):
            key = f"zero_shot_sources.{i}"
            if language_key(spec.language) == target:
                log.warning(
                    "%s (%s) is the target language: left out of the zero-shot model's training data",
                    key,
                    spec.language,
                )
                self.zero_shot_skipped.append(spec.language)
                continue
            self._ref(f"{key}.train", spec.train)
            self._ref(f"{key}.dev", spec.dev)
            self.zero_shot_extra.append((key, spec))

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

    def _prepare_projection(self) -> None:
        from xlt.alignment import aligners
        from xlt.projection import projectors

        r = self.recipe
        build_method(aligners, r.align.method, r.align.options, "align")
        if r.align.method == "eflomal" and find_spec("eflomal") is None:
            raise MissingDependencyError("eflomal", extra="align", purpose="align.method: eflomal")
        build_method(projectors, self._projector_name(), r.projection.options, "projection")
        try:
            self.weights = self._vote_weights()
        except (UnknownNameError, ConfigError) as err:
            raise ConfigError(
                f"projection.voting: {r.projection.voting}: {err.message}", hint=err.hint
            ) from None
        tgt = self.paths["target.parallel"]
        assert tgt is not None
        for src in self.sources:
            assert src.parallel is not None
            self.say(f"joining {src.parallel.name} with {tgt.name} by verse id")
            try:
                pairs, join = read_bible_pair(src.parallel, tgt)
            except MismatchError as err:
                raise ConfigError(
                    f"{src.key}.parallel / target.parallel: {src.parallel} and {tgt}: {err.message}"
                ) from None
            n_joined = len(pairs)
            pairs = [p for p in pairs if len(p.src) and len(p.tgt)]
            n_no_tokens = n_joined - len(pairs)
            if not pairs:
                raise ConfigError(
                    f"{src.key}.parallel / target.parallel: {src.parallel} and {tgt} share no verse ids "
                    "with text on both sides; nothing to project",
                )
            n_over_max = 0
            if r.projection.max_sentences is not None:
                n_over_max = max(len(pairs) - r.projection.max_sentences, 0)
                pairs = pairs[: r.projection.max_sentences]
            src.pairs = pairs
            summary = _join_summary(join, len(pairs), n_no_tokens, n_over_max)
            self.summaries[f"join-{src.name}"] = summary
            self.say(
                f"verse join {src.spec.language}-{r.target.language}: {len(pairs)} pairs kept; dropped "
                + ", ".join(
                    f"{n} {k.replace('_', ' ')}" for k, n in summary["dropped_by_reason"].items() if n
                )
                if summary["dropped"]
                else f"verse join {src.spec.language}-{r.target.language}: {len(pairs)} pairs, none dropped"
            )

    def _projector_name(self) -> str:
        r = self.recipe
        return r.projection.method or ("tokens" if r.task == "pos" else "spans")

    # -- shared steps ------------------------------------------------------------------------
    def _read(self, key: str, max_n: int | None = None) -> list[Any]:
        path = self.paths.get(key)
        assert path is not None, key
        items = self.data.get(key)
        if items is None:
            items = self.data[key] = D.read_task_data(path, self.recipe.task)
        if not items:
            raise ConfigError(f"{key}: {path} contains no examples")
        return items[:max_n] if max_n else items

    def _train_model(
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
                train.extend(self._read(k, max_n.get(k) if isinstance(max_n, dict) else max_n))
            dev = [x for k in dev_keys for x in self._read(k)]
            self.say(f"training {name} ({_spec_name(spec)}) on {len(train)} examples")
            return self._fit(name, spec, train, d, dev or None)

        limit_sig: Any = max_n
        if isinstance(max_n, dict) and len(set(max_n.values())) == 1:
            limit_sig = next(iter(max_n.values()))  # one limit for all: the fingerprint as before
        depends = {"spec": spec, "task": r.task, "seed": r.seed, "max": limit_sig}
        depends["data"] = [self._sig(self.paths[k]) for k in keys]
        if dev_keys:
            depends["dev"] = [self._sig(self.paths[k]) for k in dev_keys]
        if shared:
            depends["model_files"] = _model_identity(spec)
        d, summary = self.runner.run(name, depends, compute, shared=shared)
        self.summaries[name] = summary
        return d / "model"

    def _fit(
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

    def _evaluate(self, model_dir: Path, key: str, upstream: tuple[str, ...]) -> dict[str, Any]:
        """Scores of the model on ``key`` (a dev set), cached like every step."""

        def compute(d: Path) -> dict[str, Any]:
            data = self._read(key)
            return task_scores(self.recipe.task, D.gold_of(data), self._predict(model_dir, key, data))

        depends = {"data": self._sig(self.paths[key]), "task": self.recipe.task, "model": str(model_dir)}
        return self.runner.run(f"evaluate-{key}", depends, compute, upstream=upstream)[1]

    def _evaluate_test(self, model_dir: Path, key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Scores on ``key`` plus bootstrap CIs, and the ``predictions.jsonl`` records."""
        data = self._read(key)
        pred = self._predict(model_dir, key, data)
        gold = D.gold_of(data)
        ids = [str(getattr(x, "id", None) or "") for x in data]
        unique = all(ids) and len(set(ids)) == len(ids)
        scores, records = evaluate(
            self.recipe.task,
            gold,
            pred,
            ids=ids if unique else None,
            target=self.recipe.target.language,
            seed=self.recipe.seed,
        )
        scores.pop("primary_metric", None)
        return scores, records

    def _predict(self, model_dir: Path, key: str, data: list[Any]) -> list[Any]:
        if self.test_predictor is not None:
            return self.test_predictor(model_dir, key, data)
        return load_task_model(model_dir).predict(data)

    # -- methods -----------------------------------------------------------------------------
    def run(self) -> RunResult:
        from xlt.pipeline.rundir import claim_run_dir, recipe_identity

        t0 = time.perf_counter()
        with (
            claim_run_dir(self.out, recipe_identity(self.recipe), overwrite=self.overwrite),
            _file_log(self.out / "run.log"),
        ):
            log.info(
                "xlt run: %s (%s, %s) -> %s",
                self.recipe.name or "recipe",
                self.recipe.task,
                self.recipe.method,
                self.out,
            )
            self.prepare()
            method = self.recipe.method
            if method == "projection":
                model_dir, extra = self._run_projection()
            elif method == "zero-shot":
                keys = [f"{s.key}.train" for s in self.sources]
                max_train = _max_train(self.sources)
                if self.recipe.augment:  # the augmented copies come after the (capped) originals
                    from xlt.pipeline import augment

                    keys, max_train = augment.apply(self, keys), None
                model_dir = self._train_model(
                    "train-source",
                    self.recipe.model,
                    keys,
                    max_train,
                    dev_keys=[f"{s.key}.dev" for s in self.sources],
                )
                extra = {"augment": self.summaries["augment-source"]} if self.recipe.augment else {}
            elif method == "translate-test":
                from xlt.pipeline import translate_test

                model_dir, extra = translate_test.run(self)
            elif method == "translate-train" and self.recipe.translate is not None:
                from xlt.pipeline import translate_train

                model_dir, extra = translate_train.run(self)
            else:
                model_dir = self._train_model("train-target", self.recipe.model, ["target.train"])
                extra = {}
            metrics = self._final_metrics(model_dir, extra)
            total = time.perf_counter() - t0
            metrics["timings"] = {**self.runner.timings, "total": round(total, 3)}
            metrics["step_seconds"] = dict(self.runner.compute_seconds)
            self._write_run(model_dir, metrics)
            log.info("done in %.1fs", total)
        return RunResult(self.out, metrics, dict(self.runner.timings), list(self.runner.skipped))

    def _final_metrics(self, model_dir: Path, extra: dict[str, Any]) -> dict[str, Any]:
        r = self.recipe
        metrics: dict[str, Any] = {"task": r.task, "method": r.method, "target": r.target.language}
        if self.paths.get("target.test") is not None:

            def compute(d: Path) -> dict[str, Any]:
                self.say("evaluating on the target test set")
                scores, records = self._evaluate_test(model_dir, "target.test")
                with atomic_writer(d / PREDICTIONS_FILE) as fh:
                    for rec in records:
                        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                atomic_write_text(d / "scores.json", json.dumps(scores, ensure_ascii=False, indent=2))
                return scores

            # "predictions": bumped when the step's artifacts change, so older caches are redone
            depends = {"test": self._sig(self.paths["target.test"]), "task": r.task, "predictions": 1}
            d, scores = self.runner.run("evaluate", depends, compute, upstream=self._model_step_names())
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
            metrics["target_dev"] = self._evaluate(model_dir, "target.dev", self._model_step_names())
        metrics.update(extra)
        return metrics

    def _model_step_names(self) -> tuple[str, ...]:
        return tuple(
            n for n in self.runner.fingerprints if n.startswith(("train", "translate-target", "self-train"))
        )

    # -- projection --------------------------------------------------------------------------
    def _run_projection(self) -> tuple[Path, dict[str, Any]]:
        r = self.recipe
        per_source: list[list[LabeledSentence]] = []
        source_scores: dict[str, Any] = {}
        for src in self.sources:
            tagger_dir = self._source_tagger(src)
            if src.dev is not None:
                upstream = (f"train-source-{src.name}",) if src.tagger is None else ()
                source_scores[src.spec.language] = {
                    "dev": self._evaluate(tagger_dir, f"{src.key}.dev", upstream)
                }
            per_source.append(self._project_source(src, tagger_dir))
        zero_shot_dir: Path | None = None
        zero_shot: list[LabeledSentence] | None = None
        coverage = self._encoder_coverage()
        readable = coverage is None or coverage["unknown_word_share"] <= r.projection.encoder_max_unknown
        if not readable:
            log.warning(
                "%.0f%% of the target words contain the encoder's unknown token (limit %.0f%%, "
                "projection.encoder_max_unknown): the encoder cannot read %s; projecting without it, "
                "with a CRF target tagger",
                100 * coverage["unknown_word_share"],
                100 * r.projection.encoder_max_unknown,
                r.target.language,
            )
        if r.zero_shot_model is not None and readable:
            limit = _max_train(self.sources)
            limits = {f"{s.key}.train": limit for s in self.sources}
            limits.update({f"{k}.train": spec.max_train for k, spec in self.zero_shot_extra})
            zero_shot_dir = self._train_model(
                "train-zero-shot",
                r.zero_shot_model,
                list(limits),
                limits,
                dev_keys=[f"{s.key}.dev" for s in self.sources]
                + [f"{k}.dev" for k, _ in self.zero_shot_extra],
                shared=True,
            )
            zero_shot = self._tag_target(zero_shot_dir)
        combined_dir, combine_summary = self._combine(per_source, zero_shot)
        init = zero_shot_dir if r.target_init == "zero-shot" else None
        fallback = None if readable else "crf"
        model_dir = self._train_target(combined_dir, init, fallback=fallback)
        extra: dict[str, Any] = {"projection": combine_summary, "sources": source_scores}
        if r.projection.self_training_rounds:
            model_dir, extra["self_training"] = self_train(
                self,
                model_dir,
                self._target_sentences(),
                self._target_spec(None if fallback else init, fallback),
                tag=lambda m, sents: _tag_with_confidence(load_task_model(m), sents),
                upstream=("train-zero-shot",) if init is not None and fallback is None else (),
            )
        if r.zero_shot_sources:
            extra["zero_shot_sources"] = {
                "used": [spec.language for _, spec in self.zero_shot_extra] if readable else [],
                "left_out_target_language": self.zero_shot_skipped,
                "n_train": (self.summaries.get("train-zero-shot") or {}).get("n_train"),
            }
        if coverage is not None:
            extra["encoder_coverage"] = {**coverage, "used": readable}
        extra["projection"]["per_source"] = {
            s.spec.language: {
                **self.summaries.get(f"join-{s.name}", {}),
                **self.summaries.get(f"project-{s.name}", {}),
            }
            for s in self.sources
        }
        if r.task == "pos" and self.paths.get("target.test") is not None:
            projected = D.read_sentences(combined_dir / "projected.jsonl")
            test = self._read("target.test")
            mft = MostFrequentTagBaseline().fit(projected).predict(test)
            extra["baselines"] = {
                "most_frequent_projected_tag": task_scores("pos", D.gold_of(test), mft)["accuracy"]
            }
        if zero_shot_dir is not None and self.paths.get("target.test") is not None:
            primary = task_metric(r.task).primary
            scores = self._evaluate(zero_shot_dir, "target.test", ("train-zero-shot",))
            extra.setdefault("baselines", {})["zero_shot"] = scores.get(primary)
        names = [s.spec.language for s in self.sources]
        extra["resources"] = resource_report(
            extra,
            source_names=names,
            source_agreements=source_agreement(per_source, names),
            train_tokens=[t for s in D.read_sentences(combined_dir / "train.jsonl") for t in s.tokens],
            tokenization=conllu_tokenization(self.paths.get("target.test")),
        )
        return model_dir, extra

    def _source_tagger(self, src: _Source) -> Path:
        if src.tagger is not None:
            return src.tagger
        spec = self.recipe.source_model if self.recipe.source_model is not None else self.recipe.model
        return self._train_model(
            f"train-source-{src.name}",
            spec,
            [f"{src.key}.train"],
            src.spec.max_train,
            dev_keys=[f"{src.key}.dev"],
            shared=True,
        )

    def _target_sentences(self) -> list[Sentence]:
        """The target side of every source's verse pairs, each verse once (first source first)."""
        seen: set[Any] = set()
        out: list[Sentence] = []
        for src in self.sources:
            for pair in src.pairs:
                if pair.id not in seen:
                    seen.add(pair.id)
                    out.append(Sentence(pair.tgt, pair.id))
        return out

    def _tag_target(self, model_dir: Path) -> list[LabeledSentence]:
        """The zero-shot model's labels (with confidences) on the target side of the parallel text;
        below ``projection.zero_shot_min_confidence`` it abstains (``None``)."""
        r = self.recipe
        sents = self._target_sentences()
        floor = r.projection.zero_shot_min_confidence

        def compute(d: Path) -> dict[str, Any]:
            self.say(f"tagging {len(sents)} target sentences with the zero-shot model")
            labeled = _tag_with_confidence(load_task_model(model_dir), sents)
            out = [
                LabeledSentence(
                    s.tokens,
                    tuple(
                        lab if c >= floor else None
                        for lab, c in zip(s.labels, s.meta.get("confidence") or [1.0] * len(s), strict=True)
                    ),
                    id=s.id,
                    meta=s.meta,
                )
                for s in labeled
            ]
            D.write_sentences(d / "target_tagged.jsonl", out)
            tokens = sum(len(s) for s in out)
            kept = sum(lab is not None for s in out for lab in s.labels)
            return {"sentences": len(out), "tokens": tokens, "abstained": tokens - kept}

        depends = {
            "targets": [len(sents), self._sig(self.paths["target.parallel"])],
            "sources": [self._sig(s.parallel) for s in self.sources],
            "min_confidence": floor,
        }
        d, summary = self.runner.run("tag-target-zero-shot", depends, compute, upstream=("train-zero-shot",))
        self.summaries["tag-target-zero-shot"] = summary
        return D.read_sentences(d / "target_tagged.jsonl")

    def _project_source(self, src: _Source, tagger_dir: Path) -> list[LabeledSentence]:
        r = self.recipe
        pairs = src.pairs
        pair_sig = [len(pairs), self._sig(src.parallel), self._sig(self.paths["target.parallel"])]
        upstream = (f"train-source-{src.name}",) if src.tagger is None else ()
        tag_dep = {"pairs": pair_sig, "tagger": str(tagger_dir) if src.tagger else None}

        def tag(d: Path) -> dict[str, Any]:
            self.say(f"tagging {len(pairs)} source sentences ({src.spec.language})")
            labeled = _tag_with_confidence(
                load_task_model(tagger_dir), [Sentence(p.src, p.id) for p in pairs]
            )
            D.write_sentences(d / "source_tagged.jsonl", labeled)
            return {"sentences": len(labeled)}

        tag_dir, _ = self.runner.run(f"tag-{src.name}", tag_dep, tag, upstream=upstream)

        def align(d: Path) -> dict[str, Any]:
            from xlt.alignment import aligners

            self.say(
                f"aligning {len(pairs)} verse pairs ({r.align.method}, {src.spec.language}-{r.target.language})"
            )
            aligner = build_method(aligners, r.align.method, r.align.options, "align")
            alignments = aligner.align(pairs)
            write_pharaoh(alignments, d / "alignments.txt")
            return {"pairs": len(alignments), "links": sum(len(a.sure) for a in alignments)}

        align_dep = {"pairs": pair_sig, "align": r.align.to_dict(), "seed": r.seed}
        align_dir, _ = self.runner.run(f"align-{src.name}", align_dep, align)

        def project(d: Path) -> dict[str, Any]:
            from xlt.projection import projectors

            self.say(f"projecting {r.task} labels {src.spec.language} -> {r.target.language}")
            source = D.read_sentences(tag_dir / "source_tagged.jsonl")
            alignments = read_pharaoh(align_dir / "alignments.txt", pairs=pairs)
            targets = [Sentence(p.tgt, p.id) for p in pairs]
            projector = build_method(projectors, self._projector_name(), r.projection.options, "projection")
            projected = projector.project(source, targets, alignments)
            dropped = 0
            if r.task == "pos" and r.projection.min_source_confidence > 0:
                projected, dropped = drop_uncertain_sources(
                    source, projected, alignments, r.projection.min_source_confidence
                )
            D.write_sentences(d / "projected.jsonl", projected)
            stats = _jsonable_stats(getattr(projector, "stats_", None))
            labelled = sum(lab is not None for s in projected for lab in s.labels)
            total = sum(len(s) for s in projected)
            return {
                "unlabelled_uncertain_source": dropped,
                "projected_sentences": len(projected),
                "token_coverage": labelled / total if total else 0.0,
                "stats": stats,
            }

        proj_dep = {
            "task": r.task,
            "projector": self._projector_name(),
            "options": r.projection.options,
            "min_source_confidence": r.projection.min_source_confidence,
        }
        proj_dir, summary = self.runner.run(
            f"project-{src.name}", proj_dep, project, upstream=(f"tag-{src.name}", f"align-{src.name}")
        )
        self.summaries[f"project-{src.name}"] = summary
        return D.read_sentences(proj_dir / "projected.jsonl")

    def _vote_weights(self) -> list[float]:
        r = self.recipe
        if r.projection.voting == "weights":
            return [s.spec.weight if s.spec.weight is not None else 1.0 for s in self.sources]
        if r.projection.voting == "rank":
            from xlt.projection.multisource import rank_weights

            return rank_weights(r.target.language, [s.spec.language for s in self.sources], task=r.task)
        return [1.0] * len(self.sources)

    def _combine(
        self, per_source: list[list[LabeledSentence]], zero_shot: list[LabeledSentence] | None = None
    ) -> tuple[Path, dict[str, Any]]:
        r = self.recipe
        p = r.projection
        weights = list(self.weights)
        voters = list(per_source)
        names = [s.spec.language for s in self.sources]
        if zero_shot is not None:
            voters.append(zero_shot)
            weights.append(p.zero_shot_weight * sum(self.weights) / max(len(self.weights), 1))
            names.append("zero-shot")

        def compute(d: Path) -> dict[str, Any]:
            self.say("combining and filtering projected data")
            summary: dict[str, Any] = {}
            if len(voters) == 1:
                combined = list(voters[0])
            else:
                combined = _vote_by_id(voters, weights)
                summary["vote_weights"] = dict(zip(names, weights, strict=True))
            if zero_shot is not None:
                summary["zero_shot_agreement"] = agreement_with(per_source, zero_shot)
            combined, n_low = unlabel_low_confidence(combined, p.min_confidence)
            summary["unlabelled_low_confidence"] = n_low
            if p.type_constraints and r.task == "pos":
                combined, tc = apply_type_constraints(combined)
                summary["type_constraints"] = tc
            D.write_sentences(d / "projected.jsonl", combined)
            kept, reasons = filter_by_coverage(combined, p.min_coverage, p.min_length)
            if not kept:
                raise ConfigError(
                    f"projection: no target sentence kept ({reasons}); lower projection.min_coverage "
                    f"(now {p.min_coverage}) or check the alignments"
                )
            D.write_sentences(d / "train.jsonl", kept)
            write_conll(kept, d / "train.projected.tsv", none_label="_", delimiter="\t")  # for humans
            toks = sum(len(s) for s in kept)
            lab = sum(lab is not None for s in kept for lab in s.labels)
            summary.update(
                {
                    "sentences_in": len(combined),
                    **reasons,
                    "train_tokens": toks,
                    "train_labelled_tokens": lab,
                    "train_token_coverage": lab / toks if toks else 0.0,
                    "mean_sentence_coverage_in": sum(coverage(s) for s in combined) / max(len(combined), 1),
                    "label_counts": dict(
                        Counter(x for s in kept for x in s.labels if x is not None).most_common()
                    ),
                }
            )
            return summary

        # the settings of later steps (self-training) do not change the combined data
        settings = {k: v for k, v in p.to_dict().items() if not k.startswith("self_training")}
        depends = {"projection": settings, "weights": weights, "voters": names}
        upstream = tuple(f"project-{s.name}" for s in self.sources)
        if zero_shot is not None:
            upstream += ("tag-target-zero-shot",)
        return self.runner.run("combine", depends, compute, upstream=upstream)

    def _encoder_coverage(self) -> dict[str, Any] | None:
        """With ``zero_shot_model``: how much of the target text its tokenizer can spell."""
        r = self.recipe
        if r.zero_shot_model is None:
            return None
        from xlt.hub import load_tokenizer
        from xlt.models.coverage import unknown_word_share

        backend, options = resolve_model_spec(r.zero_shot_model, r.task)
        if backend != "transformers" or not options.get("model"):
            return None
        tokenizer = load_tokenizer(options["model"])
        return unknown_word_share(tokenizer, (s.tokens for s in self._target_sentences()))

    def _train_target(
        self, combined_dir: Path, init: Path | None = None, fallback: str | None = None
    ) -> Path:
        """Train the target tagger on the combined data; ``init``: a transformers model to continue
        from (``target_init: zero-shot``) instead of the encoder named in ``model``; ``fallback``:
        a model spec used instead of ``model`` (the encoder cannot read the target)."""
        r = self.recipe
        if fallback is not None:
            init = None
        spec = self._target_spec(init, fallback)

        def compute(d: Path) -> dict[str, Any]:
            train = D.read_sentences(combined_dir / "train.jsonl")
            self.say(f"training the target tagger ({_spec_name(spec)}) on {len(train)} projected sentences")
            return self._fit("train-target", spec, train, d)

        upstream: tuple[str, ...] = ("combine",) + (("train-zero-shot",) if init is not None else ())
        depends = {
            "model": r.model if fallback is None else fallback,
            "seed": r.seed,
            "init": "zero-shot" if init is not None else None,
        }
        d, summary = self.runner.run("train-target", depends, compute, upstream=upstream)
        self.summaries["train-target"] = summary
        return d / "model"

    def _target_spec(self, init: Path | None, fallback: str | None) -> Any:
        """The model spec the target tagger trains with: ``model``, ``fallback`` instead, or
        ``model``'s options continuing from the transformers model ``init``."""
        r = self.recipe
        if fallback is not None:
            return fallback
        if init is not None:
            _, options = resolve_model_spec(r.model, r.task)
            return {"method": "transformers", **options, "model": str(init)}
        return r.model

    # -- outputs -----------------------------------------------------------------------------
    def _write_run(self, model_dir: Path, metrics: dict[str, Any]) -> None:
        from xlt.evaluation.store import read_predictions, write_run

        r = self.recipe
        model_link = self.out / "model"
        _publish_model(model_dir, model_link)
        info = {
            "task": r.task,
            "method": r.method,
            "model": _spec_name(r.model),
            "sources": [s.language for s in r.all_sources],
            "target": r.target.language,
            "seed": r.seed,
            "name": r.name,
            "primary_metric": metrics.get("primary_metric"),
            "timings": metrics.get("timings", {}),
            "cached_steps": list(self.runner.skipped),
            "data": {k: str(v) for k, v in self.paths.items() if v is not None},
            "artifacts": {
                "model": "model",
                "log": "run.log",
                "steps": "steps",
                **(
                    {"projected_train": "steps/combine/train.projected.tsv"}
                    if r.method == "projection"
                    else {}
                ),
            },
        }
        if r.method == "projection":
            atomic_write_text(
                self.out / "projection_stats.json",
                json.dumps(metrics.get("projection", {}), ensure_ascii=False, indent=2),
            )
        predictions = read_predictions(self.predictions_path) if self.predictions_path is not None else None
        if predictions is None:
            # a re-run without a test set must not leave an older run's predictions behind
            (self.out / PREDICTIONS_FILE).unlink(missing_ok=True)
        else:
            info["artifacts"]["predictions"] = PREDICTIONS_FILE
        write_run(self.out, info, metrics, predictions=predictions, recipe_yaml=r.to_yaml())


# --- module helpers --------------------------------------------------------------------------
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


def _shared_root(recipe: Recipe) -> Path | None:
    if not recipe.share_steps:
        return None
    from xlt.paths import xlt_cache_dir

    return xlt_cache_dir() / "steps"


def _model_identity(spec: Any) -> Any:
    """What a shared step's fingerprint needs beyond the spec: the files behind a local model
    path (a relative path names different models in different directories)."""
    name = spec.get("model") if isinstance(spec, dict) else spec
    if not isinstance(name, str):
        return None
    path = Path(name).expanduser()
    if path.is_dir() and (path / "config.json").is_file():
        return {"path": str(path.resolve()), "config": file_signature(path / "config.json")}
    return None


def _tag_with_confidence(model: Any, sents: Sequence[Sentence]) -> list[LabeledSentence]:
    """Tag ``sents``, with each token's label probability in ``meta["confidence"]`` where the backend
    gives one (CRF marginals, transformers softmax)."""
    if hasattr(model, "predict_confidence"):
        return [
            LabeledSentence(s.tokens, tuple(lab), id=s.id, meta={"confidence": tuple(c)})
            for s, (lab, c) in zip(sents, model.predict_confidence(sents), strict=True)
        ]
    return [
        LabeledSentence(s.tokens, tuple(lab), id=s.id)
        for s, lab in zip(sents, model.predict(sents), strict=True)
    ]


def _spec_name(spec: Any) -> str:
    if isinstance(spec, dict):
        return str(spec.get("method") or spec.get("backend"))
    return str(spec)


def _max_train(sources: list[_Source]) -> int | None:
    vals = [s.spec.max_train for s in sources if s.spec.max_train]
    return min(vals) if vals else None


def _join_summary(join: VerseJoin, n_pairs: int, n_no_tokens: int = 0, n_over_max: int = 0) -> dict[str, Any]:
    """What the verse join of one source kept and dropped, by reason (also in projection_stats.json)."""
    out = join.to_dict()
    reasons = dict(out["dropped_by_reason"])  # type: ignore[call-overload]
    reasons["no_tokens"] = n_no_tokens
    reasons["over_max_sentences"] = n_over_max
    return {
        **out,
        "pairs": n_pairs,
        "dropped": sum(reasons.values()),
        "dropped_by_reason": reasons,
        "n_only_src": join.n_only_src,
        "n_only_tgt": join.n_only_tgt,
        "n_empty": join.n_empty,
    }


def _jsonable_stats(stats: Any) -> Any:
    from xlt.io.jsonio import to_jsonable

    return to_jsonable(stats) if stats is not None else None


def _vote_by_id(per_source: list[list[LabeledSentence]], weights: list[float]) -> list[LabeledSentence]:
    """Weighted vote of several sources' projections of the same target verses (by id)."""
    from xlt.projection.multisource import vote

    by_id: list[dict[Any, LabeledSentence]] = [{s.id: s for s in proj} for proj in per_source]
    order: list[Any] = []
    seen: set[Any] = set()
    for proj in per_source:
        for s in proj:
            if s.id not in seen:
                seen.add(s.id)
                order.append(s.id)
    aligned: list[list[LabeledSentence]] = []
    for table in by_id:
        col = []
        for vid in order:
            s = table.get(vid)
            if s is None:
                ref = next(t[vid] for t in by_id if vid in t)
                s = LabeledSentence(ref.tokens, (None,) * len(ref), id=vid)
            col.append(s)
        aligned.append(col)
    return list(vote(aligned, weights))


def _publish_model(model_dir: Path, dest: Path) -> None:
    """Copy the final model to ``<output_dir>/model`` (replacing an older copy)."""
    import shutil

    if dest.resolve() == model_dir.resolve():
        return
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    shutil.copytree(model_dir, tmp / "m")
    if dest.exists():
        shutil.rmtree(dest, ignore_errors=True)
    with contextlib.suppress(OSError):  # another process published the same model meanwhile
        (tmp / "m").rename(dest)
    shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _file_log(path: Path) -> Iterator[None]:
    """Also log xlt's INFO messages into ``path`` (console verbosity unchanged)."""
    logger = logging.getLogger("xlt")
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    old_level = logger.level
    effective = logger.getEffectiveLevel()
    pinned = [h for h in logger.handlers if h.level == logging.NOTSET]
    for h in pinned:
        h.setLevel(effective)
    logger.addHandler(handler)
    logger.setLevel(min(effective, logging.INFO))
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(old_level)
        for h in pinned:
            h.setLevel(logging.NOTSET)


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
