"""Embedding initializers for a new vocabulary (``xlt methods initializers``)."""

from xlt.vocab.initializers import baselines, focus, translit, transtokenize, wechsel  # noqa: F401
from xlt.vocab.initializers.base import (
    EmbeddingInitializer,
    PlanInitializer,
    TransferData,
    initializers,
    overlap,
    special_token_pairs,
)

__all__ = [
    "EmbeddingInitializer",
    "PlanInitializer",
    "TransferData",
    "initializers",
    "overlap",
    "special_token_pairs",
]
