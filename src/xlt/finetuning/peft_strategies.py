"""Parameter-efficient transfer with ``peft``: LoRA task adapters and stacked language adapters.

Language adapters follow MAD-X (Pfeiffer et al. 2020, "MAD-X: An Adapter-Based
Framework for Multi-Task Cross-Lingual Transfer") with LoRA modules (Hu et al.
2022) in place of bottleneck adapters: one adapter per language is trained with
MLM on that language's text (:func:`xlt.finetuning.pretrain.train_language_adapter`);
the task adapter is trained on the source language with the source language adapter
active and frozen, and at inference the target language adapter is stacked under the
task adapter instead.
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


def _adapter_name(path: str) -> str:
    import hashlib

    return "lang_" + hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:10]


def activate_language_adapter(peft_model, path: str | None, *, task_adapter: str = "task") -> str | None:
    """Stack the LoRA language adapter saved at ``path`` (frozen) under the task adapter.

    ``path=None`` leaves only the task adapter active (no language adapter). The
    adapter is loaded once and reused; returns its adapter name.
    """
    if path is None:
        peft_model.base_model.set_adapter(task_adapter)
        name = None
    else:
        name = _adapter_name(path)
        if name not in peft_model.peft_config:
            peft_model.load_adapter(str(path), adapter_name=name, is_trainable=False)
        peft_model.base_model.set_adapter([name, task_adapter])
    for pname, param in peft_model.named_parameters():
        if ".lang_" in pname:
            param.requires_grad_(False)
    return name
