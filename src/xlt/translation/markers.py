"""Marker-based label projection (EasyProject: Chen et al. 2023, "Frustratingly Easy Label
Projection for Cross-lingual Transfer", Findings of ACL).

Every source span is wrapped in its type's marker pair (``[ Mary ] went to { Nairobi }``), the
marked sentence is translated, and the spans are read back off the markers in the translation.
Spans whose markers are lost or broken fall back to fuzzy matching: the entity is translated on
its own (or copied, for backends that cannot translate arbitrary text) and the most similar
word window of the translation takes its label. Every marker is counted (complete, broken,
duplicated, lost, spurious) and every input sentence is either kept or dropped with a reason
(``empty_translation``, ``over_long``, ``lost_span``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import Field

from xlt.projection.base import Span, bio_spans
from xlt.translation.projection import (
    MarkerOptions,
    ProjectionTally,
    fuzzy_find,
    marked_text,
    plain_text,
    span_types,
    tokens_of_segments,
    too_long,
    translation_projectors,
)
from xlt.types import LabeledSentence, Lang


class MarkerProjectorConfig(MarkerOptions):
    method: Literal["markers"] = "markers"
    fallback: Literal["translate", "copy", "none"] = Field(
        "translate",
        description="For spans the markers lose: translate the entity alone and fuzzy-match it "
        "(copy: match the source words themselves; none: give up).",
    )
    fuzzy_threshold: float = Field(
        0.5, ge=0, le=1, description="Least character similarity a fuzzy match needs."
    )


def parse_markers(
    text: str, pairs: Mapping[str, tuple[str, str]]
) -> tuple[list[tuple[str, int | None]], list[str], Counter[str]]:
    """Split a marked translation into ``(text, span number or None)`` segments, the type of
    every well-formed span (in order) and marker problems: ``broken`` (an opening marker never
    closed, closed by another type's marker, or re-opened; a stray closing marker) and
    ``empty`` (a pair around nothing)."""
    opener = {o: t for t, (o, _) in pairs.items()}
    closer = {c: t for t, (_, c) in pairs.items()}
    tokens = sorted([*opener, *closer], key=len, reverse=True)
    segments: list[tuple[str, int | None]] = []
    types: list[str] = []
    problems: Counter[str] = Counter()
    buf: list[str] = []
    open_type: str | None = None
    open_buf_start = 0  # index in segments where the open span's text starts
    i = 0

    def flush(idx: int | None) -> None:
        if buf:
            segments.append(("".join(buf), idx))
            buf.clear()

    while i < len(text):
        hit = next((m for m in tokens if text.startswith(m, i)), None)
        if hit is None:
            buf.append(text[i])
            i += 1
            continue
        i += len(hit)
        if hit in opener:
            if open_type is not None:  # re-opened before closing: the earlier one is broken
                problems["broken"] += 1
                flush(None)
                segments[open_buf_start:] = [(t, None) for t, _ in segments[open_buf_start:]]
            else:
                flush(None)
            open_type, open_buf_start = opener[hit], len(segments)
            continue
        typ = closer[hit]
        if open_type is None:
            problems["broken"] += 1  # a stray closing marker
            continue
        if typ != open_type:
            problems["broken"] += 1
            flush(None)
            segments[open_buf_start:] = [(t, None) for t, _ in segments[open_buf_start:]]
            open_type = None
            continue
        inner = "".join(buf)
        if not inner.strip():
            problems["empty"] += 1
            flush(None)
        else:
            flush(len(types))
            types.append(typ)
        open_type = None
    if open_type is not None:
        problems["broken"] += 1
        flush(None)
        segments[open_buf_start:] = [(t, None) for t, _ in segments[open_buf_start:]]
    flush(None)
    return segments, types, problems


def _match(
    src_spans: Sequence[Span], src_tokens: Sequence[str], found_types: Sequence[str], texts: Sequence[str]
) -> tuple[dict[int, int], int]:
    """Source span index -> found span index (same type; in order when the counts agree, else
    greedily by similarity of the words), and how many found spans were left over (duplicates)."""
    out: dict[int, int] = {}
    extra = 0
    for typ in sorted({t for t, _, _ in src_spans} | set(found_types)):
        src_k = [k for k, sp in enumerate(src_spans) if sp[0] == typ]
        found_k = [k for k, t in enumerate(found_types) if t == typ]
        if len(src_k) == len(found_k):
            out.update(zip(src_k, found_k, strict=True))
            continue
        scored = sorted(
            (
                -SequenceMatcher(
                    None,
                    " ".join(src_tokens[src_spans[a][1] : src_spans[a][2]]).casefold(),
                    texts[b].strip().casefold(),
                ).ratio(),
                a,
                b,
            )
            for a in src_k
            for b in found_k
        )
        used_a: set[int] = set()
        used_b: set[int] = set()
        for _, a, b in scored:
            if a not in used_a and b not in used_b:
                out[a] = b
                used_a.add(a)
                used_b.add(b)
        extra += len(found_k) - len(used_b)
    return out, extra


@translation_projectors.register(
    "markers",
    config=MarkerProjectorConfig,
    reference="Chen et al. 2023, Frustratingly Easy Label Projection for Cross-lingual Transfer (EasyProject)",
)
class MarkerProjector:
    """EasyProject: translate sentences with marked spans, read the spans back, fuzzy-match the lost ones."""

    def __init__(self, config: MarkerProjectorConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}

    def project(
        self, source: Sequence[LabeledSentence], translator: Any, src: Lang, tgt: Lang
    ) -> list[LabeledSentence]:
        cfg = self.config
        t0 = time.perf_counter()
        pairs = cfg.pairs_for(span_types(source), source)
        spans = [bio_spans(s.labels) for s in source]
        inputs = [
            marked_text(s, sp, pairs) if sp else plain_text(s) for s, sp in zip(source, spans, strict=True)
        ]
        outputs = translator.translate(inputs, src, tgt)
        if len(outputs) != len(source):
            from xlt.errors import MismatchError

            raise MismatchError(
                f"the translator returned {len(outputs)} translations for {len(source)} sentences"
            )
        markers: Counter[str] = Counter()
        work: list[dict[str, Any]] = []
        for k, (sent, sp, text) in enumerate(zip(source, spans, outputs, strict=True)):
            rec: dict[str, Any] = {"k": k, "spans": sp, "status": "kept"}
            work.append(rec)
            if not text.strip():
                rec["status"] = "empty_translation"
                continue
            if too_long(inputs[k], text, cfg.max_length_ratio):
                rec["status"] = "over_long"
                continue
            segments, types, problems = parse_markers(text, pairs)
            markers.update(problems)
            tokens, ranges = tokens_of_segments(segments)
            seg_texts = {idx: t for t, idx in segments if idx is not None}
            found_texts = [seg_texts[i] for i in range(len(types))]
            if not sp:
                markers["spurious"] += len(types)
                rec.update(tokens=tokens, placed={})
                continue
            match, extra = _match(sp, sent.tokens, types, found_texts)
            markers["duplicated"] += extra
            placed: dict[int, tuple[int, int]] = {}
            for a, b in match.items():
                if b in ranges:
                    placed[a] = ranges[b]
            markers["complete"] += len(placed)
            markers["lost"] += len(sp) - len(match)
            rec.update(tokens=tokens, placed=placed, how=dict.fromkeys(placed, "markers"))
        self._fallback(source, work, translator, src, tgt)
        tally = ProjectionTally(source, spans, method="markers", keep_partial=cfg.keep_partial)
        for rec in work:
            if rec["status"] == "kept":
                tally.offer(rec["k"], rec["tokens"], rec["placed"], how=rec.get("how"))
            else:
                tally.drop(rec["k"], rec["status"])
        seconds = time.perf_counter() - t0
        self.stats_ = tally.stats(
            markers={
                k: markers.get(k, 0)
                for k in ("complete", "lost", "broken", "duplicated", "empty", "spurious")
            },
            marker_pairs={t: list(p) for t, p in pairs.items()},
            translator=dict(getattr(translator, "stats_", {}) or {}),
            seconds=round(seconds, 4),
        )
        return tally.kept

    def _fallback(
        self,
        source: Sequence[LabeledSentence],
        work: list[dict[str, Any]],
        translator: Any,
        src: Lang,
        tgt: Lang,
    ) -> None:
        """Fuzzy-match the spans the markers lost (one translator call for all of them)."""
        cfg = self.config
        if cfg.fallback == "none":
            return
        todo: list[tuple[dict[str, Any], int, str]] = []
        for rec in work:
            if rec["status"] != "kept" or "placed" not in rec:
                continue
            sent = source[rec["k"]]
            for k, (_, s, e) in enumerate(rec["spans"]):
                if k not in rec["placed"]:
                    todo.append((rec, k, " ".join(sent.tokens[s:e])))
        if not todo:
            return
        how = "copy"
        queries = [q for _, _, q in todo]
        if cfg.fallback == "translate" and getattr(translator, "open_ended", False):
            saved = dict(getattr(translator, "stats_", {}) or {})
            queries = [t or q for t, q in zip(translator.translate(queries, src, tgt), queries, strict=True)]
            translator.stats_ = {**saved, "fallback_calls": len(queries)}
            how = "translate"
        for (rec, k, _), query in zip(todo, queries, strict=True):
            taken = {j for a, b in rec["placed"].values() for j in range(a, b)}
            window, _ = fuzzy_find(rec["tokens"], query, taken, cfg.fuzzy_threshold)
            if window is not None:
                rec["placed"][k] = window
                rec["how"][k] = f"fuzzy_{how}"
