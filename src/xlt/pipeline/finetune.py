"""``xlt finetune``: a whole transfer experiment: sources → (intermediate) → many targets, seeds,
variants, composed from :mod:`xlt.finetuning` (the training loop, selection, averaging).

Settings: zero-shot from one or several sources (concatenated or temperature
sampled), few-shot targets (``k`` seeded examples per target, their ids reported),
hierarchical transfer (Kuncoro-style source → related intermediate language →
target, as in the Javanese seed paper), evaluation on many targets in one run,
and averaging of the final models of several seeds. Every result row names how
its model was chosen; rows chosen on target dev data say ``oracle``.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlt.config import atomic_write_text
from xlt.errors import ConfigError
from xlt.finetuning.experiment import DataSpec, FewShot, FinetuneRunConfig
from xlt.finetuning.selection import selection_label

#: the logger name from before the move out of xlt.finetuning, so log output stays the same
log = logging.getLogger("xlt.finetuning.run")


def read_labelled(path: str, task: str, *, limit: int | None = None) -> list[Any]:
    """Labelled data for ``task`` from ``path`` (``shared:`` paths allowed), read by
    :func:`xlt.io.tasks.read_task_data`."""
    from xlt.finetuning.corpora import resolve_data_path
    from xlt.io.tasks import read_task_data

    return read_task_data(resolve_data_path(path), task, limit=limit)


class _Romaniser:
    """Each language's romanisation scheme: as its spec says, or for ``auto`` decided once per
    language from the share of its words the model's tokenizer cannot spell
    (:func:`xlt.models.coverage.unknown_word_share`), the same test as the projection recipe's
    encoder guard."""

    def __init__(self, model: str, max_unknown: float, trust_remote_code: bool = False) -> None:
        self.model, self.max_unknown, self.trust = model, max_unknown, trust_remote_code
        self.decided: dict[str, dict[str, Any]] = {}
        self._tokenizer: Any = None

    def scheme(self, spec: DataSpec, data: Sequence[Any]) -> str | None:
        if spec.transliterate != "auto":
            return spec.transliterate
        if spec.lang not in self.decided:
            from xlt.models.coverage import unknown_word_share
            from xlt.types import TextExample

            if self._tokenizer is None:
                from xlt.hub import load_tokenizer

                self._tokenizer = load_tokenizer(self.model, trust_remote_code=self.trust)
            words = (x.text.split() if isinstance(x, TextExample) else x.tokens for x in data)
            share = unknown_word_share(self._tokenizer, words)["unknown_word_share"]
            self.decided[spec.lang] = {
                "unknown_word_share": share,
                "scheme": "uroman" if share > self.max_unknown else None,
            }
        return self.decided[spec.lang]["scheme"]


def _load_data(
    spec: DataSpec | None, split: str, task: str, romaniser: _Romaniser | None = None
) -> list[Any]:
    if spec is None or getattr(spec, split) is None:
        return []
    limit = {"train": spec.limit, "dev": spec.dev_limit, "test": spec.test_limit}.get(split)
    data = read_labelled(getattr(spec, split), task, limit=limit)
    if spec.transliterate:
        from xlt.augmentation import romanize

        if spec.transliterate == "auto" and romaniser is None:
            raise ConfigError(f"{spec.lang}: transliterate: auto needs the model's tokenizer")
        scheme = romaniser.scheme(spec, data) if romaniser is not None else spec.transliterate
        if scheme:
            data = romanize(data, scheme)  # type: ignore[arg-type]
    return data


def run_transfer(config: FinetuneRunConfig) -> dict[str, Any]:
    """Train (per seed), evaluate every target, average seeds; returns the JSON-able report."""
    from xlt.finetuning.averaging import average_snapshots
    from xlt.finetuning.data import few_shot_sample, mix_sources
    from xlt.models.transformers import TransformersTaskModel

    task = config.training.task
    if not config.sources:
        raise ConfigError("at least one source language is needed")
    from xlt.augmentation import build_augmenters

    augs = build_augmenters(config.augment, seed=config.training.seed)  # bad options fail before any reading
    rom = _Romaniser(
        config.training.model, config.transliterate_max_unknown, config.training.trust_remote_code
    )

    def _load(spec: DataSpec | None, split: str, task: str) -> list[Any]:
        return _load_data(spec, split, task, rom)

    groups = {s.lang: _load(s, "train", task) for s in config.sources}
    for lang, data in groups.items():
        if not data:
            raise ConfigError(f"source {lang}: no training data (give `train`)")
    mixed, contributions = mix_sources(
        groups, strategy=config.mixing, temperature=config.temperature, seed=config.training.seed
    )
    augmented: list[dict[str, Any]] = []
    if config.augment:  # the sources' training data only: dev, few-shot and test data stay as they are
        from xlt.augmentation import apply_augmenters

        n_before = len(mixed)
        mixed, augmented = apply_augmenters(augs, mixed)
        log.info("augmented the source training data: %d -> %d examples", n_before, len(mixed))
    source_dev = [x for s in config.sources for x in _load(s, "dev", task)]
    shots: dict[str, list[str | None]] = {}
    shot_data: dict[str, list[Any]] = {}
    continued = bool(config.few_shot.k) and config.few_shot.mode == "continue"
    if continued and len(config.seeds) > 1:
        raise ConfigError(
            "few_shot.mode: continue takes one training seed (each target gets its own model); "
            "run the seeds separately, or use mode: joint"
        )
    if config.few_shot.k:
        for t in config.targets:
            pool = _load(t, "train", task)
            if not pool:
                raise ConfigError(f"few-shot target {t.lang}: no `train` file to sample from")
            sample = few_shot_sample(pool, config.few_shot.k, config.few_shot.seed)
            shots[t.lang] = [x.id for x in sample]
            if continued:
                shot_data[t.lang] = sample
            else:
                mixed.extend(sample)
    target_dev = {t.lang: _load(t, "dev", task) for t in config.targets}
    track_oracle = config.oracle or config.training.selection == "target-dev"
    oracle_dev = {k: v for k, v in target_dev.items() if v} if track_oracle else None
    if config.training.selection == "target-dev" and not oracle_dev:
        raise ConfigError("selection: target-dev needs `dev` files for the targets")
    tests = {t.lang: _load(t, "test", task) for t in config.targets}
    adapters = {t.lang: t.language_adapter for t in config.targets}
    training = config.training
    if training.language_adapter is None and config.sources[0].language_adapter:
        training = training.model_copy(update={"language_adapter": config.sources[0].language_adapter})

    rows: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    main_states: list[dict[str, Any]] = []
    preds: dict[tuple[Any, str, str], list[Any]] = {}  # (seed, variant, target) -> predictions
    model = None
    res = None
    t_start = time.perf_counter()
    for seed in config.seeds:
        model = TransformersTaskModel(training.model_copy(update={"seed": seed}))
        model.fit(mixed, source_dev or None, oracle_dev=oracle_dev)
        stages = [
            {"stage": "sources", "steps": model.result_.steps, "seconds": round(model.result_.seconds, 2)}
        ]
        if config.intermediate is not None:
            inter_train = _load(config.intermediate, "train", task)
            if not inter_train:
                raise ConfigError(f"intermediate {config.intermediate.lang}: no training data")
            model.fit(
                inter_train,
                _load(config.intermediate, "dev", task) or None,
                oracle_dev=oracle_dev,
                continue_training=True,
            )
            stages.append({"stage": f"intermediate:{config.intermediate.lang}", "steps": model.result_.steps})
        res = model.result_
        runs.append(
            {
                "seed": seed,
                "stages": stages,
                "main_variant": res.main,
                "best_steps": res.best_steps,
                "dev_history": res.history,
                "tokens_per_s": round(res.tokens_per_s, 1),
                "encoding": res.stats,
            }
        )
        main_states.append(res.variants[res.main])
        names = list(res.variants) if config.report_variants else [res.main]
        for name in names:
            model.use_variant(name)
            for lang, test in tests.items():
                if not test:
                    continue
                if name.startswith("target-dev:") and name != f"target-dev:{lang}":
                    continue  # an oracle is only reported for its own target
                row, preds[(seed, name, lang)] = _evaluate_row(
                    model, test, lang, adapters.get(lang), seed, name, FEW_SHOT if continued else res.main
                )
                rows.append(row)
        model.use_variant(res.main)
        if continued:
            runs[-1]["few_shot"] = _continue_per_target(
                model, config.few_shot, shot_data, tests, adapters, seed, rows, preds
            )
    if model is not None and len(config.seeds) > 1:
        from xlt.finetuning.selection import load_trainable_state

        load_trainable_state(model.model_, average_snapshots(main_states))
        for lang, test in tests.items():
            if test:
                row, preds[(None, "seed-average", lang)] = _evaluate_row(
                    model, test, lang, adapters.get(lang), None, "seed-average", None
                )
                rows.append(row)
    report = {
        "task": task,
        "model": training.model,
        "sources": [s.lang for s in config.sources],
        "intermediate": config.intermediate.lang if config.intermediate else None,
        "mixing": {"strategy": config.mixing, "temperature": config.temperature, "examples": contributions},
        "augment": augmented,
        "transliterated": {
            s.lang: (
                {"auto": True, **rom.decided.get(s.lang, {})}
                if s.transliterate == "auto"
                else s.transliterate
            )
            for s in [*config.sources, *config.targets]
            if s.transliterate
        },
        "few_shot": {
            "k": config.few_shot.k,
            "seed": config.few_shot.seed,
            "mode": config.few_shot.mode,
            "ids": shots,
            # mode continue: the saved model is the source model; each target's continued
            # model is evaluated, not kept (one per target)
        },
        "selection": training.selection,
        "averaging": training.averaging,
        "runs": runs,
        "results": rows,
        "summary": _summary(task, rows),
    }
    if config.output_dir and model is not None and res is not None:
        out = Path(config.output_dir)
        model.save(out / "model")
        atomic_write_text(out / "config.yaml", config.to_yaml())
        final = "seed-average" if len(config.seeds) > 1 else (FEW_SHOT if continued else res.main)
        final_seed = None if len(config.seeds) > 1 else config.seeds[0]
        final_preds = {}
        for lang, test in tests.items():
            if not test:
                continue
            if (final_seed, final, lang) not in preds:  # e.g. another target's oracle checkpoint
                _, preds[(final_seed, final, lang)] = _evaluate_row(
                    model, test, lang, adapters.get(lang), final_seed, final, final
                )
            final_preds[lang] = preds[(final_seed, final, lang)]
        # no scored target (sources only: train and save): the model and results.json, no run dir
        report["final"] = (
            _write_run_dir(out, config, report, tests, final_preds, final, time.perf_counter() - t_start)
            if final_preds
            else None
        )
        atomic_write_text(out / "results.json", json.dumps(report, indent=2, ensure_ascii=False))
        report["output_dir"] = str(out)
    return report


def _write_run_dir(
    out: Path,
    config: FinetuneRunConfig,
    report: dict[str, Any],
    tests: dict[str, list[Any]],
    predictions: dict[str, list[Any]],
    final: str,
    seconds: float,
) -> dict[str, Any]:
    """The standard run directory (run.json, metrics.json with bootstrap CIs per target,
    predictions.jsonl) of the final model (the saved one), recorded in the workspace store.
    Returns the final model's score and 95% CI per target."""
    from xlt.evaluation.scoring import score_predictions
    from xlt.evaluation.store import PREDICTIONS_FILE, RECIPE_FILE, write_run
    from xlt.finetuning.trainer import gold_labels, scorable

    task = config.training.task
    gold, pred, langs, ids = [], [], [], []
    for lang, items in predictions.items():
        g_all = gold_labels(task, tests[lang])
        for i, (x, g, p) in enumerate(zip(tests[lang], g_all, items, strict=True)):
            kept = scorable(task, g, p)
            if kept is None:
                continue  # an unlabelled test example: left out of the scores, as in results.json
            gold.append(kept[0])
            pred.append(kept[1])
            langs.append(lang)
            ids.append(f"{lang}:{i}" if getattr(x, "id", None) is None else f"{lang}:{i}:{x.id}")
    t0 = time.perf_counter()
    label = selection_label(final)
    targets = list(predictions)
    metrics, records = score_predictions(
        task, gold, pred, langs=langs, ids=ids, target=targets[0] if len(targets) == 1 else None
    )
    metrics["selection"] = label
    metrics["variant"] = "target-dev" if final.startswith("target-dev") else final
    for block in (metrics.get("per_language") or {}).values():
        block["selection"] = label
    metrics["summary"] = report["summary"]
    setting = "hierarchical" if config.intermediate else ("few-shot" if config.few_shot.k else "zero-shot")
    info = {
        "task": task,
        "method": "finetune",
        "setting": setting,
        "model": config.training.model,
        "strategy": config.training.strategy,
        "sources": [s.lang for s in config.sources],
        "intermediate": report["intermediate"],
        "target": targets[0] if len(targets) == 1 else "+".join(targets),
        "targets": targets,
        "seed": config.seeds[0] if len(config.seeds) == 1 else None,
        "seeds": list(config.seeds),
        "selection": label,
        "variant": metrics["variant"],
        "few_shot": report["few_shot"],
        "primary_metric": metrics["primary_metric"],
        "timings": {"train_and_evaluate": round(seconds, 3), "bootstrap": round(time.perf_counter() - t0, 3)},
        "artifacts": {
            "model": "model",
            "results": "results.json",
            "config": "config.yaml",
            "predictions": PREDICTIONS_FILE,
            "recipe": RECIPE_FILE,
        },
    }
    write_run(out, info, metrics, predictions=records, recipe_yaml=config.to_yaml())
    key = metrics["primary_metric"]
    blocks = metrics.get("per_language") or {targets[0]: metrics}
    return {
        "variant": metrics["variant"],
        "selection": label,
        "metric": key,
        "targets": {
            lang: {"score": b[key], "ci": [b["ci"][key]["low"], b["ci"][key]["high"]], "n": b["ci"][key]["n"]}
            for lang, b in blocks.items()
        },
    }


