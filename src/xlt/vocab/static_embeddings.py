"""Static (fastText) embeddings trained locally with gensim.

Used by WECHSEL (word-level spaces of source and target, aligned by a
dictionary) and FOCUS (an auxiliary target space over target-tokenizer tokens).
Training is single-threaded with a fixed seed and a stable string hash, so a
given corpus and seed always give the same vectors.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence

import numpy as np

from xlt.errors import MissingDependencyError, XltError

_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


def words(text: str, *, lowercase: bool = True) -> list[str]:
    """Words and punctuation of ``text`` (Unicode-aware; lowercased by default)."""
    return _WORD_RE.findall(text.lower() if lowercase else text)


def stable_hash(text: str) -> int:
    """A process-independent string hash (gensim's default, ``hash``, is salted per process)."""
    return zlib.crc32(text.encode("utf-8"))


def train_fasttext(
    sentences: Iterable[Sequence[str]],
    *,
    dim: int = 100,
    epochs: int = 5,
    min_count: int = 1,
    window: int = 5,
    min_n: int = 3,
    max_n: int = 6,
    seed: int = 0,
    workers: int = 1,
):
    """Train fastText skip-gram vectors on tokenised sentences; returns gensim KeyedVectors."""
    try:
        from gensim.models import FastText
    except ImportError:
        raise MissingDependencyError("gensim", purpose="static embeddings (WECHSEL, FOCUS)") from None
    data = [list(s) for s in sentences if s]
    if not data:
        raise XltError("no text to train static embeddings on")
    model = FastText(
        vector_size=dim,
        window=window,
        min_count=min_count,
        min_n=min_n,
        max_n=max_n,
        sg=1,
        seed=seed,
        workers=workers,
        hashfxn=stable_hash,
        bucket=200_000,
    )
    model.build_vocab(corpus_iterable=data)
    if len(model.wv) == 0:
        raise XltError(f"no word occurs at least min_count={min_count} times in the static-embedding corpus")
    model.train(corpus_iterable=data, total_examples=len(data), epochs=epochs)
    return model.wv


def vectors_for(wv, items: Sequence[str]) -> np.ndarray:
    """fastText vectors (subword n-grams for unseen items), one row per item, float32."""
    dim = wv.vector_size
    out = np.zeros((len(items), dim), dtype=np.float32)
    for i, item in enumerate(items):
        if item:
            out[i] = wv.get_vector(item)
    return out


def unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1.0, norms)
