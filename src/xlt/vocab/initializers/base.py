"""The embedding-initializer protocol, its data container and shared plan helpers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import torch

from xlt.registry import stage_registry
from xlt.vocab.plan import MEAN, RANDOM, TransferPlan
from xlt.vocab.tokenizer import ROLES, canonical_forms

#: the registry of embedding initializers (``xlt methods initializers``)
initializers = stage_registry("initializers")


@dataclass(frozen=True)
class TransferData:
    """Text an initializer may learn from (each method uses what it needs).

    ``dictionary`` holds ``(source_word, target_word)`` pairs; ``parallel`` holds
    ``(source_sentence, target_sentence)`` raw-text pairs.
    """

    source_texts: Sequence[str] = ()
    target_texts: Sequence[str] = ()
    parallel: Sequence[tuple[str, str]] = ()
    dictionary: Sequence[tuple[str, str]] = ()


@runtime_checkable
class EmbeddingInitializer(Protocol):
    """Builds the input-embedding matrix for a new (target) vocabulary."""

    def initialize(
        self, source_model, source_tokenizer, target_tokenizer, data: TransferData | None = None
    ) -> torch.Tensor:
        """A (|V_target|, d) tensor (d = the source model's hidden size)."""
        ...


def special_token_pairs(source_tokenizer, target_tokenizer) -> dict[int, int]:
    """``{target_id: source_id}`` for special tokens: by role (bos, eos, unk, sep, pad,
    cls, mask), then by identical special-token strings."""
    out: dict[int, int] = {}
    for role in ROLES:
        t = getattr(target_tokenizer, f"{role}_token_id", None)
        s = getattr(source_tokenizer, f"{role}_token_id", None)
        if t is not None and s is not None and t not in out:
            out[int(t)] = int(s)
    svocab = source_tokenizer.get_vocab()
    tvocab = target_tokenizer.get_vocab()
    for tok in target_tokenizer.all_special_tokens:
        if tok in svocab and tok in tvocab and tvocab[tok] not in out:
            out[tvocab[tok]] = svocab[tok]
    return out


def overlap(source_tokenizer, target_tokenizer) -> dict[int, int]:
    """``{target_id: source_id}`` for non-special tokens with the same canonical form
    (same text and same word-initial / word-internal position)."""
    by_form = {form: i for i, form in canonical_forms(source_tokenizer).items()}
    return {t: by_form[form] for t, form in canonical_forms(target_tokenizer).items() if form in by_form}


def copy_overlap(plan: TransferPlan, source_tokenizer, target_tokenizer) -> dict[int, int]:
    """Copy the source row of every overlapping token (see :func:`overlap`) not yet set in
    ``plan``; returns the ``{target_id: source_id}`` pairs copied."""
    copied = {t: s for t, s in overlap(source_tokenizer, target_tokenizer).items() if not plan.is_set(t)}
    for t, s in copied.items():
        plan.set_copy(t, s)
    return copied


def new_plan(source_tokenizer, target_tokenizer, *, seed: int, fill: str = "random") -> TransferPlan:
    """A plan sized for the two vocabularies, special tokens already copied, other rows
    defaulting to ``fill`` (``random`` or ``mean``)."""
    kind = RANDOM if fill == "random" else MEAN
    plan = TransferPlan.empty(len(target_tokenizer), len(source_tokenizer), seed=seed, kind=kind, label=fill)
    specials = special_token_pairs(source_tokenizer, target_tokenizer)
    for t, s in sorted(specials.items()):
        if t < plan.target_size and s < plan.source_size:
            plan.set_copy(t, s, "special")
    svocab = source_tokenizer.get_vocab()
    plan.exclude_from_stats = sorted({svocab[t] for t in source_tokenizer.all_special_tokens if t in svocab})
    return plan


class PlanInitializer:
    """Base of the built-in initializers: subclasses implement :meth:`plan`."""

    config: object

    def __init__(self, config: object) -> None:
        self.config = config

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        raise NotImplementedError

    def initialize(
        self, source_model, source_tokenizer, target_tokenizer, data: TransferData | None = None
    ) -> torch.Tensor:
        weight = source_model.get_input_embeddings().weight
        plan = self.plan(source_tokenizer, target_tokenizer, data)
        if plan.source_size != weight.shape[0]:
            plan.source_size = weight.shape[0]
        return plan.apply(weight)