FEW_SHOT = "few-shot"  # the variant name of models continued on target shots


def _continue_per_target(
    model,
    settings: FewShot,
    shot_data: dict[str, list[Any]],
    tests: dict[str, list[Any]],
    adapters: dict[str, str | None],
    seed: int,
    rows: list[dict[str, Any]],
    preds: dict[tuple[Any, str, str], list[Any]],
) -> dict[str, Any]:
    """Continue the source model on each target's shots in turn (restoring it in between);
    adds one ``few-shot`` row per target. Returns the continuation settings per target."""
    from xlt.finetuning.few_shot import continue_on_shots
    from xlt.finetuning.selection import load_trainable_state, trainable_state

    base = trainable_state(model.model_)
    info: dict[str, Any] = {}
    for lang, sample in shot_data.items():
        info[lang] = continue_on_shots(
            model,
            sample,
            epochs=settings.epochs,
            min_steps=settings.min_steps,
            learning_rate=settings.learning_rate,
            seed=seed,
        )
        if tests.get(lang):
            row, preds[(seed, FEW_SHOT, lang)] = _evaluate_row(
                model, tests[lang], lang, adapters.get(lang), seed, FEW_SHOT, FEW_SHOT
            )
            rows.append(row)
        load_trainable_state(model.model_, base)
    return info


