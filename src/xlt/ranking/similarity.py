"""Model-based language similarity (mPLM-Sim, Lin et al. 2024, *mPLM-Sim: Better Cross-Lingual
Similarity and Transfer in Multilingual Pretrained Language Models*).

The similarity of two languages is the mean cosine similarity between the mean-pooled hidden
states (one layer of any Hugging Face encoder) of *parallel* sentences: the sentence with id i in
one language is compared with the sentence with id i in the other. SIB-200 (Flores-200 sentences
with an ``index_id``) or Bible verses make good parallel text.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from xlt.errors import DataFormatError, DataNotFoundError, MismatchError
from xlt.types import Lang

Texts = Mapping[str, str] | Sequence[str]


class ModelSimilarity:
    """Mean cosine similarity of parallel-sentence embeddings from a Hugging Face encoder.

    ``model`` is a hub id or a local directory (``trust_remote_code`` only if asked). Parallel text
    comes from ``parallel`` (language → sentences, index-aligned, or → {sentence id: text}) and/or
    ``directory`` (SIB-200 layout ``DIR/<code>_<Script>/{train,dev,test}.tsv`` with ``index_id``
    and ``text`` columns, read when a language is first needed). ``layer`` picks the hidden layer
    (mPLM-Sim finds middle layers best; default: the middle one). At most ``max_sentences``
    sentences per language are embedded (the first by sorted id). Embedding uses
    :class:`xlt.evaluation.mexa.LayerEmbedder` (``device`` None = CUDA when available).
    """

    def __init__(
        self,
        model: str | Path,
        parallel: Mapping[Lang, Texts] | None = None,
        *,
        directory: str | Path | None = None,
        layer: int | None = None,
        max_sentences: int = 200,
        batch_size: int = 16,
        max_length: int = 128,
        device: str | None = None,
        trust_remote_code: bool = False,
    ) -> None:
        parallel = dict(parallel or {})
        lengths = {len(v) for v in parallel.values() if not isinstance(v, Mapping)}
        if len(lengths) > 1:
            counts = ", ".join(f"{lang}: {len(v)}" for lang, v in parallel.items())
            raise MismatchError(f"parallel samples must have the same number of sentences ({counts})")
        self.model_name = str(model)
        self.texts: dict[Lang, dict[str, str]] = {
            lang: dict(v) if isinstance(v, Mapping) else {str(i): t for i, t in enumerate(v)}
            for lang, v in parallel.items()
        }
        self.directory = Path(directory) if directory is not None else None
        self.layer = layer
        self.max_sentences = max_sentences
        from xlt.evaluation.mexa import LayerEmbedder  # loads nothing until the first embedding

        self._embedder = LayerEmbedder(
            self.model_name,
            pooling="mean",
            batch_size=batch_size,
            max_length=max_length,
            device=device,
            include_embeddings=True,  # so layer i is hidden_states[i], as in transformers
            trust_remote_code=trust_remote_code,
        )
        self._cache: dict[Lang, tuple[dict[str, int], np.ndarray]] = {}

    def sentences(self, lang: Lang) -> dict[str, str]:
        """Sentence id → text of ``lang`` (empty when no parallel text is known)."""
        if lang not in self.texts:
            found = read_parallel_dir(self.directory, lang) if self.directory is not None else None
            self.texts[lang] = found or {}
        return self.texts[lang]

    def embeddings(self, lang: Lang) -> tuple[dict[str, int], np.ndarray]:
        """(sentence id → row, L2-normalised mean-pooled embeddings of the chosen layer)."""
        if lang in self._cache:
            return self._cache[lang]
        texts = self.sentences(lang)
        ids = sorted(texts, key=lambda x: (len(x), x))[: self.max_sentences]
        layers = self._embedder.embed([texts[i] for i in ids])  # (layers, n, hidden)
        if not ids:
            emb = np.zeros((0, 1), dtype=np.float32)
        else:
            emb = layers[self.layer if self.layer is not None else layers.shape[0] // 2].astype(np.float32)
            emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        self._cache[lang] = ({i: n for n, i in enumerate(ids)}, emb)
        return self._cache[lang]

    def similarity(self, a: Lang, b: Lang) -> float:
        """Mean cosine similarity over the sentence ids both languages have; ``nan`` if none."""
        if not self.sentences(a) or not self.sentences(b):
            return math.nan
        (rows_a, ea), (rows_b, eb) = self.embeddings(a), self.embeddings(b)
        common = [i for i in rows_a if i in rows_b]
        if not common:
            return math.nan
        ia = [rows_a[i] for i in common]
        ib = [rows_b[i] for i in common]
        return float((ea[ia] * eb[ib]).sum(-1).mean())


def read_parallel_dir(directory: str | Path, lang: Lang, *, column: str = "text") -> dict[str, str] | None:
    """``index_id`` → text of one language from a SIB-200-style directory (None if absent)."""
    from xlt.io.files import iter_lines

    root = Path(directory)
    dirs = sorted(d for d in root.glob(f"{lang.code}_*") if d.is_dir())
    if lang.script:
        dirs = [d for d in dirs if d.name.endswith(lang.script)] or dirs
    if not dirs and lang.given and (root / lang.given).is_dir():
        dirs = [root / lang.given]
    if not dirs:
        return None
    rows: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        try:
            lines = [line for _, line in iter_lines(dirs[0] / f"{split}.tsv")]
        except DataNotFoundError:
            continue
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        for n, row in enumerate(reader, start=2):
            if row.get("index_id") is None or row.get(column) is None:
                raise DataFormatError(dirs[0] / f"{split}.tsv", n, f"expected columns index_id and {column}")
            rows[row["index_id"]] = row[column]
    return rows
