"""Config models of fine-tuning: LoRA settings, data specs and the run config."""

from __future__ import annotations

from pydantic import Field

from xlt.config import XltConfig


class LoraSettings(XltConfig):
    """LoRA (Hu et al. 2022, "LoRA: Low-Rank Adaptation of Large Language Models") options."""

    r: int = Field(8, ge=1, description="Rank of the update matrices.")
    alpha: int = Field(16, ge=1, description="Scaling numerator (scale = alpha / r).")
    dropout: float = Field(0.1, ge=0, lt=1, description="Dropout on the LoRA input.")
    target_modules: list[str] | None = Field(
        None, description="Module names to adapt; None uses peft's default for the architecture."
    )
