"""Similarity-based word alignment from contextual embeddings (SimAlign:
Jalili Sabet et al. 2020, "SimAlign: High Quality Word Alignments without
Parallel Training Data using Static and Contextualized Embeddings"; the
``softmax`` extraction follows awesome-align: Dou & Neubig 2021, "Word
Alignment by Fine-tuning Embeddings on Parallel Corpora").

Words are embedded with any Hugging Face encoder (hub id or local path) at one
hidden layer or the mean of several. Sentences are encoded in length-sorted
batches (sentence-length bucketing, capped by ``max_batch_tokens``); a sentence
longer than the model's window is encoded in consecutive windows of whole words
(a single word longer than a window keeps its first subwords), so nothing is
cut off. Layers above the highest one used are dropped from the model before
encoding (their output is never read).

Each sentence's subword vectors can be centred (the sentence's mean vector is
subtracted, which removes a shared language/sentence component from the cosine
similarities), then pooled: ``subword`` keeps subwords and links two words when
any of their subwords are linked (as SimAlign does), ``mean`` / ``first``
average or take the first subword of each word.

Extraction methods: ``argmax`` (links that are the best in both directions;
``symmetrize`` may combine the row/column argmax differently), ``itermax``
(repeats argmax for still-unaligned words), ``match`` (maximum-weight bipartite
matching) and ``softmax`` (softmax over each direction, keep links above
``softmax_threshold`` in both). An optional distortion prior (SimAlign's
distortion correction) subtracts ``distortion * (i/m - j/n)**2``.

Defaults (chosen on dev data only, XL-WA dev splits of 10 languages and 100
Biçici de-en Europarl pairs; see docs/alignment.md): layer ``round(0.6 *
depth)`` (7 of 12 for multilingual-e5-small), centred subword vectors,
subword-level mutual argmax with a distortion prior of 0.25.
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
from xlt.registry import TINY_MODEL
from xlt.types import Alignment, Link, SentencePair

log = logging.getLogger(__name__)

#: default layer as a share of the encoder's depth (7 of 12, picked on dev data)
DEFAULT_LAYER_SHARE = 0.6


def default_layer(n_layers: int) -> int:
    """The default hidden layer of an encoder with ``n_layers`` layers: ``round(0.6 * n_layers)``
    (at least 1). On multilingual-e5-small (12 layers) this is 7, the best single layer on dev data."""
    return max(1, min(n_layers, round(DEFAULT_LAYER_SHARE * n_layers)))


class EmbeddingAlignerConfig(MethodConfig):
    method: Literal["embedding"] = "embedding"
    model: str = Field("xlm-roberta-base", description="Hugging Face hub id or local path of an encoder.")
    revision: str | None = Field(None, description="Model revision (hub ids only).")
    layer: int | list[int] | None = Field(
        None,
        description="Hidden layer (0 = embeddings; negative counts from the top), or a list of layers "
        "whose vectors are averaged. Default: round(0.6 * depth), 7 for a 12-layer model.",
    )
    pooling: Literal["subword", "mean", "first"] = Field(
        "subword",
        description="subword: align subwords, link words with any linked subwords; mean / first: one "
        "vector per word (mean or first subword).",
    )
    center: bool = Field(True, description="Subtract each sentence's mean subword vector before similarity.")
    matching: Literal["argmax", "itermax", "match", "softmax"] = Field(
        "argmax", description="Link extraction method."
    )
    symmetrize: SymmetrizeMethod = Field(
        "intersection", description="argmax only: how row-wise and column-wise argmax links are combined."
    )
    itermax_rounds: int = Field(2, ge=1, description="itermax: number of argmax rounds.")
    itermax_alpha: float = Field(0.9, gt=0, le=1, description="itermax: weight for words already aligned.")
    softmax_temperature: float = Field(0.05, gt=0, description="softmax: temperature on cosine similarities.")
    softmax_threshold: float = Field(
        0.4, gt=0, lt=1, description="softmax: keep links whose probability exceeds this in both directions."
    )
    distortion: float = Field(
        0.25, ge=0, description="Distortion prior: subtract this * (i/m - j/n)^2 from the similarities."
    )
    min_similarity: float = Field(-1.0, description="Drop links whose cosine similarity is below this.")
    batch_size: int = Field(32, ge=1, description="Most sentences per forward pass.")
    max_batch_tokens: int = Field(
        8192,
        ge=64,
        description="Most (padded) subwords per forward pass; long sentences get smaller batches.",
    )
    max_length: int | None = Field(
        None, ge=8, description="Subwords per window (default: the model's limit)."
    )
    device: str = Field("cpu", description="torch device, e.g. cpu or cuda (cuda:0, mps).")
    dtype: Literal["float32", "float16", "bfloat16"] = Field(
        "float32", description="Model weights' dtype (float16 / bfloat16 for GPUs)."
    )
    trust_remote_code: bool = Field(False, description="Allow custom model code from the hub.")


#: where encoders keep their list of transformer layers (BERT, XLM-R, ELECTRA, DeBERTa, DistilBERT, ...)
_LAYER_PATHS = ("encoder.layer", "transformer.layer", "encoder.layers", "layers")


def _layer_list(model: Any) -> tuple[Any, str, Any] | None:
    """(parent module, attribute name, ModuleList) of the model's transformer layers, if found."""
    import torch

    for path in _LAYER_PATHS:
        *parents, name = path.split(".")
        parent = model
        for attr in parents:
            parent = getattr(parent, attr, None)
        layers = getattr(parent, name, None) if parent is not None else None
        if isinstance(layers, torch.nn.ModuleList):
            return parent, name, layers
    return None


