"""Pieces shared by fine-tuning and pretraining: precision, TrainingArguments, token counting.

Everything that touches ``transformers`` is imported lazily so that importing
``xlt.finetuning`` stays cheap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Precision = Literal["auto", "fp32", "bf16", "fp16"]


def resolve_precision(precision: Precision) -> str:
    """``auto`` picks bf16 on GPUs that support it, fp16 on other GPUs and fp32 on CPU."""
    import torch

    if precision == "fp16" and not torch.cuda.is_available():
        logging.getLogger(__name__).warning("fp16 needs a CUDA device; training in fp32 instead")
        return "fp32"
    if precision != "auto":
        return precision  # bf16 also runs on CPU (autocast), if explicitly asked for
    if torch.cuda.is_available():
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def training_arguments(
    output_dir: str | Path,
    *,
    batch_size: int,
    learning_rate: float,
    seed: int,
    max_steps: int = -1,
    epochs: float = 1.0,
    eval_batch_size: int | None = None,
    gradient_accumulation_steps: int = 1,
    warmup_ratio: float = 0.0,
    weight_decay: float = 0.0,
    precision: Precision = "auto",
    group_by_length: bool = True,
    logging_steps: int = 50,
    save_steps: int | None = None,
    save_total_limit: int | None = None,
    use_cpu: bool = False,
    extra: Mapping[str, Any] | None = None,
):
    """``TrainingArguments`` with xlt's defaults: no reporting, no automatic eval or saving
    (xlt's callbacks decide when evaluation is worth it), length-grouped batches."""
    import dataclasses

    from transformers import TrainingArguments

    names = {f.name for f in dataclasses.fields(TrainingArguments)}
    prec = resolve_precision(precision)
    kwargs: dict[str, Any] = {
        "output_dir": str(output_dir),
        "per_device_train_batch_size": batch_size,
        "per_device_eval_batch_size": eval_batch_size or batch_size * 2,
        "learning_rate": learning_rate,
        "seed": seed,
        "max_steps": max_steps,
        "num_train_epochs": epochs,
        "gradient_accumulation_steps": gradient_accumulation_steps,
        "weight_decay": weight_decay,
        "bf16": prec == "bf16",
        "fp16": prec == "fp16",
        "logging_steps": logging_steps,
        "report_to": [],
        "save_strategy": "steps" if save_steps else "no",
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        "dataloader_pin_memory": cuda_available(),
        "use_cpu": use_cpu,
        "remove_unused_columns": False,
    }
    if save_steps:
        kwargs["save_steps"] = save_steps
        kwargs["save_total_limit"] = save_total_limit
        kwargs["save_safetensors"] = True
    if "warmup_ratio" in names:
        kwargs["warmup_ratio"] = warmup_ratio
    if "eval_strategy" in names:
        kwargs["eval_strategy"] = "no"
    else:  # transformers < 4.41
        kwargs["evaluation_strategy"] = "no"
    if "train_sampling_strategy" in names:  # transformers >= 5
        kwargs["train_sampling_strategy"] = "group_by_length" if group_by_length else "random"
    else:
        kwargs["group_by_length"] = group_by_length
    kwargs = {k: v for k, v in kwargs.items() if k in names}
    kwargs.update(extra or {})
    return TrainingArguments(**kwargs)


class CountingCollator:
    """Wrap a data collator and count the real (non-padding) and padded tokens it emits."""

    def __init__(self, collator: Callable[[list[dict[str, Any]]], dict[str, Any]]) -> None:
        self.collator = collator
        self.real_tokens = 0
        self.padded_tokens = 0

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.collator(features)
        mask = batch.get("attention_mask")
        ids = batch["input_ids"]
        self.padded_tokens += int(ids.numel())
        self.real_tokens += int(mask.sum()) if mask is not None else int(ids.numel())
        return batch


def loss_logger():
    """A TrainerCallback that records ``(step, loss)`` at every logging step."""
    from transformers import TrainerCallback

    class LossLogger(TrainerCallback):
        def __init__(self) -> None:
            self.losses: list[tuple[int, float]] = []

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.losses.append((state.global_step, float(logs["loss"])))

    return LossLogger()


@dataclass
class Stopwatch:
    """Wall-clock timer for throughput numbers."""

    start: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def set_seed(seed: int) -> None:
    from transformers import set_seed as hf_set_seed

    hf_set_seed(seed)


def quiet_trainer(trainer):
    """Drop the callbacks that print logs / progress bars to stdout (xlt reports itself)."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    for cb in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(cb)
    return trainer


def usable_length(model, tokenizer, max_length: int) -> int:
    """``max_length`` capped by the tokenizer's ``model_max_length`` and the model's positions."""
    limit = max_length
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and 0 < tok_max < 1_000_000:
        limit = min(limit, tok_max)
    config = getattr(model, "config", None)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        offset = (config.pad_token_id or 0) + 1 if getattr(config, "model_type", "") in _OFFSET_MODELS else 0
        limit = min(limit, positions - offset)
    return limit


#: models whose position ids start after the padding index
_OFFSET_MODELS = ("roberta", "xlm-roberta", "camembert", "xlm-roberta-xl", "longformer")


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def time_limit_callback(seconds: float):
    """A TrainerCallback that stops training once ``seconds`` of wall time have passed."""
    from transformers import TrainerCallback

    class TimeLimit(TrainerCallback):
        def __init__(self) -> None:
            self.start = time.perf_counter()
            self.stopped_early = False

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            if time.perf_counter() - self.start > seconds:
                control.should_training_stop = True
                self.stopped_early = state.global_step < state.max_steps

    return TimeLimit()
