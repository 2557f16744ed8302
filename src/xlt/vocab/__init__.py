"""Vocabulary adaptation: target tokenizers, embedding initializers, transliteration,
and building a loadable model with the new vocabulary.

The initializer registry is ``xlt.vocab.initializers.initializers``; the initializers' config
models are in ``xlt.vocab.configs``. The names below are imported on first use, so
``import xlt.vocab`` (and the config models) stay cheap: the initializers import torch.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EmbeddingInitializer", "TransferData"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from xlt.vocab.initializers import base

        return getattr(base, name)
    raise AttributeError(f"module 'xlt.vocab' has no attribute {name!r}")
