"""Shared parts of translation-based label projection: the projector protocol and registry,
label-indexed marker pairs, segment-wise target tokenisation and fuzzy span matching."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any, Protocol, runtime_checkable

from pydantic import Field, field_validator

from xlt.config import MethodConfig
from xlt.errors import ConfigError
from xlt.io.tokenize import tokenize
from xlt.projection.base import Span, bio_spans, spans_to_bio
from xlt.registry import stage_registry
from xlt.types import LabeledSentence, Lang

#: registered translation projectors (``markers``, ``constrained``)
translation_projectors = stage_registry("translation_projectors")

#: default marker pairs, given to the span types in sorted order
DEFAULT_MARKERS: tuple[tuple[str, str], ...] = (
    ("[", "]"), ("{", "}"), ("<", ">"), ("⟦", "⟧"), ("⟨", "⟩"), ("«", "»"), ("⟪", "⟫"), ("【", "】"),
)  # fmt: skip


@runtime_checkable
class TranslationProjector(Protocol):
    """Translates labelled source sentences and carries their spans into the translations."""

    stats_: dict[str, Any]

    def project(
        self, source: Sequence[LabeledSentence], translator: Any, src: Lang, tgt: Lang
    ) -> list[LabeledSentence]:
        """The kept target sentences (source order); every input is counted in ``stats_``."""
        ...


class MarkerOptions(MethodConfig):
    """Options both translation projectors share."""

    markers: list[tuple[str, str]] = Field(
        default_factory=lambda: [list(p) for p in DEFAULT_MARKERS],
        description="Opening/closing marker pairs, given to the span types in sorted order.",
    )
    label_markers: dict[str, tuple[str, str]] = Field(
        default_factory=dict, description="Explicit marker pair per span type (overrides the order)."
    )
    max_length_ratio: float = Field(
        3.0, gt=0, description="Drop translations longer than ratio * source characters + 20."
    )
    keep_partial: bool = Field(
        False, description="Keep sentences where some spans were not recovered (their words stay O)."
    )

    @field_validator("markers")
    @classmethod
    def _pairs(cls, v: list[tuple[str, str]]) -> list[tuple[str, str]]:
        flat = [m for pair in v for m in pair]
        if any(not m.strip() or any(c.isspace() for c in m) for m in flat):
            raise ValueError("markers must be non-empty strings without spaces")
        if len(set(flat)) != len(flat):
            raise ValueError("every marker string must differ from the others")
        return v

    def pairs_for(
        self,
        types: Sequence[str],
        source: Sequence[LabeledSentence] = (),
        usable: Callable[[tuple[str, str]], bool] | None = None,
    ) -> dict[str, tuple[str, str]]:
        """The marker pair of every span type (a ConfigError when there are too few pairs).
        Pairs of ``markers`` whose strings occur in the ``source`` text are not used (they
        would read as spans); explicit ``label_markers`` are used as given."""
        out: dict[str, tuple[str, str]] = {t: tuple(p) for t, p in self.label_markers.items()}  # type: ignore[misc]
        text = "\n".join(" ".join(s.tokens) for s in source)
        free = [
            tuple(p)
            for p in self.markers
            if tuple(p) not in out.values()
            and p[0] not in text
            and p[1] not in text
            and (usable is None or usable(tuple(p)))  # type: ignore[arg-type]
        ]
        missing = sorted(t for t in set(types) if t not in out)
        if len(missing) > len(free):
            raise ConfigError(
                f"{len(missing)} span types ({', '.join(missing)}) but only {len(free)} free marker pairs "
                "(pairs whose strings occur in the source text, or that the model cannot spell, are not used); expected at least one pair "
                "per type (add pairs under 'markers' or 'label_markers')"
            )
        out.update({t: free[k] for k, t in enumerate(missing)})  # type: ignore[misc]
        return out


def span_types(source: Sequence[LabeledSentence]) -> list[str]:
    return sorted({typ for s in source for typ, _, _ in bio_spans(s.labels)})


def marked_text(sent: LabeledSentence, spans: Sequence[Span], pairs: Mapping[str, tuple[str, str]]) -> str:
    """The sentence with each span wrapped in its type's markers (space-separated tokens)."""
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for typ, s, e in spans:
        opens.setdefault(s, []).append(pairs[typ][0])
        closes.setdefault(e - 1, []).append(pairs[typ][1])
    out: list[str] = []
    for k, tok in enumerate(sent.tokens):
        out.extend(opens.get(k, ()))
        out.append(tok)
        out.extend(closes.get(k, ()))
    return " ".join(out)


def plain_text(sent: LabeledSentence) -> str:
    return " ".join(sent.tokens)


