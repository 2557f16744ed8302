"""Vocabulary adaptation: target tokenizers, embedding initializers, transliteration,
and building a loadable model with the new vocabulary."""

from xlt.vocab.initializers import EmbeddingInitializer, TransferData, initializers

__all__ = ["EmbeddingInitializer", "TransferData", "initializers"]
