"""Span-level BIO projection (Yarowsky et al. 2001; Ehrmann et al. 2011;
Jain et al. 2019; García-Ferrero et al. 2022, "Model and Data Transfer for Cross-Lingual Sequence Labelling").

Each source span collects the target tokens aligned to its tokens. Runs of
aligned target tokens are merged across gaps of at most ``max_gap`` tokens
whose words are not aligned to source words outside the span (gap merging);
if several runs remain the ``discontinuous`` policy applies (keep the
best-supported run, emit every run, take the hull, or drop). Edge
punctuation the source span does not have is trimmed, and overlapping target
spans are resolved in favour of the better-supported one. Every source span
gets a status in ``meta["spans"]``: ``projected``, ``split`` (several target
runs) or ``dropped`` with a reason (``unaligned``, ``punctuation``,
``too_long``, ``overlap``).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field

from xlt.config import MethodConfig
from xlt.projection.base import AlignmentProjector, Span, bio_spans, projectors, spans_to_bio
from xlt.types import Alignment, LabeledSentence, Sentence


class SpanProjectorConfig(MethodConfig):
    method: Literal["spans"] = "spans"
    max_gap: int = Field(1, ge=0, description="Merge target runs separated by at most this many free tokens.")
    discontinuous: Literal["largest", "split", "hull", "drop"] = Field(
        "largest", description="What to do when a span's aligned target tokens form several runs."
    )
    trim_punctuation: bool = Field(True, description="Trim edge punctuation the source span does not have.")
    max_length_ratio: float | None = Field(
        None, gt=0, description="Drop target spans longer than ratio * source length + 2 (None = no limit)."
    )
    use_possible: bool = Field(False, description="Also use possible-only links.")
    exact_match: bool = Field(
        True,
        description="Prefer a verbatim (case-insensitive) copy of the source span in the target "
        "(names are often copied), when it occurs once or once among the aligned tokens.",
    )


@lru_cache(maxsize=1 << 16)
def is_punct(token: str) -> bool:
    """Whether every character of a non-empty token is punctuation or a symbol (cached: hot path)."""
    return bool(token) and all(unicodedata.category(c)[0] in "PS" for c in token)


def _runs(positions: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for j in positions:
        if runs and j == runs[-1][-1] + 1:
            runs[-1].append(j)
        else:
            runs.append([j])
    return runs


def _occurrences(items: list[str], item: str) -> list[int]:
    """Every index of ``item`` in ``items`` (``list.index`` scans in C)."""
    out: list[int] = []
    start = 0
    try:
        while True:
            start = items.index(item, start)
            out.append(start)
            start += 1
    except ValueError:
        return out


def _casefold_all(tokens: Sequence[str]) -> list[str]:
    """``[t.casefold() for t in tokens]`` in one C-level call where no token holds a NUL."""
    folded = "\x00".join(tokens).casefold().split("\x00")
    return folded if len(folded) == len(tokens) else [t.casefold() for t in tokens]


def _exact_copy(span: Sequence[str], folded: list[str], aligned: set[int]) -> tuple[int, int] | None:
    """The one place where ``span`` occurs verbatim (casefolded) in the casefolded target, if unambiguous."""
    n = len(span)
    if not n or all(map(is_punct, span)):
        return None
    want = [t.casefold() for t in span]
    hits = [a for a in _occurrences(folded, want[0]) if n == 1 or folded[a : a + n] == want]
    if len(hits) > 1:
        hits = [a for a in hits if any(j in aligned for j in range(a, a + n))]
    return (hits[0], hits[0] + n) if len(hits) == 1 else None


@projectors.register(
    "spans",
    config=SpanProjectorConfig,
    reference="Ehrmann, Turchi & Steinberger 2011, Building a Multilingual Named Entity-Annotated Corpus Using Annotation Projection",
)
class SpanProjector(AlignmentProjector[list[dict[str, Any]]]):
    """BIO span projection with gap merging, contiguity repair and a status per source span."""

    config: SpanProjectorConfig

    def __init__(self, config: SpanProjectorConfig) -> None:
        super().__init__(config)

    def _candidates(
        self,
        span: Span,
        src: LabeledSentence,
        tgt: Sentence,
        by_src: dict[int, list[int]],
        by_tgt: dict[int, list[int]],
        folded: list[str],
    ) -> tuple[list[tuple[int, int]], str | None, int]:
        """Target (start, end) runs for one source span, a drop reason, and the number of runs."""
        cfg = self.config
        _, s, e = span
        support: dict[int, int] = {}
        for i in range(s, e):
            for j in by_src.get(i, ()):
                support[j] = support.get(j, 0) + 1
        inside = sorted(support)
        if cfg.exact_match:
            hit = _exact_copy(src.tokens[s:e], folded, set(inside))
            if hit is not None:
                return [hit], None, 1
        if not inside:
            return [], "unaligned", 0
        runs = _runs(inside)
        merged = [runs[0]]
        for run in runs[1:]:
            gap = range(merged[-1][-1] + 1, run[0])
            if len(gap) <= cfg.max_gap and not any(not s <= i < e for j in gap for i in by_tgt.get(j, ())):
                merged[-1] = [*merged[-1], *gap, *run]
            else:
                merged.append(run)
        n_runs = len(merged)
        if n_runs > 1:
            if cfg.discontinuous == "drop":
                return [], "discontinuous", n_runs
            if cfg.discontinuous == "hull":
                merged = [list(range(merged[0][0], merged[-1][-1] + 1))]
            elif cfg.discontinuous == "largest":
                merged = [max(merged, key=lambda r: (sum(support.get(j, 0) for j in r), len(r), -r[0]))]
        out = []
        src_tokens = src.tokens[s:e]
        for run in merged:
            a, b = run[0], run[-1] + 1
            if cfg.trim_punctuation:
                while a < b and is_punct(tgt.tokens[a]) and not is_punct(src_tokens[0]):
                    a += 1
                while b > a and is_punct(tgt.tokens[b - 1]) and not is_punct(src_tokens[-1]):
                    b -= 1
            if a >= b:
                continue
            if cfg.max_length_ratio is not None and b - a > cfg.max_length_ratio * (e - s) + 2:
                return [], "too_long", n_runs
            out.append((a, b))
        if not out:
            return [], "punctuation", n_runs
        return out, None, n_runs

    def project_one(
        self, src: LabeledSentence, tgt: Sentence, alignment: Alignment
    ) -> tuple[LabeledSentence, list[dict[str, Any]]]:
        links = self.links(alignment)
        scores = alignment.scores or {}
        by_src: dict[int, list[int]] = defaultdict(list)
        by_tgt: dict[int, list[int]] = defaultdict(list)
        for i, j in links:
            by_src[i].append(j)
            by_tgt[j].append(i)
        spans = bio_spans(src.labels)
        folded = _casefold_all(tgt.tokens) if self.config.exact_match and spans else []
        records: list[dict[str, Any]] = []
        proposals = []  # (priority, record index, type, start, end)
        for typ, s, e in spans:
            cands, reason, n_runs = self._candidates((typ, s, e), src, tgt, by_src, by_tgt, folded)
            rec: dict[str, Any] = {"type": typ, "source": [s, e], "runs": n_runs, "target": []}
            if reason is not None:
                rec.update(status="dropped", reason=reason)
            else:
                rec["status"] = "split" if n_runs > 1 else "projected"
                if n_runs > 1:
                    rec["reason"] = f"{n_runs} target runs ({self.config.discontinuous})"
                for a, b in cands:
                    n_links = sum(1 for i in range(s, e) for j in by_src.get(i, ()) if a <= j < b)
                    proposals.append(((n_links, b - a, -a), len(records), typ, a, b))
            records.append(rec)
        taken = [False] * len(tgt)
        accepted: list[Span] = []
        for _, r, typ, a, b in sorted(proposals, key=lambda p: p[0], reverse=True):
            if any(taken[a:b]):
                continue
            taken[a:b] = [True] * (b - a)
            accepted.append((typ, a, b))
            records[r]["target"].append([a, b])
        for rec in records:
            if rec["status"] != "dropped" and not rec["target"]:
                rec.update(status="dropped", reason="overlap")
        accepted.sort(key=lambda x: x[1])
        labels = spans_to_bio(len(tgt), accepted)
        conf = self._confidence(len(tgt), accepted, links, scores, src)
        meta = {**dict(tgt.meta), "confidence": tuple(conf), "spans": records}
        return LabeledSentence(tgt.tokens, tuple(labels), tgt.id, meta), records

    @staticmethod
    def _confidence(
        n: int,
        spans: Sequence[Span],
        links: frozenset[tuple[int, int]],
        scores: dict[tuple[int, int], float] | Any,
        src: LabeledSentence,
    ) -> list[float]:
        """Span tokens: share of the span's tokens with a link x mean link score; O tokens:
        link score to an O source token, 0.5 when unaligned."""
        best: dict[int, float] = {}
        src_o: dict[int, float] = {}
        labels = src.labels
        for link in links:
            sc = float(scores.get(link, 1.0))
            j = link[1]
            if sc > best.get(j, -1.0):
                best[j] = sc
            if labels[link[0]] in (None, "O") and sc > src_o.get(j, -1.0):
                src_o[j] = sc
        conf = [src_o.get(j, 0.5 if j not in best else 0.25) for j in range(n)]
        for _, a, b in spans:
            linked = [best[j] for j in range(a, b) if j in best]
            value = (len(linked) / (b - a)) * (sum(linked) / len(linked)) if linked else 0.0
            for j in range(a, b):
                conf[j] = value
        return conf

    def summarise(
        self, out: Sequence[LabeledSentence], details: Sequence[list[dict[str, Any]]]
    ) -> dict[str, Any]:
        status: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        n_target_spans = 0
        for records in details:
            for rec in records:
                status[rec["status"]] += 1
                n_target_spans += len(rec["target"])
                if rec["status"] == "dropped":
                    reasons[rec["reason"]] += 1
        n_src = sum(status.values())
        return {
            "sentences": len(out),
            "source_spans": n_src,
            "projected": status["projected"],
            "split": status["split"],
            "dropped": status["dropped"],
            "dropped_by_reason": dict(sorted(reasons.items())),
            "target_spans": n_target_spans,
            "coverage": (status["projected"] + status["split"]) / n_src if n_src else 0.0,
        }
