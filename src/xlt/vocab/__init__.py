"""Vocabulary adaptation: target tokenizers, embedding initializers, transliteration,
and building a loadable model with the new vocabulary.

The initializer registry is ``xlt.vocab.initializers.initializers``.
"""

from xlt.vocab.initializers.base import EmbeddingInitializer, TransferData

__all__ = ["EmbeddingInitializer", "TransferData"]
