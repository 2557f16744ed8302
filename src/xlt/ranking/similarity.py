"""Model-based language similarity (mPLM-Sim, Lin et al. 2024, *mPLM-Sim: Better Cross-Lingual
Similarity and Transfer in Multilingual Pretrained Language Models*).

The similarity of two languages is the mean cosine similarity between the mean-pooled hidden
states (one layer of any Hugging Face encoder) of *parallel* sentences: sentence i of one
language is compared with sentence i of the other. SIB-200 (Flores-200 sentences aligned by
``index_id``) or Bible verses make good parallel text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from xlt.errors import MismatchError
from xlt.types import Lang


class ModelSimilarity:
    """Mean cosine similarity of parallel-sentence embeddings from a Hugging Face encoder.

    ``model`` is a hub id or a local directory (loaded with ``trust_remote_code`` only if asked);
    ``parallel`` maps each language to its sentences, index-aligned across languages.
    ``layer`` picks the hidden layer (mPLM-Sim finds middle layers best; default: the middle one).
    """

    def __init__(
        self,
        model: str | Path,
        parallel: Mapping[Lang, Sequence[str]],
        *,
        layer: int | None = None,
        batch_size: int = 16,
        max_length: int = 128,
        device: str = "cpu",
        trust_remote_code: bool = False,
    ) -> None:
        lengths = {len(v) for v in parallel.values()}
        if len(lengths) > 1:
            counts = ", ".join(f"{lang}: {len(v)}" for lang, v in parallel.items())
            raise MismatchError(f"parallel samples must have the same number of sentences ({counts})")
        self.model_name = str(model)
        self.parallel = dict(parallel)
        self.layer = layer
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.trust_remote_code = trust_remote_code
        self._model: Any = None
        self._tokenizer: Any = None
        self._cache: dict[Lang, Any] = {}

    def _load(self) -> None:
        from transformers import AutoModel, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(
            self.model_name, trust_remote_code=self.trust_remote_code
        )
        self._model = AutoModel.from_pretrained(self.model_name, trust_remote_code=self.trust_remote_code)
        self._model.to(self.device).eval()

    def embeddings(self, lang: Lang) -> Any:
        """L2-normalised sentence embeddings (n_sentences × hidden) of one language."""
        import torch

        if lang in self._cache:
            return self._cache[lang]
        if lang not in self.parallel:
            raise KeyError(lang)
        if self._model is None:
            self._load()
        texts = list(self.parallel[lang])
        chunks = []
        with torch.no_grad():
            for start in range(0, len(texts), self.batch_size):
                batch = self._tokenizer(
                    texts[start : start + self.batch_size],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(self.device)
                out = self._model(**batch, output_hidden_states=True)
                hidden = out.hidden_states
                layer = self.layer if self.layer is not None else len(hidden) // 2
                states = hidden[layer]
                mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
                chunks.append(torch.nn.functional.normalize(pooled.float(), dim=-1).cpu())
        emb = torch.cat(chunks) if chunks else torch.zeros(0, 1)
        self._cache[lang] = emb
        return emb

    def similarity(self, a: Lang, b: Lang) -> float:
        """Mean cosine similarity of aligned sentences; ``nan`` when a language has no text."""
        if a not in self.parallel or b not in self.parallel or not self.parallel[a]:
            return math.nan
        ea, eb = self.embeddings(a), self.embeddings(b)
        return float((ea * eb).sum(-1).mean())


def load_parallel_tsv(
    directory: str | Path, langs: Sequence[Lang], *, column: str = "text"
) -> dict[Lang, list[str]]:
    """Parallel sentences from SIB-200-style ``DIR/<code>_<Script>/{train,dev,test}.tsv`` files,
    aligned by ``index_id`` (only ids present in every language are kept, in sorted order)."""
    import csv

    from xlt.errors import DataFormatError, DataNotFoundError
    from xlt.io.files import iter_lines

    root = Path(directory)
    by_lang: dict[Lang, dict[str, str]] = {}
    for lang in langs:
        dirs = sorted(d for d in root.glob(f"{lang.code}_*") if d.is_dir())
        if lang.script:
            dirs = [d for d in dirs if d.name.endswith(lang.script)] or dirs
        if not dirs:
            raise DataNotFoundError(f"{root}: no directory {lang.code}_<Script> for {lang}")
        rows: dict[str, str] = {}
        for split in ("train", "dev", "test"):
            path = dirs[0] / f"{split}.tsv"
            try:
                lines = [line for _, line in iter_lines(path)]
            except DataNotFoundError:
                continue
            reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
            for n, row in enumerate(reader, start=2):
                if "index_id" not in row or column not in row:
                    raise DataFormatError(path, n, f"expected columns index_id and {column}")
                rows[row["index_id"]] = row[column]
        by_lang[lang] = rows
    common = set.intersection(*(set(r) for r in by_lang.values())) if by_lang else set()
    order = sorted(common, key=lambda x: (len(x), x))
    return {lang: [rows[i] for i in order] for lang, rows in by_lang.items()}
