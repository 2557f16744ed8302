"""Baseline initializers: random, mean and copy-overlap."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from xlt.config import MethodConfig
from xlt.vocab.initializers.base import PlanInitializer, TransferData, copy_overlap, initializers, new_plan
from xlt.vocab.plan import TransferPlan


class RandomConfig(MethodConfig):
    method: Literal["random"] = "random"
    seed: int = Field(0, description="Random seed.")


@initializers.register("random", config=RandomConfig, reference="baseline (e.g. de Vries & Nissim 2021)")
class RandomInit(PlanInitializer):
    """Every non-special row drawn from N(0, σ²), σ = the source embeddings' std."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        return new_plan(source_tokenizer, target_tokenizer, seed=self.config.seed, fill="random")


class MeanConfig(MethodConfig):
    method: Literal["mean"] = "mean"
    noise: float = Field(
        0.1, ge=0, description="Gaussian noise std as a fraction of the source embeddings' std."
    )
    seed: int = Field(0, description="Random seed for the noise.")


@initializers.register(
    "mean", config=MeanConfig, reference="baseline (e.g. Hewitt 2021, Initializing new word embeddings)"
)
class MeanInit(PlanInitializer):
    """Every non-special row = the mean source embedding plus small Gaussian noise."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        plan = new_plan(source_tokenizer, target_tokenizer, seed=self.config.seed, fill="mean")
        plan.noise_mean_rows(self.config.noise)
        return plan


class CopyOverlapConfig(MethodConfig):
    method: Literal["copy_overlap"] = "copy_overlap"
    fallback: Literal["random", "mean"] = Field(
        "mean", description="How tokens not in the source vocabulary start."
    )
    noise: float = Field(
        0.1, ge=0, description="Noise (fraction of source std) added to fallback `mean` rows."
    )
    seed: int = Field(0, description="Random seed.")


@initializers.register(
    "copy_overlap", config=CopyOverlapConfig, reference="e.g. Gee et al. 2022; de Vries & Nissim 2021"
)
class CopyOverlapInit(PlanInitializer):
    """Tokens shared with the source vocabulary copy their embedding; the rest use a fallback."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        plan = new_plan(source_tokenizer, target_tokenizer, seed=self.config.seed, fill=self.config.fallback)
        copy_overlap(plan, source_tokenizer, target_tokenizer)
        if self.config.fallback == "mean":
            plan.noise_mean_rows(self.config.noise)
        return plan
