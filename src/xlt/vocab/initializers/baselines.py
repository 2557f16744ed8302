"""Baseline initializers: random, mean and copy-overlap."""

from __future__ import annotations

from xlt.vocab.configs import CopyOverlapConfig, MeanConfig, RandomConfig
from xlt.vocab.initializers.base import PlanInitializer, TransferData, copy_overlap, initializers, new_plan
from xlt.vocab.plan import TransferPlan


@initializers.register("random", config=RandomConfig, reference="baseline (e.g. de Vries & Nissim 2021)")
class RandomInit(PlanInitializer):
    """Every non-special row drawn from N(0, σ²), σ = the source embeddings' std."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        return new_plan(source_tokenizer, target_tokenizer, seed=self.config.seed, fill="random")


@initializers.register(
    "mean", config=MeanConfig, reference="baseline (e.g. Hewitt 2021, Initializing new word embeddings)"
)
class MeanInit(PlanInitializer):
    """Every non-special row = the mean source embedding plus small Gaussian noise."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        plan = new_plan(source_tokenizer, target_tokenizer, seed=self.config.seed, fill="mean")
        plan.noise_mean_rows(self.config.noise)
        return plan


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
