"""The ``transformers`` task backend: any Hugging Face encoder fine-tuned with xlt's loop.

Devlin et al. 2019 (mBERT) / Conneau et al. 2020 (XLM-R) style zero-shot
transfer: fine-tune on source-language labels, apply to the target. Training,
selection and averaging live in :mod:`xlt.finetuning.trainer`; this class is the
:class:`~xlt.models.base.TaskModel` face of it (``fit`` / ``predict`` / ``save`` / ``load``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typing_extensions import Self

from xlt.config import atomic_write_text
from xlt.errors import ConfigError, DataNotFoundError
from xlt.finetuning.config import FinetuneConfig
from xlt.models.base import task_models
from xlt.types import LabeledSentence, Sentence, TextExample

META_FILE = "xlt_task.json"
ADAPTER_DIR = "adapters"


@task_models.register(
    "transformers",
    config=FinetuneConfig,
    reference="Conneau et al. 2020, Unsupervised Cross-lingual Representation Learning at Scale",
    example=None,  # fine-tuning an encoder takes minutes; tests/unit/test_finetune_train.py covers it
    tasks=("ner", "pos", "classification"),
)
class TransformersTaskModel:
    """Fine-tune any HF encoder (hub id or path) for tagging or classification."""

    def __init__(self, config: FinetuneConfig) -> None:
        self.config = config

    # --- training -------------------------------------------------------------------------------
    def fit(
        self,
        train: Sequence[LabeledSentence] | Sequence[TextExample],
        dev: Sequence[Any] | None = None,
        *,
        oracle_dev: Sequence[Any] | None = None,
        continue_training: bool = False,
    ) -> Self:
        """Train on ``train``; ``dev`` (source language) chooses the checkpoint.

        ``continue_training=True`` keeps training the already fitted model (the
        second stage of hierarchical transfer: source, then a related language).
        """
        from xlt.finetuning.trainer import fit

        existing = continue_training and hasattr(self, "model_")
        result = fit(
            self.config,
            train,
            dev,
            oracle_dev=oracle_dev,
            model=self.model_ if existing else None,
            tokenizer=self.tokenizer_ if existing else None,
            labels=self.labels_ if existing else None,
        )
        self.model_ = result.model
        self.tokenizer_ = result.tokenizer
        self.labels_ = result.labels
        self.result_ = result
        self.target_adapter_: str | None = None
        return self

    def use_variant(self, name: str) -> None:
        """Load one of the weight variants kept by the last ``fit`` (``last``, ``source-dev``,
        ``target-dev``, ``average``) into the model."""
        from xlt.finetuning.selection import load_trainable_state

        self._check_fitted()
        variants = self.result_.variants
        if name not in variants:
            raise ConfigError(f"no model variant {name!r}; available: {sorted(variants)}")
        load_trainable_state(self.model_, variants[name])

    def use_language_adapter(self, path: str | None) -> None:
        """Stack the target-language adapter at ``path`` under the task adapter (None: none)."""
        from xlt.finetuning.peft_strategies import activate_language_adapter

        self._check_fitted()
        if self.config.strategy != "lora":
            raise ConfigError("language adapters need strategy: lora")
        activate_language_adapter(self.model_, path)
        self.target_adapter_ = path

    # --- inference ------------------------------------------------------------------------------
    def predict(self, data: Sequence[Any]) -> list[Any]:
        """One label per token (token tasks) or per example (classification)."""
        from xlt.finetuning.common import usable_length
        from xlt.finetuning.trainer import encode, predict_encoded

        self._check_fitted()
        items = [_as_input(x, self.config.task) for x in data]
        max_length = usable_length(self.model_, self.tokenizer_, self.config.max_length)
        enc = encode(self.config, self.tokenizer_, items, None, max_length)
        return predict_encoded(
            self.model_, self.tokenizer_, self.config.task, self.labels_, enc, self.config.eval_batch_size
        )

    def predict_confidence(self, data: Sequence[Any]) -> list[tuple[list[str], list[float]]]:
        """Token tasks: each word's label with its softmax probability (at its first subword)."""
        from xlt.finetuning.common import usable_length
        from xlt.finetuning.trainer import encode, is_token_task, predict_encoded

        self._check_fitted()
        if not is_token_task(self.config.task):
            raise ConfigError("predict_confidence is for token tasks (pos, ner)")
        items = [_as_input(x, self.config.task) for x in data]
        max_length = usable_length(self.model_, self.tokenizer_, self.config.max_length)
        enc = encode(self.config, self.tokenizer_, items, None, max_length)
        return predict_encoded(
            self.model_,
            self.tokenizer_,
            self.config.task,
            self.labels_,
            enc,
            self.config.eval_batch_size,
            with_confidence=True,
        )

    def evaluate(self, data: Sequence[Any]) -> dict[str, float]:
        """Task metrics of the current weights on labelled ``data``."""
        from xlt.finetuning.trainer import gold_labels, score_examples

        return score_examples(self.config.task, gold_labels(self.config.task, data), self.predict(data))

    # --- persistence ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """``save_pretrained`` (safetensors) of the model or task adapter, the tokenizer and metadata."""
        self._check_fitted()
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        if self.config.strategy == "lora":
            self.model_.save_pretrained(
                out / ADAPTER_DIR, selected_adapters=["task"], safe_serialization=True
            )
        else:
            self.model_.save_pretrained(out, safe_serialization=True)
        self.tokenizer_.save_pretrained(out)
        meta = {"config": self.config.to_dict(), "labels": self.labels_, "main_variant": self.result_.main}
        atomic_write_text(out / META_FILE, json.dumps(meta, indent=2, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> Self:
        from xlt.finetuning.trainer import FitResult, build_model
        from xlt.hub import load_tokenizer

        p = Path(path)
        if not (p / META_FILE).is_file():
            raise DataNotFoundError(f"{p}: not an xlt transformers model (no {META_FILE})")
        meta = json.loads((p / META_FILE).read_text(encoding="utf-8"))
        config = FinetuneConfig.from_dict(meta["config"], source=str(p / META_FILE))
        labels = list(meta["labels"])
        self = cls(config)
        if config.strategy == "lora":
            from peft import PeftModel

            base = build_model(config, labels)
            self.model_ = PeftModel.from_pretrained(base, str(p / ADAPTER_DIR / "task"), adapter_name="task")
        else:
            self.model_ = build_model(config.model_copy(update={"model": str(p)}), labels)
        self.model_.eval()
        self.tokenizer_ = load_tokenizer(p, trust_remote_code=config.trust_remote_code)
        self.labels_ = labels
        self.result_ = FitResult(
            model=self.model_,
            tokenizer=self.tokenizer_,
            labels=labels,
            variants={},
            main=meta.get("main_variant", "last"),
            steps=0,
            seconds=0.0,
            train_tokens=0,
            padded_tokens=0,
        )
        self.target_adapter_ = None
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ConfigError("the model is not trained yet: call fit() or load() first")


def _as_input(x: Any, task: str) -> Any:
    if task == "classification":
        return x if isinstance(x, TextExample) else TextExample(text=str(x))
    if isinstance(x, (LabeledSentence, Sentence)):
        return x
    if isinstance(x, str):
        return Sentence(tuple(x.split()))
    return Sentence(tuple(x))