class WordVectors:
    """Unit-normalised vectors of one sentence's alignment units (subwords or words) and the
    word each unit belongs to."""

    __slots__ = ("owner", "vecs")

    def __init__(self, vecs: np.ndarray, owner: np.ndarray) -> None:
        self.vecs = vecs
        self.owner = owner


class WordEncoder:
    """Word vectors from one hidden layer (or the mean of several) of an encoder, batched and
    windowed: ``WordEncoder(EmbeddingAlignerConfig(model=..., layer=8)).encode(sentences)`` gives
    one :class:`WordVectors` per pre-tokenised sentence (subwords pooled into words as the config
    says). The embedding aligner and the candidates translation projector share it."""

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
        model = load_model(AutoModel, cfg.model, **kwargs)
        self.torch = torch
        self.cfg = cfg
        n_layers = getattr(model.config, "num_hidden_layers", None)
        self.layers = self._resolve_layers(cfg.layer, n_layers)
        found = _layer_list(model)
        if found is not None and n_layers is not None and len(found[2]) == n_layers:
            top = max(self.layers)
            if top < n_layers:  # the layers above the highest used one are never read
                parent, name, layers = found
                setattr(parent, name, layers[:top])
        self.model = model.to(device=cfg.device, dtype=getattr(torch, cfg.dtype)).eval()
        limit = cfg.max_length or getattr(model.config, "max_position_embeddings", 512) - 2
        limit = min(limit, self.tokenizer.model_max_length or limit)
        self.window = max(8, int(limit) - 2)  # room for special tokens

    @staticmethod
    def _resolve_layers(layer: int | list[int] | None, n_layers: int | None) -> list[int]:
        if layer is None:
            if n_layers is None:
                raise ConfigError("the model config has no num_hidden_layers: set layer explicitly")
            return [default_layer(n_layers)]
        wanted = [layer] if isinstance(layer, int) else list(layer)
        if not wanted:
            raise ConfigError("layer: an empty list of layers")
        out = []
        for k in wanted:
            if n_layers is not None:
                if not -(n_layers + 1) <= k <= n_layers:
                    raise ConfigError(f"layer {k} out of range for a model with {n_layers} layers")
                k = k % (n_layers + 1)
            elif k < 0:
                raise ConfigError("negative layers need a model config with num_hidden_layers")
            out.append(k)
        return sorted(set(out))

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

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Length-sorted batches of segment indices, at most ``batch_size`` segments and
        ``max_batch_tokens`` padded subwords each."""
        order = sorted(range(len(lengths)), key=lambda k: -lengths[k])
        batches: list[list[int]] = []
        current: list[int] = []
        for k in order:
            width = lengths[current[0]] if current else lengths[k]  # longest first: the first sets the width
            if current and (
                len(current) >= self.cfg.batch_size or (len(current) + 1) * width > self.cfg.max_batch_tokens
            ):
                batches.append(current)
                current = []
            current.append(k)
        if current:
            batches.append(current)
        return batches

    def subword_states(self, sentences: Sequence[Sequence[str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per sentence: ``(n_subwords, dim)`` hidden states (mean over the chosen layers) and
        the word index of each subword."""
        return self.subword_states_of(sentences, [self.layers])[0]

    def subword_states_of(
        self, sentences: Sequence[Sequence[str]], groups: Sequence[Sequence[int]]
    ) -> list[list[tuple[np.ndarray, np.ndarray]]]:
        """:meth:`subword_states` for several layer groups from one forward pass (one list per
        group; each group's states are the mean of its layers, which must exist in the
        possibly truncated model). Used to choose layers on dev data."""
        torch = self.torch
        segments = []  # (sentence index, first word, per-word ids)
        for s, words in enumerate(sentences):
            if words:
                segments.extend((s, start, ids) for start, ids in self._windows(words))
        tok = self.tokenizer
        cls_id = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
        sep_id = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
        pad_id = tok.pad_token_id or 0
        extra = (cls_id is not None) + (sep_id is not None)
        lengths = [sum(len(x) for x in seg[2]) + extra for seg in segments]
        parts: dict[int, list[tuple[int, np.ndarray, np.ndarray]]] = {}
        for batch_idx in self._batches(lengths):
            batch = [segments[k] for k in batch_idx]
            width = max(lengths[k] for k in batch_idx)
            input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            owners = []
            for r, (_, _, word_ids) in enumerate(batch):
                ids = [i for w in word_ids for i in w]
                owners.append(np.fromiter((w for w, sub in enumerate(word_ids) for _ in sub), dtype=np.int64))
                row = (
                    ([cls_id] if cls_id is not None else []) + ids + ([sep_id] if sep_id is not None else [])
                )
                input_ids[r, : len(row)] = torch.tensor(row)
                mask[r, : len(row)] = 1
            with torch.inference_mode():
                result = self.model(
                    input_ids=input_ids.to(self.cfg.device),
                    attention_mask=mask.to(self.cfg.device),
                    output_hidden_states=True,
                )
                states = result.hidden_states
                hiddens = []
                for group in groups:
                    hidden = states[group[0]].float()
                    for k in group[1:]:
                        hidden = hidden + states[k].float()
                    if len(group) > 1:
                        hidden = hidden / len(group)
                    hiddens.append(hidden.cpu().numpy())
            first = 1 if cls_id is not None else 0
            for r, (s, start, _) in enumerate(batch):
                n = len(owners[r])
                parts.setdefault(s, []).append(
                    (start, [h[r, first : first + n] for h in hiddens], owners[r] + start)
                )
        out: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in groups]
        for s in range(len(sentences)):
            if s not in parts:
                for g in range(len(groups)):
                    out[g].append((np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=np.int64)))
                continue
            pieces = sorted(parts[s], key=lambda x: x[0])
            owner = np.concatenate([p[2] for p in pieces])
            for g in range(len(groups)):
                out[g].append((np.concatenate([p[1][g] for p in pieces]), owner))
        return out

    def encode(self, sentences: Sequence[Sequence[str]]) -> list[WordVectors]:
        """Unit-normalised alignment-unit vectors per sentence (pooling and centring as configured)."""
        return [
            pool_vectors(h, owner, len(words), self.cfg.pooling, center=self.cfg.center)
            for (h, owner), words in zip(self.subword_states(sentences), sentences, strict=True)
        ]


