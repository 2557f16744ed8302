"""MEXA: multilingual alignment of a model with English from parallel sentences.

Kargaran et al. (2024), "MEXA: Multilingual Evaluation of English-Centric LLMs via
Cross-Lingual Alignment". For each layer, sentences are embedded by pooling the
layer's hidden states; for a language L with n sentences parallel to English, the
alignment score is the share of pairs ``i`` whose cosine similarity ``sim(L_i, E_i)``
is strictly the largest in both its row and its column of the n x n similarity matrix
(top-1 retrieval in both directions). High alignment predicts good transfer from
English, with no labels needed. Pooling: ``mean`` over tokens (encoders, and the paper's
choice for decoders is ``weighted``: position-weighted mean, Muennighoff 2022) or ``last``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from xlt.errors import ConfigError, DataFormatError, DataNotFoundError, MismatchError
from xlt.io.files import iter_lines

Pooling = Literal["mean", "weighted", "last"]


@dataclass(frozen=True)
class MexaResult:
    """Alignment of one language with the pivot (English), per layer and aggregated."""

    language: str
    n: int
    per_layer: tuple[float, ...]
    mean: float  # mean over layers (MEXA's default aggregate)
    max: float
    best_layer: int
    mid_layer: int
    mid: float

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["per_layer"] = list(self.per_layer)
        return d


@dataclass(frozen=True)
class MexaReport:
    model: str
    pivot: str
    pooling: str
    n_layers: int
    results: dict[str, MexaResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "pivot": self.pivot,
            "pooling": self.pooling,
            "n_layers": self.n_layers,
            "results": {k: v.to_dict() for k, v in self.results.items()},
        }


def alignment_score(src: np.ndarray, tgt: np.ndarray) -> float:
    """Share of rows i where cos(src_i, tgt_i) is strictly the maximum of row i and column i."""
    if src.shape != tgt.shape:
        raise MismatchError(f"embedding shapes differ: {src.shape} vs {tgt.shape}")
    n = src.shape[0]
    if n == 0:
        return float("nan")
    a = src / np.maximum(np.linalg.norm(src, axis=1, keepdims=True), 1e-12)
    b = tgt / np.maximum(np.linalg.norm(tgt, axis=1, keepdims=True), 1e-12)
    sim = a @ b.T
    diag = np.diag(sim).copy()
    off = sim.copy()
    np.fill_diagonal(off, -np.inf)
    row_ok = diag > off.max(axis=1)
    col_ok = diag > off.max(axis=0)
    return float(np.mean(row_ok & col_ok))


def summarise(language: str, per_layer: Sequence[float], n: int) -> MexaResult:
    vals = tuple(float(v) for v in per_layer)
    best = int(np.argmax(vals)) if vals else 0
    mid = len(vals) // 2
    return MexaResult(
        language,
        n,
        vals,
        float(np.mean(vals)) if vals else float("nan"),
        max(vals) if vals else float("nan"),
        best,
        mid,
        vals[mid] if vals else float("nan"),
    )


# --------------------------------------------------------------------------- embeddings


class LayerEmbedder:
    """Pooled per-layer sentence embeddings from any HF encoder or decoder (hub id or local path).

    ``embed(texts)`` returns an array (n_layers, n, hidden) over the transformer layers
    (the embedding layer's output is left out unless ``include_embeddings``).
    """

    def __init__(
        self,
        model: str | Path,
        *,
        pooling: Pooling = "mean",
        batch_size: int = 32,
        max_length: int = 128,
        device: str | None = None,
        include_embeddings: bool = False,
        trust_remote_code: bool = False,
        dtype: str | None = None,
    ) -> None:
        if pooling not in ("mean", "weighted", "last"):
            raise ConfigError(f"unknown pooling {pooling!r} (valid: mean, weighted, last)")
        self.model_name = str(model)
        self.pooling = pooling
        self.batch_size = batch_size
        self.max_length = max_length
        self.device = device
        self.include_embeddings = include_embeddings
        self.trust_remote_code = trust_remote_code
        self.dtype = dtype
        self.model_ = None
        self.tokenizer_ = None

    def _load(self) -> None:
        if self.model_ is not None:
            return
        import torch
        from transformers import AutoModel

        from xlt.hub import load_model, load_tokenizer

        kwargs: dict[str, Any] = {"dtype": getattr(torch, self.dtype)} if self.dtype else {}
        self.tokenizer_ = load_tokenizer(self.model_name, trust_remote_code=self.trust_remote_code)
        if self.tokenizer_.pad_token is None:
            self.tokenizer_.pad_token = self.tokenizer_.eos_token or self.tokenizer_.unk_token
        model = load_model(AutoModel, self.model_name, trust_remote_code=self.trust_remote_code, **kwargs)
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model_ = model.to(device).eval()
        self.device = device

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        import torch

        self._load()
        assert self.model_ is not None and self.tokenizer_ is not None
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # length-sorted batches: less padding
        chunks: list[np.ndarray] = []
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            enc = self.tokenizer_(
                [texts[i] for i in idx],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            ).to(self.device)
            with torch.no_grad():
                out = self.model_(**enc, output_hidden_states=True)
            hidden = out.hidden_states if self.include_embeddings else out.hidden_states[1:]
            mask = enc["attention_mask"]
            chunks.append(np.stack([pool(h, mask, self.pooling) for h in hidden]))
            if progress:
                progress(len(idx))
        if not chunks:
            return np.zeros((0, 0, 0))
        stacked = np.concatenate(chunks, axis=1)
        result = np.empty_like(stacked)
        result[:, order] = stacked
        return result


def pool(hidden: Any, mask: Any, how: Pooling) -> np.ndarray:
    """Pool token states (batch, seq, dim) to (batch, dim) under the attention mask.

    ``weighted`` weighs position t (1-based) by t, as in Muennighoff (2022) SGPT, which
    suits causal models whose later tokens have seen more context. ``last`` takes the
    last non-padding token (right padding assumed; left padding is detected).
    """
    import torch

    m = mask.to(hidden.dtype)
    if how == "last":
        if bool((mask[:, -1] == 1).all()):  # left padding or no padding
            return hidden[:, -1].float().cpu().numpy()
        last = mask.sum(dim=1) - 1
        return hidden[torch.arange(hidden.shape[0]), last].float().cpu().numpy()
    if how == "weighted":
        m = m * torch.cumsum(mask, dim=1).to(hidden.dtype)
    summed = (hidden * m.unsqueeze(-1)).sum(dim=1)
    return (summed / m.sum(dim=1, keepdim=True).clamp(min=1e-9)).float().cpu().numpy()


def mexa(
    parallel: Mapping[str, Sequence[str]],
    embedder: LayerEmbedder,
    *,
    pivot: str = "eng_Latn",
    progress: Callable[[int], None] | None = None,
) -> MexaReport:
    """MEXA scores of every language in ``parallel`` against ``parallel[pivot]`` (line-aligned)."""
    if pivot not in parallel:
        raise DataNotFoundError(
            f"pivot language {pivot!r} not in the parallel corpus ({', '.join(sorted(parallel))})"
        )
    english = list(parallel[pivot])
    for lang, sents in parallel.items():
        if len(sents) != len(english):
            raise MismatchError(
                f"{lang}: {len(sents)} sentences but {len(english)} in {pivot}; they must be aligned"
            )
    pivot_emb = embedder.embed(english, progress)
    results = {}
    for lang in sorted(parallel):
        if lang == pivot:
            continue
        emb = embedder.embed(list(parallel[lang]), progress)
        per_layer = [alignment_score(emb[layer], pivot_emb[layer]) for layer in range(emb.shape[0])]
        results[lang] = summarise(lang, per_layer, len(english))
    return MexaReport(embedder.model_name, pivot, embedder.pooling, int(pivot_emb.shape[0]), results)


# --------------------------------------------------------------------------- parallel corpora


def read_sib200(
    root: str | Path,
    languages: Sequence[str] | None = None,
    *,
    pivot: str = "eng_Latn",
    splits: Sequence[str] = ("dev",),
    limit: int | None = None,
) -> dict[str, list[str]]:
    """SIB-200 (Flores-200) sentences aligned by ``index_id``: ``{lang_Script: [text...]}``.

    ``root`` is the ``annotated`` directory (or its parent). Only ids present in every
    requested language are kept, in ``index_id`` order; ``limit`` keeps the first n.
    """
    from xlt.io.classification import read_classification

    base = Path(root)
    if (base / "annotated").is_dir():
        base = base / "annotated"
    if not base.is_dir():
        raise DataNotFoundError(
            f"{base}: SIB-200 directory not found (expected annotated/<lang_Script>/dev.tsv)"
        )
    langs = list(dict.fromkeys([pivot, *(languages or sorted(p.name for p in base.iterdir() if p.is_dir()))]))
    tables: dict[str, dict[str, str]] = {}
    for lang in langs:
        rows: dict[str, str] = {}
        for split in splits:
            path = base / lang / f"{split}.tsv"
            for ex in read_classification(path):
                if ex.id is None:
                    raise DataFormatError(path, None, "expected an index_id column (sentence ids)")
                rows[ex.id] = ex.text
        tables[lang] = rows
    common = set.intersection(*(set(t) for t in tables.values()))
    ids = sorted(common, key=lambda s: (int(s) if s.isdigit() else math.inf, s))
    if limit is not None:
        ids = ids[:limit]
    return {lang: [tables[lang][i] for i in ids] for lang in langs}


def read_line_aligned(files: Mapping[str, str | Path]) -> dict[str, list[str]]:
    """Plain text files, one sentence per line, line-aligned across languages."""
    out = {lang: [text for _, text in iter_lines(path)] for lang, path in files.items()}
    lengths = {lang: len(v) for lang, v in out.items()}
    if len(set(lengths.values())) > 1:
        raise MismatchError(f"line-aligned files differ in length: {lengths}")
    return out


def read_verse_aligned(files: Mapping[str, str | Path]) -> dict[str, list[str]]:
    """Bible translations (CES XML or ``verse_id<TAB>text``), restricted to verses all of them have."""
    from xlt.io.parallel import read_bible  # helper module: verse id -> text

    verses = {lang: dict(read_bible(path)) for lang, path in files.items()}
    common = set.intersection(*(set(v) for v in verses.values())) if verses else set()
    ids = sorted(i for i in common if all(verses[lang][i].strip() for lang in verses))  # drop empty verses
    return {lang: [verses[lang][i] for i in ids] for lang in files}


def correlate_with_transfer(
    report: MexaReport, target_scores: Mapping[str, float], aggregate: str = "mean"
) -> dict[str, Any]:
    """Pearson/Spearman between MEXA alignment (``mean``, ``max`` or ``mid``) and measured
    transfer scores per target language (matched on ISO 639-3 codes)."""
    from xlt.evaluation.correlation import correlate
    from xlt.languages.codes import language_key

    by_key = {language_key(k): v for k, v in report.results.items()}
    pairs = []
    for lang, score in sorted(target_scores.items()):
        res = by_key.get(language_key(lang))
        if res is not None:
            pairs.append((lang, float(getattr(res, aggregate)), score))
    corr = correlate(f"mexa_{aggregate}", [p[1] for p in pairs], [p[2] for p in pairs])
    return {"aggregate": aggregate, "languages": [p[0] for p in pairs], "points": pairs, **corr.to_dict()}


def load_report(path: str | Path) -> MexaReport:
    """Read the JSON written by ``xlt mexa --out`` back into a :class:`MexaReport`."""
    import json

    from xlt.io.files import read_text

    try:
        data = json.loads(read_text(path))
        results = {
            lang: MexaResult(
                r["language"],
                int(r["n"]),
                tuple(r["per_layer"]),
                r["mean"],
                r["max"],
                int(r["best_layer"]),
                int(r["mid_layer"]),
                r["mid"],
            )
            for lang, r in data["results"].items()
        }
        return MexaReport(data["model"], data["pivot"], data["pooling"], int(data["n_layers"]), results)
    except json.JSONDecodeError as err:
        raise DataFormatError(path, err.lineno, f"invalid JSON: {err.msg}") from None
    except (KeyError, TypeError, ValueError) as err:
        raise DataFormatError(path, None, f"not a MEXA report (written by `xlt mexa --out`): {err}") from None
