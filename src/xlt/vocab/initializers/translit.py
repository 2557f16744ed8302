"""Transliteration-based initializer (TransMI, Liu et al. 2024)."""

from __future__ import annotations

from xlt.vocab.configs import TransliterationConfig
from xlt.vocab.initializers.base import PlanInitializer, TransferData, copy_overlap, initializers, new_plan
from xlt.vocab.plan import TransferPlan
from xlt.vocab.tokenizer import canonical_forms


@initializers.register(
    "transliteration",
    config=TransliterationConfig,
    reference="Liu et al. 2024, TransMI: A Framework to Create Strong Baselines for Transliterated Data",
)
class TransliterationInit(PlanInitializer):
    """Shared tokens copied; a romanised token = mean of the source tokens that romanise to it."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        from xlt.vocab.transliterate import transliterated_forms

        c = self.config
        plan = new_plan(source_tokenizer, target_tokenizer, seed=c.seed, fill="mean")
        copy_overlap(plan, source_tokenizer, target_tokenizer)
        romanised = transliterated_forms(source_tokenizer, c.scheme)
        for t, form in canonical_forms(target_tokenizer).items():
            ids = romanised.get(form)
            if ids and not plan.is_set(t):
                plan.set_mix(t, ids, [1.0 / len(ids)] * len(ids), "transliterated")
        plan.noise_mean_rows(c.noise)
        return plan