def pool_vectors(
    hidden: np.ndarray, owner: np.ndarray, n_words: int, pooling: str, *, center: bool
) -> WordVectors:
    """Centre (optionally), pool subword states to alignment units and L2-normalise them."""
    if n_words == 0 or hidden.shape[0] == 0:
        return WordVectors(
            np.zeros((0, max(1, hidden.shape[-1])), dtype=np.float32), np.zeros(0, dtype=np.int64)
        )
    x = hidden.astype(np.float32, copy=True)
    if center:
        x -= x.mean(axis=0, keepdims=True)
    if pooling == "subword":
        vecs, units = x, owner
    elif pooling == "first":
        first = np.r_[True, owner[1:] != owner[:-1]]
        vecs, units = x[first], owner[first]
    else:
        vecs = np.zeros((n_words, x.shape[1]), dtype=np.float32)
        np.add.at(vecs, owner, x)
        counts = np.bincount(owner, minlength=n_words)
        vecs /= np.maximum(counts, 1)[:, None]
        units = np.arange(n_words)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return WordVectors(vecs / np.maximum(norms, 1e-8), np.asarray(units, dtype=np.int64))


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


def softmax_links(sim: np.ndarray, temperature: float = 0.05, threshold: float = 0.4) -> set[Link]:
    """Bidirectional softmax extraction (Dou & Neubig 2021, awesome-align): softmax of
    ``sim / temperature`` over the target words and, separately, over the source words;
    keep a link whose probability exceeds ``threshold`` in both directions."""
    z = sim / temperature
    fwd = np.exp(z - z.max(axis=1, keepdims=True))
    fwd /= fwd.sum(axis=1, keepdims=True)
    rev = np.exp(z - z.max(axis=0, keepdims=True))
    rev /= rev.sum(axis=0, keepdims=True)
    rows, cols = np.nonzero((fwd > threshold) & (rev > threshold))
    return {(int(i), int(j)) for i, j in zip(rows, cols, strict=True)}


