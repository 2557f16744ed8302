"""Post-processing of projected token labels: type constraints, filtering, and the MFT baseline.

Type constraints follow Täckström et al. (2013, *Token and Type Constraints for
Cross-Lingual Part-of-Speech Tagging*) and Das & Petrov (2011): projected tags
are noisy per token, but a word type's tag distribution over the whole
parallel corpus is far more reliable. For every target word type seen often
enough, the tags projected onto it form a type dictionary; a token whose
projected tag is rare for its type (share below ``min_share``) is relabelled
with the type's majority tag, and unlabelled tokens of a confidently tagged
type (majority share ``>= fill_share``) receive that tag.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from xlt.types import Alignment, LabeledSentence


@dataclass(frozen=True)
class TypeConstraintOptions:
    min_count: int = 5  #: a type needs this many projected tags to constrain its tokens
    min_share: float = 0.1  #: projected tags below this share of the type's tags are replaced
    fill_share: float = 0.9  #: unlabelled tokens get the type's tag when its share is at least this


def type_dictionary(sentences: Sequence[LabeledSentence]) -> dict[str, Counter[str]]:
    """Projected tag counts per lower-cased word type."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for s in sentences:
        for tok, lab in zip(s.tokens, s.labels, strict=True):
            if lab is not None:
                counts[tok.lower()][lab] += 1
    return counts


def apply_type_constraints(
    sentences: Sequence[LabeledSentence], options: TypeConstraintOptions | None = None
) -> tuple[list[LabeledSentence], dict[str, int]]:
    """Relabel tokens against the type dictionary; returns new sentences and change counts."""
    opt = options or TypeConstraintOptions()
    counts = type_dictionary(sentences)
    best: dict[str, tuple[str, float, Counter[str], int]] = {}
    for word, c in counts.items():
        total = sum(c.values())
        if total >= opt.min_count:
            tag, n = c.most_common(1)[0]
            best[word] = (tag, n / total, c, total)
    stats = {"relabelled": 0, "filled": 0, "types_constrained": len(best)}
    out: list[LabeledSentence] = []
    for s in sentences:
        labels = list(s.labels)
        for i, tok in enumerate(s.tokens):
            entry = best.get(tok.lower())
            if entry is None:
                continue
            tag, share, c, total = entry
            lab = labels[i]
            if lab is None:
                if share >= opt.fill_share:
                    labels[i] = tag
                    stats["filled"] += 1
            elif lab != tag and c[lab] / total < opt.min_share:
                labels[i] = tag
                stats["relabelled"] += 1
        out.append(LabeledSentence(s.tokens, tuple(labels), id=s.id, meta=s.meta))
    return out, stats


def unlabel_low_confidence(
    sentences: Sequence[LabeledSentence], threshold: float | Mapping[str, float]
) -> tuple[list[LabeledSentence], int]:
    """Set labels with a per-token confidence below ``threshold`` to None (needs meta['confidence']);
    ``threshold`` is one bar for every label, or a bar per label (a label without one: 0)."""
    bars = threshold if isinstance(threshold, Mapping) else None
    if bars is None and threshold <= 0:
        return list(sentences), 0
    out, n = [], 0
    for s in sentences:
        conf = s.meta.get("confidence") if s.meta else None
        if conf is None:
            out.append(s)
            continue
        labels = list(s.labels)
        for i, c in enumerate(conf):
            lab = labels[i]
            if (
                lab is not None
                and c is not None
                and c < (bars.get(lab, 0.0) if bars is not None else threshold)
            ):
                labels[i] = None
                n += 1
        out.append(LabeledSentence(s.tokens, tuple(labels), id=s.id, meta=s.meta))
    return out, n


def per_label_bars(
    sentences: Sequence[LabeledSentence], share: float, floor: float = 0.0
) -> dict[str, float]:
    """For each label, the confidence above which lie the ``share`` of its tokens the tagger is
    surest of (at least ``floor``): class-balanced bars for :func:`unlabel_low_confidence`
    (Zou et al. 2018, class-balanced self-training)."""
    by_label: dict[str, list[float]] = {}
    for s in sentences:
        for lab, c in zip(s.labels, (s.meta or {}).get("confidence") or (), strict=False):
            if lab is not None and c is not None:
                by_label.setdefault(lab, []).append(float(c))
    return {
        lab: max(floor, float(np.quantile(np.asarray(cs), 1 - share)) if share < 1 else 0.0)
        for lab, cs in sorted(by_label.items())
    }


def drop_uncertain_sources(
    source: Sequence[LabeledSentence],
    projected: Sequence[LabeledSentence],
    alignments: Sequence[Alignment],
    threshold: float,
) -> tuple[list[LabeledSentence], int]:
    """Unlabel projected tokens whose tag came only from source tokens the source tagger was
    unsure of (marginal probability below ``threshold``; needs ``meta['confidence']``)."""
    out, n = [], 0
    for src, tgt, al in zip(source, projected, alignments, strict=True):
        conf = src.meta.get("confidence") if src.meta else None
        if conf is None:
            out.append(tgt)
            continue
        sure: set[int] = set()
        linked: set[int] = set()
        for i, j in al.sure:
            if tgt.labels[j] is not None and src.labels[i] == tgt.labels[j]:
                linked.add(j)
                if conf[i] is not None and conf[i] >= threshold:
                    sure.add(j)
        labels = list(tgt.labels)
        for j in linked - sure:
            labels[j] = None
            n += 1
        out.append(LabeledSentence(tgt.tokens, tuple(labels), id=tgt.id, meta=tgt.meta))
    return out, n


def coverage(s: LabeledSentence) -> float:
    return sum(lab is not None for lab in s.labels) / len(s) if len(s) else 0.0


def filter_by_coverage(
    sentences: Sequence[LabeledSentence], min_coverage: float, min_length: int
) -> tuple[list[LabeledSentence], dict[str, int]]:
    """Keep sentences long enough and labelled enough; counts every drop by reason."""
    kept: list[LabeledSentence] = []
    reasons = {"kept": 0, "dropped_short": 0, "dropped_low_coverage": 0, "dropped_unlabelled": 0}
    for s in sentences:
        cov = coverage(s)
        if len(s) < min_length:
            reasons["dropped_short"] += 1
        elif cov == 0:
            reasons["dropped_unlabelled"] += 1
        elif cov < min_coverage:
            reasons["dropped_low_coverage"] += 1
        else:
            kept.append(s)
            reasons["kept"] += 1
    return kept, reasons


class MostFrequentTagBaseline:
    """Tag each word with its most frequent projected tag; unseen words get the most frequent
    tag of the *rare* (hapax) word types, which behave like unseen words (Baayen & Sproat 1996),
    so closed-class tags such as PRON or PUNCT never become the default."""

    def fit(self, sentences: Sequence[LabeledSentence]) -> MostFrequentTagBaseline:
        counts = type_dictionary(sentences)
        rare: Counter[str] = Counter()
        alpha: Counter[str] = Counter()
        for word, c in counts.items():
            if not any(ch.isalpha() for ch in word):
                continue
            alpha.update(c)
            if sum(c.values()) == 1:
                rare.update(c)
        default = rare or alpha or Counter(t for c in counts.values() for t in c.elements())
        self.default_ = default.most_common(1)[0][0] if default else "X"
        self.lexicon_ = {w: c.most_common(1)[0][0] for w, c in counts.items()}
        return self

    def predict(self, sentences: Sequence[LabeledSentence]) -> list[list[str]]:
        return [[self.lexicon_.get(t.lower(), self.default_) for t in s.tokens] for s in sentences]
