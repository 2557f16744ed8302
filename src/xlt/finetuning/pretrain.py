"""(Continued) pretraining with masked or causal language modelling.

Used three ways: building a small multilingual encoder from scratch on local text
(so transfer can be measured without hub models), language-adaptive continued
pretraining (MAFT, Alabi et al. 2022, "Adapting Pre-trained Language Models to
African Languages via Multilingual Adaptive Fine-Tuning"), and training LoRA
language adapters (MAD-X-style, Pfeiffer et al. 2020) when ``lora`` is set.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from xlt.config import XltConfig, atomic_write_text
from xlt.errors import ConfigError
from xlt.finetuning.common import Precision, cuda_available, usable_length
from xlt.finetuning.config import LoraSettings

log = logging.getLogger(__name__)


class CorpusSpec(XltConfig):
    """One text corpus: a file path and (optionally) its format and a cap on texts."""

    path: str = Field(description="File with text (plain, CoNLL, CoNLL-U, TSV or Bible XML; .gz is fine).")
    format: Literal["auto", "text", "conll", "conllu", "tsv", "bible"] = Field(
        "auto", description="Corpus format; `auto` detects it from the name and first lines."
    )
    limit: int | None = Field(None, ge=1, description="Use at most this many texts of the file.")


class PretrainConfig(XltConfig):
    """Options of ``xlt pretrain`` / :func:`pretrain`."""

    model: str | None = Field(
        None, description="Hub id or path to continue pretraining; None builds a new model from scratch."
    )
    tokenizer: str | None = Field(
        None, description="Tokenizer id/path; None uses the model's, or trains one on the corpora."
    )
    corpora: list[CorpusSpec | str] = Field(default_factory=list, description="Text corpora to train on.")
    objective: Literal["mlm", "clm"] = Field("mlm", description="Masked (mlm) or causal (clm) LM.")
    mlm_probability: float = Field(0.15, gt=0, lt=1, description="Share of tokens masked for MLM.")
    # size of a model built from scratch
    vocab_size: int = Field(8000, ge=100, description="Vocabulary size of a tokenizer trained here.")
    hidden_size: int = Field(256, ge=8, description="Hidden size of a model built from scratch.")
    num_layers: int = Field(4, ge=1, description="Layers of a model built from scratch.")
    num_heads: int = Field(4, ge=1, description="Attention heads of a model built from scratch.")
    intermediate_size: int | None = Field(None, description="FFN size (default 4 x hidden_size).")
    # training
    max_length: int = Field(128, ge=8, description="Maximum tokens per text (longer texts are cut).")
    max_steps: int = Field(1000, ge=1, description="Optimisation steps.")
    batch_size: int = Field(32, ge=1, description="Texts per device batch.")
    gradient_accumulation_steps: int = Field(1, ge=1, description="Batches accumulated per step.")
    learning_rate: float = Field(5e-4, gt=0, description="Peak learning rate (linear decay).")
    warmup_ratio: float = Field(0.05, ge=0, lt=1, description="Share of steps for linear warm-up.")
    weight_decay: float = Field(0.01, ge=0, description="AdamW weight decay.")
    precision: Precision = Field("auto", description="auto: bf16/fp16 on GPU, fp32 on CPU.")
    group_by_length: bool = Field(True, description="Batch texts of similar length together.")
    max_seconds: float | None = Field(
        None, gt=0, description="Stop after this much training time (bounded CPU runs); None: no limit."
    )
    logging_steps: int = Field(50, ge=1, description="Record the training loss every N steps.")
    save_steps: int | None = Field(None, ge=1, description="Also write Trainer checkpoints every N steps.")
    lora: LoraSettings | None = Field(
        None, description="Train only a LoRA adapter (a language adapter) instead of all weights."
    )
    trust_remote_code: bool = Field(False, description="Allow custom model code from the hub.")
    seed: int = Field(0, description="Seed for initialisation, masking and data order.")
    output_dir: str = Field("xlt-pretrain", description="Where the model/adapter and tokenizer are saved.")


@dataclass
class PretrainResult:
    """What a pretraining run produced."""

    output_dir: Path
    steps: int
    losses: list[tuple[int, float]]
    tokens_per_s: float
    train_tokens: int
    seconds: float
    n_texts: int
    adapter: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def load_corpora(config: PretrainConfig) -> list[str]:
    """Read every corpus of ``config`` (in order) into one list of texts."""
    from xlt.finetuning.corpora import read_texts

    texts: list[str] = []
    for spec in config.corpora:
        spec = CorpusSpec(path=spec) if isinstance(spec, str) else spec
        got = read_texts(spec.path, fmt=spec.format, limit=spec.limit)
        log.info("read %d texts from %s", len(got), spec.path)
        texts.extend(got)
    return texts


def build_tokenizer(config: PretrainConfig, texts: Sequence[str]):
    """The configured tokenizer, or a Unigram tokenizer trained on ``texts``."""
    from xlt.hub import load_tokenizer

    if config.tokenizer or config.model:
        return load_tokenizer(config.tokenizer or config.model, trust_remote_code=config.trust_remote_code)
    from xlt.vocab.tokenizer import train_tokenizer

    if not texts:
        raise ConfigError("cannot train a tokenizer: no texts (give `corpora` or a `tokenizer`)")
    return train_tokenizer(
        texts, kind="unigram", vocab_size=config.vocab_size, model_max_length=config.max_length
    )


def build_model(config: PretrainConfig, tokenizer):
    """Load ``config.model`` for the objective, or build a new XLM-R-style model from scratch."""
    from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, XLMRobertaConfig

    from xlt.hub import load_model

    auto = AutoModelForMaskedLM if config.objective == "mlm" else AutoModelForCausalLM
    if config.model:
        model = load_model(auto, config.model, trust_remote_code=config.trust_remote_code)
        if model.get_input_embeddings().num_embeddings < len(tokenizer):
            model.resize_token_embeddings(len(tokenizer))
        return model
    if config.hidden_size % config.num_heads:
        raise ConfigError(
            f"hidden_size {config.hidden_size} is not divisible by num_heads {config.num_heads}"
        )
    model_config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        intermediate_size=config.intermediate_size or 4 * config.hidden_size,
        max_position_embeddings=config.max_length + 4,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 0,
        eos_token_id=tokenizer.eos_token_id if tokenizer.eos_token_id is not None else 2,
        type_vocab_size=1,
        is_decoder=config.objective == "clm",
    )
    return auto.from_config(model_config)


def _encode(tokenizer, texts: Sequence[str], max_length: int) -> list[dict[str, list[int]]]:
    enc = tokenizer(list(texts), truncation=True, max_length=max_length, return_special_tokens_mask=True)
    keep = ("input_ids", "attention_mask", "special_tokens_mask")
    return [{k: enc[k][i] for k in keep if k in enc} for i in range(len(texts))]


def _collator(config: PretrainConfig, tokenizer):
    from transformers import DataCollatorForLanguageModeling

    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if config.objective == "mlm" and tokenizer.mask_token is None:
        raise ConfigError("MLM needs a tokenizer with a mask token; use objective=clm or another tokenizer")
    return DataCollatorForLanguageModeling(
        tokenizer,
        mlm=config.objective == "mlm",
        mlm_probability=config.mlm_probability,
        pad_to_multiple_of=8 if cuda_available() else None,
    )


def pretrain(
    config: PretrainConfig, texts: Sequence[str] | None = None, *, model=None, tokenizer=None
) -> PretrainResult:
    """Pretrain (or continue pretraining) and save with ``save_pretrained`` (safetensors).

    ``texts`` are used in addition to ``config.corpora``. A given ``model`` /
    ``tokenizer`` replace the configured ones. With ``config.lora`` only a LoRA
    adapter is trained and saved (a language adapter for :mod:`xlt.finetuning.peft_strategies`).
    """
    from transformers import Trainer

    from xlt.finetuning.common import (
        CountingCollator,
        Stopwatch,
        loss_logger,
        quiet_trainer,
        set_seed,
        time_limit_callback,
        training_arguments,
    )

    set_seed(config.seed)
    all_texts = [t for t in [*load_corpora(config), *(texts or ())] if t and t.strip()]
    if not all_texts:
        raise ConfigError("no training texts: give `corpora` in the config or pass texts")
    tokenizer = tokenizer if tokenizer is not None else build_tokenizer(config, all_texts)
    model = model if model is not None else build_model(config, tokenizer)
    if config.lora is not None:
        from xlt.finetuning.peft_strategies import wrap_lora

        model = wrap_lora(model, config.lora, task_type=None)
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    dataset = _encode(tokenizer, all_texts, config.max_length)
    collator = CountingCollator(_collator(config, tokenizer))
    args = training_arguments(
        out / "trainer",
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        seed=config.seed,
        max_steps=config.max_steps,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        warmup_ratio=config.warmup_ratio,
        weight_decay=config.weight_decay,
        precision=config.precision,
        group_by_length=config.group_by_length,
        logging_steps=config.logging_steps,
        save_steps=config.save_steps,
    )
    losses = loss_logger()
    callbacks = [losses]
    limit = time_limit_callback(config.max_seconds) if config.max_seconds else None
    if limit is not None:
        callbacks.append(limit)
    trainer = quiet_trainer(
        Trainer(model=model, args=args, train_dataset=dataset, data_collator=collator, callbacks=callbacks)
    )
    clock = Stopwatch()
    trainer.train()
    seconds = clock.elapsed()
    model = trainer.model
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    result = PretrainResult(
        output_dir=out,
        steps=trainer.state.global_step,
        losses=losses.losses,
        tokens_per_s=collator.real_tokens / seconds if seconds > 0 else math.nan,
        train_tokens=collator.real_tokens,
        seconds=seconds,
        n_texts=len(all_texts),
        adapter=config.lora is not None,
        extra={"stopped_by_time_limit": bool(limit and limit.stopped_early)},
    )
    summary = {
        "config": config.to_dict(),
        "steps": result.steps,
        "losses": result.losses,
        "tokens_per_s": result.tokens_per_s,
        "train_tokens": result.train_tokens,
        "seconds": result.seconds,
        "n_texts": result.n_texts,
        **result.extra,
    }
    atomic_write_text(out / "xlt_pretrain.json", json.dumps(summary, indent=2))
    return result


def _batches(n: int, size: int):
    for i in range(0, n, size):
        yield i, min(n, i + size)


def _mean_token_loss(
    model, texts: Sequence[str], batch_size: int, batch_loss: Callable[[list[str]], tuple[float, int]]
) -> float:
    """Summed token loss / token count over the non-blank ``texts``, batch by batch, in eval mode
    without gradients (the model's training flag is restored); ``nan`` when no token counts."""
    import torch

    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    texts = [t for t in texts if t and t.strip()]
    with torch.no_grad():
        for lo, hi in _batches(len(texts), batch_size):
            loss, n = batch_loss(texts[lo:hi])
            total += loss
            count += n
    model.train(was_training)
    return total / count if count else math.nan


def mlm_loss(
    model, tokenizer, texts: Sequence[str], *, max_length: int = 128, batch_size: int = 16, seed: int = 0
) -> float:
    """Mean masked-token cross-entropy with deterministic masking.

    15% of the non-special tokens of each text (at least one) are chosen with a
    generator seeded by ``seed`` and all replaced by the mask token, so two models
    are compared on exactly the same masked positions.
    """
    import torch

    if tokenizer.mask_token_id is None:
        raise ConfigError("mlm_loss needs a tokenizer with a mask token")
    max_length = usable_length(model, tokenizer, max_length)
    gen = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device

    def batch_loss(batch: list[str]) -> tuple[float, int]:
        enc = tokenizer(
            batch,
            truncation=True,
            max_length=max_length,
            padding=True,
            return_tensors="pt",
            return_special_tokens_mask=True,
        )
        ids = enc["input_ids"]
        candidates = (enc["attention_mask"] == 1) & (enc["special_tokens_mask"] == 0)
        probs = torch.rand(ids.shape, generator=gen)
        chosen = candidates & (probs < 0.15)
        for row in range(ids.shape[0]):  # at least one masked token per text
            if candidates[row].any() and not chosen[row].any():
                idx = torch.nonzero(candidates[row]).flatten()
                pick = idx[torch.randint(len(idx), (1,), generator=gen)]
                chosen[row, pick] = True
        labels = torch.where(chosen, ids, torch.full_like(ids, -100))
        inputs = ids.masked_fill(chosen, tokenizer.mask_token_id)
        logits = model(input_ids=inputs.to(device), attention_mask=enc["attention_mask"].to(device)).logits
        loss = torch.nn.functional.cross_entropy(
            logits.float().reshape(-1, logits.shape[-1]), labels.to(device).reshape(-1), reduction="sum"
        )
        return float(loss), int(chosen.sum())

    return _mean_token_loss(model, texts, batch_size, batch_loss)


def clm_loss(model, tokenizer, texts: Sequence[str], *, max_length: int = 128, batch_size: int = 16) -> float:
    """Mean next-token cross-entropy over the non-padding tokens of ``texts``."""
    import torch

    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    max_length = usable_length(model, tokenizer, max_length)
    device = next(model.parameters()).device

    def batch_loss(batch: list[str]) -> tuple[float, int]:
        enc = tokenizer(batch, truncation=True, max_length=max_length, padding=True, return_tensors="pt")
        ids, mask = enc["input_ids"], enc["attention_mask"]
        logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits.float()
        shift_logits = logits[:, :-1].reshape(-1, logits.shape[-1])
        target = ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100).to(device).reshape(-1)
        loss = torch.nn.functional.cross_entropy(shift_logits, target, reduction="sum")
        return float(loss), int((target != -100).sum())

    return _mean_token_loss(model, texts, batch_size, batch_loss)


def train_language_adapter(
    model: str,
    texts,
    output_dir: str,
    *,
    settings: LoraSettings | None = None,
    max_steps: int = 500,
    batch_size: int = 16,
    learning_rate: float = 1e-3,
    max_length: int = 128,
    seed: int = 0,
):
    """Train a LoRA language adapter with MLM on ``texts`` of one language (a convenience
    over :func:`pretrain` with ``lora`` set; MAD-X, Pfeiffer et al. 2020)."""
    cfg = PretrainConfig(
        model=model,
        objective="mlm",
        lora=settings or LoraSettings(),
        max_steps=max_steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_length=max_length,
        seed=seed,
        output_dir=output_dir,
        logging_steps=max(1, min(50, max_steps // 10)),
    )
    return pretrain(cfg, list(texts))
