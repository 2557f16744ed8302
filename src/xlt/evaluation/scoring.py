"""Scoring a run's predictions: one call from predictions to a ``metrics.json`` dict with
bootstrap CIs, per language, and the ``predictions.jsonl`` records.

Writers of run directories (``xlt run``, ``xlt finetune``, user scripts) can do::

    metrics, records = score_predictions("ner", gold, pred, langs=langs, ids=ids)
    write_run(run_dir, info, metrics, predictions=records)

(``xlt.evaluation.evaluate.evaluate`` is the old name of :func:`score_predictions`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlt.errors import ConfigError, MismatchError
from xlt.evaluation.bootstrap import METRIC_KEYS, bootstrap_cis, infer_metric
from xlt.evaluation.metrics import per_label_prf
from xlt.evaluation.tasks import SCORERS


def task_scores(task: str | None, gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, Any]:
    """Headline scores of a task: strict span P/R/F1 (ner), token accuracy + per-tag scores (pos and
    other tagging), accuracy + macro-F1 + per-label scores (classification)."""
    kind = infer_metric(gold, task)
    out: dict[str, Any] = dict(SCORERS[kind](gold, pred))
    if kind == "span_f1":
        return out
    if kind == "token_accuracy":
        flat_gold = [t for s in gold for t in s]
        flat_pred = [t if t is not None else "<none>" for s in pred for t in s]
        out["per_label"] = {k: v for k, v in per_label_prf(flat_gold, flat_pred).items() if k != "<none>"}
        return out
    out["per_label"] = per_label_prf(gold, pred)
    return {k: v for k, v in out.items() if not k.startswith("f1_")}


def score_predictions(
    task: str | None,
    gold: Sequence[Any],
    pred: Sequence[Any],
    *,
    langs: Sequence[str] | None = None,
    ids: Sequence[str] | None = None,
    target: str | None = None,
    n_resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(metrics, prediction_records)`` for a run directory.

    ``metrics`` holds the headline scores over all examples, ``primary_metric``, ``ci``
    (``{metric: {low, high, level, n, n_resamples}}``, percentile bootstrap over examples or
    sentences) and, when ``langs`` names more than one language, ``per_language`` with the
    same fields for each. ``prediction_records`` are the ``predictions.jsonl`` lines.
    """
    if len(gold) != len(pred):
        raise MismatchError(f"{len(gold)} gold items but {len(pred)} predictions")
    if langs is not None and len(langs) != len(gold):
        raise MismatchError(f"{len(langs)} language tags for {len(gold)} items")
    if ids is not None and len(ids) != len(gold):
        raise MismatchError(f"{len(ids)} ids for {len(gold)} items")
    if n_resamples < 1:
        raise ConfigError(f"n_resamples must be >= 1, got {n_resamples}")
    kind = infer_metric(gold, task)
    key = METRIC_KEYS[kind]

    def block(g: Sequence[Any], p: Sequence[Any]) -> dict[str, Any]:
        scores = task_scores(task, g, p)
        # classification: accuracy and macro-F1 intervals from the same resamples
        kinds = [kind, "macro_f1"] if kind == "accuracy" else [kind]
        cis = bootstrap_cis(g, p, kinds, n_resamples=n_resamples, level=level, seed=seed)
        scores["ci"] = {
            METRIC_KEYS[k]: {
                "low": ci.low,
                "high": ci.high,
                "level": level,
                "n": ci.n,
                "n_resamples": n_resamples,
            }
            for k, ci in cis.items()
        }
        return scores

    metrics = block(gold, pred)
    metrics["primary_metric"] = key
    default_lang = target or "-"
    lang_of = list(langs) if langs is not None else [default_lang] * len(gold)
    by_lang: dict[str, list[int]] = {}  # one pass, not one scan of every item per language
    for i, lang in enumerate(lang_of):
        by_lang.setdefault(lang, []).append(i)
    if len(by_lang) > 1:
        metrics["per_language"] = {
            lang: block([gold[i] for i in idx], [pred[i] for i in idx])
            for lang, idx in sorted(by_lang.items())
        }
    records = []
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        rec: dict[str, Any] = {"id": ids[i] if ids is not None else str(i), "lang": lang_of[i]}
        rec["gold"] = list(g) if isinstance(g, (list, tuple)) else g
        rec["pred"] = list(p) if isinstance(p, (list, tuple)) else p
        records.append(rec)
    return metrics, records
