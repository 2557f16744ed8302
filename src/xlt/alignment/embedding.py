"""Similarity-based word alignment from contextual embeddings (SimAlign:
Jalili Sabet et al. 2020, "SimAlign: High Quality Word Alignments without
Parallel Training Data using Static and Contextualized Embeddings").

Words are embedded with any Hugging Face encoder (hub id or local path) at a
chosen hidden layer; a word's vector is the mean of its subword vectors.
Sentences are encoded in length-sorted batches; a sentence longer than the
model's window is encoded in consecutive windows of whole words (a single
word longer than a window keeps its first subwords), so nothing is cut off.

Matching methods: ``argmax`` (links that are the best in both directions;
``symmetrize`` may combine the row/column argmax differently), ``itermax``
(repeats argmax for still-unaligned words) and ``match`` (maximum-weight
bipartite matching).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from xlt.alignment.base import SymmetrizeMethod, aligners
from xlt.alignment.symmetrize import symmetrize
from xlt.config import MethodConfig
from xlt.errors import ConfigError, MissingDependencyError
from xlt.types import Alignment, Link, SentencePair

log = logging.getLogger(__name__)


class EmbeddingAlignerConfig(MethodConfig):
    method: Literal["embedding"] = "embedding"
    model: str = Field("xlm-roberta-base", description="Hugging Face hub id or local path of an encoder.")
    revision: str | None = Field(None, description="Model revision (hub ids only).")
    layer: int = Field(8, description="Hidden layer to use (0 = embeddings; negative counts from the top).")
    matching: Literal["argmax", "itermax", "match"] = Field("itermax", description="Link extraction method.")
    symmetrize: SymmetrizeMethod = Field(
        "intersection", description="argmax only: how row-wise and column-wise argmax links are combined."
    )
    itermax_rounds: int = Field(2, ge=1, description="itermax: number of argmax rounds.")
    itermax_alpha: float = Field(0.9, gt=0, le=1, description="itermax: weight for words already aligned.")
    min_similarity: float = Field(-1.0, description="Drop links whose cosine similarity is below this.")
    batch_size: int = Field(16, ge=1, description="Sentences per forward pass.")
    max_length: int | None = Field(
        None, ge=8, description="Subwords per window (default: the model's limit)."
    )
    device: str = Field("cpu", description="torch device, e.g. cpu or cuda.")
    trust_remote_code: bool = Field(False, description="Allow custom model code from the hub.")


class _Encoder:
    """Word vectors from one hidden layer of an encoder, batched and windowed."""

    def __init__(self, cfg: EmbeddingAlignerConfig) -> None:
        try:
            import torch
            from transformers import AutoModel
        except ImportError:
            raise MissingDependencyError("transformers", purpose="the embedding aligner") from None
        from xlt.hub import load_model, load_tokenizer

        kwargs: dict[str, Any] = {"revision": cfg.revision, "trust_remote_code": cfg.trust_remote_code}
        self.tokenizer = load_tokenizer(cfg.model, **kwargs)
        if not getattr(self.tokenizer, "is_fast", False):
            raise ConfigError(f"model {cfg.model!r}: a fast tokenizer (with word_ids) is required")
        self.model = load_model(AutoModel, cfg.model, **kwargs).to(cfg.device).eval()
        self.torch = torch
        self.cfg = cfg
        limit = cfg.max_length or getattr(self.model.config, "max_position_embeddings", 512) - 2
        limit = min(limit, self.tokenizer.model_max_length or limit)
        self.window = max(8, int(limit) - 2)  # room for special tokens
        n_layers = getattr(self.model.config, "num_hidden_layers", None)
        if n_layers is not None and not -(n_layers + 1) <= cfg.layer <= n_layers:
            raise ConfigError(f"layer {cfg.layer} out of range for a model with {n_layers} layers")

    def _windows(self, words: Sequence[str]) -> list[tuple[int, list[list[int]]]]:
        """Split a sentence into windows of whole words: (first word index, per-word subword ids)."""
        pieces = self.tokenizer(list(words), add_special_tokens=False)["input_ids"]
        windows: list[tuple[int, list[list[int]]]] = []
        start, current, used = 0, [], 0
        for k, ids in enumerate(pieces):
            ids = list(ids)[: self.window] or [self.tokenizer.unk_token_id or 0]
            if current and used + len(ids) > self.window:
                windows.append((start, current))
                start, current, used = k, [], 0
            current.append(ids)
            used += len(ids)
        if current or not windows:
            windows.append((start, current))
        return windows

    def encode(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """One ``(n_words, dim)`` array of L2-normalised word vectors per sentence."""
        torch = self.torch
        segments = []  # (sentence index, first word, per-word ids)
        for s, words in enumerate(sentences):
            if words:
                segments.extend((s, start, ids) for start, ids in self._windows(words))
        order = sorted(range(len(segments)), key=lambda k: -sum(len(x) for x in segments[k][2]))
        out = [np.zeros((len(w), 1), dtype=np.float32) for w in sentences]
        filled: dict[int, np.ndarray] = {}
        cls_id = (
            self.tokenizer.cls_token_id
            if self.tokenizer.cls_token_id is not None
            else self.tokenizer.bos_token_id
        )
        sep_id = (
            self.tokenizer.sep_token_id
            if self.tokenizer.sep_token_id is not None
            else self.tokenizer.eos_token_id
        )
        pad_id = self.tokenizer.pad_token_id or 0
        for b in range(0, len(order), self.cfg.batch_size):
            batch = [segments[k] for k in order[b : b + self.cfg.batch_size]]
            rows, owners = [], []
            for _, _, word_ids in batch:
                ids = [i for w in word_ids for i in w]
                owner = [w for w, sub in enumerate(word_ids) for _ in sub]
                if cls_id is not None:
                    ids, owner = [cls_id, *ids], [-1, *owner]
                if sep_id is not None:
                    ids, owner = [*ids, sep_id], [*owner, -1]
                rows.append(ids)
                owners.append(owner)
            width = max(len(r) for r in rows)
            input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.long)
            for r, ids in enumerate(rows):
                input_ids[r, : len(ids)] = torch.tensor(ids)
                mask[r, : len(ids)] = 1
            with torch.inference_mode():
                result = self.model(
                    input_ids=input_ids.to(self.cfg.device),
                    attention_mask=mask.to(self.cfg.device),
                    output_hidden_states=True,
                )
            hidden = result.hidden_states[self.cfg.layer].float().cpu().numpy()
            for r, (s, start, word_ids) in enumerate(batch):
                owner = np.asarray(owners[r])
                vecs = np.zeros((len(word_ids), hidden.shape[-1]), dtype=np.float32)
                for w in range(len(word_ids)):
                    vecs[w] = hidden[r, : len(owner)][owner == w].mean(axis=0)
                arr = filled.setdefault(s, np.zeros((len(sentences[s]), hidden.shape[-1]), dtype=np.float32))
                arr[start : start + len(word_ids)] = vecs
        for s, arr in filled.items():
            norms = np.linalg.norm(arr, axis=1, keepdims=True)
            out[s] = arr / np.maximum(norms, 1e-8)
        return out


def argmax_links(sim: np.ndarray) -> tuple[set[Link], set[Link]]:
    """Row-wise (forward) and column-wise (reverse) argmax links of a similarity matrix."""
    fwd = {(i, int(j)) for i, j in enumerate(sim.argmax(axis=1))}
    rev = {(int(i), j) for j, i in enumerate(sim.argmax(axis=0))}
    return fwd, rev


def itermax_links(sim: np.ndarray, rounds: int = 2, alpha: float = 0.9) -> set[Link]:
    """Mutual argmax, then further rounds over pairs where a word is still unaligned;
    similarities of words aligned earlier are scaled by ``alpha``."""
    fwd, rev = argmax_links(sim)
    links = fwd & rev
    pos = (sim + 1.0) / 2.0  # cosine -> [0, 1], so scaling penalises
    for _ in range(rounds - 1):
        src_done = np.zeros(sim.shape[0], dtype=bool)
        tgt_done = np.zeros(sim.shape[1], dtype=bool)
        for i, j in links:
            src_done[i] = tgt_done[j] = True
        if src_done.all() and tgt_done.all():
            break
        weight = np.where(src_done[:, None], alpha, 1.0) * np.where(tgt_done[None, :], alpha, 1.0)
        masked = pos * weight
        masked[src_done[:, None] & tgt_done[None, :]] = -1.0
        f, r = argmax_links(masked)
        new = {(i, j) for i, j in f & r if not (src_done[i] and tgt_done[j])}
        if not new:
            break
        links |= new
    return links


def match_links(sim: np.ndarray) -> set[Link]:
    """Maximum-weight bipartite matching (Hungarian algorithm)."""
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(-sim)
    return {(int(i), int(j)) for i, j in zip(rows, cols, strict=True)}


@aligners.register(
    "embedding",
    config=EmbeddingAlignerConfig,
    reference="Jalili Sabet et al. 2020, SimAlign: High Quality Word Alignments without Parallel Training Data",
)
class EmbeddingAligner:
    """SimAlign-style alignment from contextual embeddings of any HF encoder (argmax/itermax/match)."""

    def __init__(self, config: EmbeddingAlignerConfig) -> None:
        self.config = config
        self.encoder_: _Encoder | None = None

    def _encoder(self) -> _Encoder:
        if self.encoder_ is None:
            self.encoder_ = _Encoder(self.config)
        return self.encoder_

    def links(self, sim: np.ndarray) -> set[Link]:
        cfg = self.config
        if cfg.matching == "argmax":
            fwd, rev = argmax_links(sim)
            links = symmetrize(fwd, rev, cfg.symmetrize)
        elif cfg.matching == "itermax":
            links = itermax_links(sim, cfg.itermax_rounds, cfg.itermax_alpha)
        else:
            links = match_links(sim)
        return {(i, j) for i, j in links if sim[i, j] >= cfg.min_similarity}

    def align(self, pairs: Sequence[SentencePair], *, extra: Sequence[SentencePair] = ()) -> list[Alignment]:
        # ``extra`` is accepted for the common protocol; this aligner needs no training
        encoder = self._encoder()
        out: list[Alignment] = []
        chunk = max(256, self.config.batch_size * 16)  # bounded memory: vectors of one chunk at a time
        for start in range(0, len(pairs), chunk):
            part = pairs[start : start + chunk]
            src_vecs = encoder.encode([p.src for p in part])
            tgt_vecs = encoder.encode([p.tgt for p in part])
            for p, s, t in zip(part, src_vecs, tgt_vecs, strict=True):
                if not p.src or not p.tgt:
                    out.append(Alignment())
                    continue
                sim = s @ t.T
                links = self.links(sim)
                scores = {link: float(sim[link]) for link in links}
                out.append(Alignment(sure=frozenset(links), scores=scores))
        return out