def _evaluate_row(
    model, test: Sequence[Any], lang: str, adapter: str | None, seed, name: str, main
) -> tuple[dict[str, Any], list[Any]]:
    """The result row of the current weights on ``test``, and their predictions."""
    from xlt.finetuning.trainer import gold_labels, score_examples

    if model.config.strategy == "lora":
        model.use_language_adapter(adapter)
    pred = model.predict(test)
    metrics = score_examples(model.config.task, gold_labels(model.config.task, test), pred)
    row = {
        "target": lang,
        "seed": seed,
        "variant": "target-dev" if name.startswith("target-dev") else name,
        "main": name == main,
        "selection": selection_label(name),
        "language_adapter": adapter,
        "n": len(test),
        "metrics": {k: round(v, 4) for k, v in metrics.items()},
    }
    return row, pred


def _summary(task: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean (and sd over seeds) of the main metric (:func:`main_score`) per target and variant."""
    from xlt.finetuning.trainer import main_score

    groups: dict[tuple[str, str, str], list[float]] = {}
    for r in rows:
        groups.setdefault((r["target"], r["variant"], r["selection"]), []).append(
            main_score(task, r["metrics"])
        )
    out = []
    for (target, variant, sel), vals in groups.items():
        out.append(
            {
                "target": target,
                "variant": variant,
                "selection": sel,
                "score": round(statistics.fmean(vals), 4),
                "sd": round(statistics.stdev(vals), 4) if len(vals) > 1 else None,
                "runs": len(vals),
            }
        )
    return out