def distortion_prior(src_pos: np.ndarray, tgt_pos: np.ndarray, n_src: int, n_tgt: int) -> np.ndarray:
    """SimAlign's distortion term ``(i/m - j/n)^2`` for word positions ``src_pos`` x ``tgt_pos``
    (relative positions, 0..1)."""
    i = src_pos[:, None] / max(n_src - 1, 1)
    j = tgt_pos[None, :] / max(n_tgt - 1, 1)
    return (i - j) ** 2


@aligners.register(
    "embedding",
    config=EmbeddingAlignerConfig,
    reference="Jalili Sabet et al. 2020, SimAlign: High Quality Word Alignments without Parallel Training Data",
    example={"model": TINY_MODEL, "layer": -1},
)
class EmbeddingAligner:
    """SimAlign-style alignment from contextual embeddings of any HF encoder
    (argmax / itermax / match, or awesome-align's bidirectional softmax)."""

    def __init__(self, config: EmbeddingAlignerConfig) -> None:
        self.config = config
        self.encoder_: WordEncoder | None = None

    def _encoder(self) -> WordEncoder:
        if self.encoder_ is None:
            self.encoder_ = WordEncoder(self.config)
        return self.encoder_

    def links(self, sim: np.ndarray) -> set[Link]:
        """Links between alignment units (rows, columns of ``sim``) by the configured method."""
        cfg = self.config
        if cfg.matching == "argmax":
            fwd, rev = argmax_links(sim)
            links = symmetrize(fwd, rev, cfg.symmetrize)
        elif cfg.matching == "itermax":
            links = itermax_links(sim, cfg.itermax_rounds, cfg.itermax_alpha)
        elif cfg.matching == "softmax":
            links = softmax_links(sim, cfg.softmax_temperature, cfg.softmax_threshold)
        else:
            links = match_links(sim)
        return {(i, j) for i, j in links if sim[i, j] >= cfg.min_similarity}

    def align_vectors(self, src: WordVectors, tgt: WordVectors, n_src: int, n_tgt: int) -> Alignment:
        """The word alignment of one pair from its unit vectors (a word link's score is the
        highest cosine similarity among its linked units)."""
        if n_src == 0 or n_tgt == 0 or not len(src.owner) or not len(tgt.owner):
            return Alignment()
        sim = src.vecs @ tgt.vecs.T
        scored = sim
        if self.config.distortion:
            scored = sim - self.config.distortion * distortion_prior(src.owner, tgt.owner, n_src, n_tgt)
        scores: dict[Link, float] = {}
        for i, j in self.links(scored):
            link = (int(src.owner[i]), int(tgt.owner[j]))
            value = float(sim[i, j])
            if value > scores.get(link, -2.0):
                scores[link] = value
        return Alignment(sure=frozenset(scores), scores=scores)

    def align(self, pairs: Sequence[SentencePair], *, extra: Sequence[SentencePair] = ()) -> list[Alignment]:
        # ``extra`` is accepted for the common protocol; this aligner needs no training
        encoder = self._encoder()
        out: list[Alignment] = []
        chunk = max(512, self.config.batch_size * 16)  # bounded memory: vectors of one chunk at a time
        for start in range(0, len(pairs), chunk):
            part = pairs[start : start + chunk]
            # both sides in one pass: length bucketing across source and target sentences
            vecs = encoder.encode([p.src for p in part] + [p.tgt for p in part])
            for k, p in enumerate(part):
                out.append(self.align_vectors(vecs[k], vecs[len(part) + k], len(p.src), len(p.tgt)))
        return out