def tokens_of_segments(
    segments: Sequence[tuple[str, int | None]],
) -> tuple[list[str], dict[int, tuple[int, int]]]:
    """Tokenise ``(text, span index or None)`` segments one by one, so span edges stay token
    edges; the tokens and the token range of every span index that kept at least one token."""
    tokens: list[str] = []
    ranges: dict[int, tuple[int, int]] = {}
    for text, idx in segments:
        start = len(tokens)
        tokens.extend(tokenize(text))
        if idx is not None and len(tokens) > start:
            ranges[idx] = (start, len(tokens))
    return tokens, ranges


def too_long(source: str, translation: str, ratio: float) -> bool:
    return len(translation) > ratio * len(source) + 20


def fuzzy_find(
    tokens: Sequence[str], query: str, taken: set[int], threshold: float
) -> tuple[tuple[int, int] | None, float]:
    """The token window of ``tokens`` most similar to ``query`` (character-level
    ``SequenceMatcher`` ratio on casefolded text) that overlaps no ``taken`` token, if its
    similarity reaches ``threshold``; and that similarity."""
    want = " ".join(tokenize(query)).casefold()
    m = max(1, len(tokenize(query)))
    best: tuple[int, int] | None = None
    best_score = 0.0
    for size in range(max(1, m - 1), m + 2):
        for a in range(0, len(tokens) - size + 1):
            if any(j in taken for j in range(a, a + size)):
                continue
            score = SequenceMatcher(None, " ".join(tokens[a : a + size]).casefold(), want).ratio()
            if score > best_score:
                best, best_score = (a, a + size), score
    return (best, best_score) if best is not None and best_score >= threshold else (None, best_score)


def labeled(
    tokens: Sequence[str], placed: Mapping[int, tuple[int, int]], spans: Sequence[Span], /, **meta: Any
) -> LabeledSentence:
    """A target sentence with IOB2 labels for the placed spans (non-overlapping)."""
    target_spans = sorted((spans[k][0], a, b) for k, (a, b) in placed.items())
    return LabeledSentence(
        tuple(tokens), tuple(spans_to_bio(len(tokens), target_spans)), id=meta.pop("id", None), meta=meta
    )


class ProjectionTally:
    """What became of every input sentence and span in one ``project`` call: each sentence is
    kept or dropped with a reason, each span is placed (counted under how it was placed), lost,
    or dropped with its sentence. The three translation projectors share it, so their
    ``stats_`` read the same way.

    ``method`` names the projection in each kept sentence's ``meta``; ``count_as`` is the
    ``spans`` key for placed spans when the caller gives no per-span ``how`` (default ``method``).
    """

    def __init__(
        self,
        source: Sequence[LabeledSentence],
        spans: Sequence[Sequence[Span]],
        *,
        method: str,
        keep_partial: bool,
        count_as: str | None = None,
    ) -> None:
        self.source, self.spans, self.method = source, spans, method
        self.keep_partial, self.count_as = keep_partial, count_as or method
        self.kept: list[LabeledSentence] = []
        self.reasons: dict[str, int] = {}
        self.span_counts: dict[str, int] = {"lost": 0, "dropped_with_sentence": 0}

    def _add(self, table: dict[str, int], key: str, n: int = 1) -> None:
        table[key] = table.get(key, 0) + n

    def drop(self, k: int, reason: str) -> None:
        """Sentence ``k`` is dropped before any span is placed (empty or over-long output...)."""
        self._add(self.reasons, reason)
        self._add(self.span_counts, "dropped_with_sentence", len(self.spans[k]))

    def offer(
        self,
        k: int,
        tokens: Sequence[str],
        placed: Mapping[int, tuple[int, int]],
        how: Mapping[int, str] | None = None,
    ) -> bool:
        """Sentence ``k`` translated into ``tokens`` with ``placed`` spans (span index -> token
        range; ``how`` says how each was placed). Kept unless a span is missing and partial
        sentences are not kept (then dropped as ``lost_span``); returns whether it was kept."""
        sp = self.spans[k]
        status = {j: (how or {}).get(j, self.method) if j in placed else "lost" for j in range(len(sp))}
        for j in range(len(sp)):
            key = "lost" if j not in placed else (how or {}).get(j, self.count_as)
            self._add(self.span_counts, key)
        if len(placed) < len(sp) and not self.keep_partial:
            self._add(self.reasons, "lost_span")
            return False
        sent = self.source[k]
        self.kept.append(
            labeled(tokens, placed, sp, id=sent.id, source_id=sent.id, projection=self.method, spans=status)
        )
        return True

    def stats(self, **extra: Any) -> dict[str, Any]:
        """The ``stats_`` of the call: sentence and span counts, then ``extra``."""
        return {
            "sentences": len(self.source),
            "kept": len(self.kept),
            "dropped": len(self.source) - len(self.kept),
            "dropped_by_reason": dict(sorted(self.reasons.items())),
            "source_spans": sum(len(sp) for sp in self.spans),
            "spans": dict(sorted(self.span_counts.items())),
            **extra,
        }
