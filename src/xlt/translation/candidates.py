"""Candidate-based projection of spans into translations (T-Projection: García-Ferrero et al. 2023,
"T-Projection: High Quality Annotation Projection for Sequence Labeling Tasks", Findings of EMNLP).

The source sentence is translated without markers (or a translation is given, with the ``file``
translator). Every word n-gram of the translation is a candidate for every source span. A
candidate's score is the cosine similarity of its mean word vector to the source span's, both
from a multilingual encoder reading each whole sentence (contextual vectors, layer and centring
as in :mod:`xlt.alignment.embedding`); where the translator can score text (``hf-seq2seq``:
:meth:`~xlt.translation.hf.HFSeq2SeqTranslator.sequence_log_probs`), the per-token probability
of translating the source span into the candidate is mixed in with ``translation_weight``, as
T-Projection scores its candidates with an NMT model. Spans are then placed greedily, best score
first, so no two placed spans overlap and no span is placed twice. T-Projection generates its
candidates with a fine-tuned mT5; this projector enumerates n-grams instead, which needs no
model training and gives every span the same candidate set.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from xlt.config import MethodConfig
from xlt.errors import MismatchError
from xlt.io.tokenize import tokenize
from xlt.projection.base import Span, bio_spans
from xlt.translation.projection import ProjectionTally, plain_text, too_long, translation_projectors
from xlt.types import LabeledSentence, Lang


class CandidateProjectorConfig(MethodConfig):
    method: Literal["candidates"] = "candidates"
    encoder: str = Field(
        "intfloat/multilingual-e5-small",
        description="Encoder (hub id or local path) whose word vectors score the candidates.",
    )
    layer: int | None = Field(
        None, description="Hidden layer of the encoder (default: the embedding aligner's, 0.6 of the depth)."
    )
    extra_words: int = Field(
        2, ge=0, description="Candidates are 1 .. (source span length + extra_words) words long."
    )
    translation_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Weight of the translation probability (translators that can score text) against "
        "the encoder similarity; 0: similarity only.",
    )
    min_score: float = Field(
        0.0, ge=-1, le=1, description="A span whose best free candidate scores below this is lost."
    )
    skip_punctuation_edges: bool = Field(
        True, description="No candidate starts or ends with a token without letters or digits."
    )
    max_length_ratio: float = Field(
        3.0, gt=0, description="Drop translations longer than ratio * source characters + 20."
    )
    keep_partial: bool = Field(
        False, description="Keep sentences where some spans were not placed (their words stay O)."
    )
    batch_size: int = Field(32, ge=1, description="Sentences per encoder forward pass.")
    device: str = Field("cpu", description="torch device of the encoder.")
    trust_remote_code: bool = Field(False, description="Allow custom model code from the hub.")


def candidate_windows(
    tokens: Sequence[str], max_words: int, skip_punctuation_edges: bool
) -> list[tuple[int, int]]:
    """Every ``(start, end)`` word window of at most ``max_words`` words."""
    wordy = [any(c.isalnum() for c in t) for t in tokens]
    out = []
    for a in range(len(tokens)):
        if skip_punctuation_edges and not wordy[a]:
            continue
        for b in range(a + 1, min(len(tokens), a + max_words) + 1):
            if skip_punctuation_edges and not wordy[b - 1]:
                continue
            out.append((a, b))
    return out


def span_vector(vecs: np.ndarray, start: int, end: int) -> np.ndarray:
    v = vecs[start:end].mean(axis=0)
    return v / max(float(np.linalg.norm(v)), 1e-8)


def place_greedily(
    scores: list[tuple[float, int, tuple[int, int]]], min_score: float
) -> dict[int, tuple[int, int]]:
    """Best-first assignment of windows to spans: each span at most once, no two windows overlapping."""
    placed: dict[int, tuple[int, int]] = {}
    taken: set[int] = set()
    for score, k, (a, b) in sorted(scores, key=lambda x: (-x[0], x[1], x[2])):
        if score < min_score:
            break
        if k in placed or any(j in taken for j in range(a, b)):
            continue
        placed[k] = (a, b)
        taken.update(range(a, b))
    return placed


@translation_projectors.register(
    "candidates",
    config=CandidateProjectorConfig,
    reference="García-Ferrero et al. 2023, T-Projection: High Quality Annotation Projection for "
    "Sequence Labeling Tasks (Findings of EMNLP)",
)
class CandidateProjector:
    """T-Projection-style: score every n-gram of the translation against each source span."""

    def __init__(self, config: CandidateProjectorConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}
        self._encoder: Any = None

    def encoder(self) -> Any:
        if self._encoder is None:
            from xlt.alignment.embedding import EmbeddingAlignerConfig, WordEncoder

            cfg = self.config
            self._encoder = WordEncoder(
                EmbeddingAlignerConfig(
                    model=cfg.encoder,
                    layer=cfg.layer,
                    pooling="mean",
                    center=True,
                    batch_size=cfg.batch_size,
                    device=cfg.device,
                    trust_remote_code=cfg.trust_remote_code,
                )
            )
        return self._encoder

    def project(
        self,
        source: Sequence[LabeledSentence],
        translator: Any,
        src: Lang,
        tgt: Lang,
        *,
        translations: Sequence[str | Sequence[str]] | None = None,
    ) -> list[LabeledSentence]:
        """``translations``: the target sentences (text, or token lists kept as they are) to
        project into instead of calling ``translator.translate`` (parallel text, pre-translated
        data); ``translator`` may then be None unless ``translation_weight`` needs its scores."""
        cfg = self.config
        t0 = time.perf_counter()
        spans = [bio_spans(s.labels) for s in source]
        inputs = [plain_text(s) for s in source]
        outputs = list(translations) if translations is not None else translator.translate(inputs, src, tgt)
        if len(outputs) != len(source):
            raise MismatchError(f"{len(outputs)} translations were given for {len(source)} source sentences")
        tally = ProjectionTally(
            source, spans, method="candidates", keep_partial=cfg.keep_partial, count_as="placed"
        )
        work: list[tuple[int, list[str]]] = []
        for k, out in enumerate(outputs):
            text = out if isinstance(out, str) else " ".join(out)
            if not text.strip():
                tally.drop(k, "empty_translation")
            elif too_long(inputs[k], text, cfg.max_length_ratio):
                tally.drop(k, "over_long")
            else:
                work.append((k, tokenize(text) if isinstance(out, str) else list(out)))
        with_spans = [(k, toks) for k, toks in work if spans[k]]
        scored = self._score(source, spans, with_spans, translator, src, tgt)
        placed_by = {k: place_greedily(s, cfg.min_score) for k, s in scored.items()}
        for k, toks in work:
            tally.offer(k, toks, placed_by.get(k, {}))
        self.stats_ = tally.stats(
            translation_scored=bool(cfg.translation_weight and hasattr(translator, "sequence_log_probs")),
            translator=dict(getattr(translator, "stats_", {}) or {}),
            seconds=round(time.perf_counter() - t0, 4),
        )
        return tally.kept

    def _score(
        self,
        source: Sequence[LabeledSentence],
        spans: Sequence[Sequence[Span]],
        work: Sequence[tuple[int, list[str]]],
        translator: Any,
        src: Lang,
        tgt: Lang,
    ) -> dict[int, list[tuple[float, int, tuple[int, int]]]]:
        """Per kept sentence: ``(score, span index, window)`` for every span and candidate."""
        cfg = self.config
        if not work:
            return {}
        enc = self.encoder()
        src_vecs = enc.encode([list(source[k].tokens) for k, _ in work])
        tgt_vecs = enc.encode([toks for _, toks in work])
        rows: list[tuple[int, int, tuple[int, int], float]] = []  # (sentence, span, window, similarity)
        for (k, toks), sv, tv in zip(work, src_vecs, tgt_vecs, strict=True):
            for j, (_, s, e) in enumerate(spans[k]):
                query = span_vector(sv.vecs, s, e)
                for a, b in candidate_windows(toks, e - s + cfg.extra_words, cfg.skip_punctuation_edges):
                    rows.append((k, j, (a, b), float(span_vector(tv.vecs, a, b) @ query)))
        probs = [0.0] * len(rows)
        scorer = getattr(translator, "sequence_log_probs", None)
        w = cfg.translation_weight if scorer is not None else 0.0
        if w and rows:
            toks_of = dict(work)
            queries = [" ".join(source[k].tokens[spans[k][j][1] : spans[k][j][2]]) for k, j, _, _ in rows]
            cands = [" ".join(toks_of[k][a:b]) for k, _, (a, b), _ in rows]
            probs = [math.exp(x) for x in scorer(queries, cands, src, tgt)]
        out: dict[int, list[tuple[float, int, tuple[int, int]]]] = {}
        for (k, j, window, sim), p in zip(rows, probs, strict=True):
            out.setdefault(k, []).append(((1 - w) * sim + w * p, j, window))
        return out
