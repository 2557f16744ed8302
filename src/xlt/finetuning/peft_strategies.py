"""Parameter-efficient transfer with ``peft``: LoRA task adapters and stacked language adapters.

Language adapters follow MAD-X (Pfeiffer et al. 2020, "MAD-X: An Adapter-Based
Framework for Multi-Task Cross-Lingual Transfer") with LoRA modules (Hu et al.
2022) in place of bottleneck adapters: one adapter per language is trained with
MLM on that language's text (:func:`xlt.finetuning.pretrain.pretrain` with
``lora`` set); the task adapter is trained on the source language with the
source language adapter active and frozen, and at inference the target language
adapter is stacked under the task adapter instead.
"""

from __future__ import annotations

from xlt.finetuning.config import LoraSettings


def lora_config(settings: LoraSettings, *, task_type: str | None):
    from peft import LoraConfig

    return LoraConfig(
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=settings.target_modules,
        task_type=task_type,
    )


def wrap_lora(model, settings: LoraSettings, *, task_type: str | None):
    """Wrap ``model`` in a trainable LoRA adapter (only LoRA weights and, for
    classification task types, the classifier head are trained)."""
    from peft import get_peft_model

    return get_peft_model(model, lora_config(settings, task_type=task_type))
