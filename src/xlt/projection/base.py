"""The label-projector protocol and registry, plus BIO span helpers.

A projector carries labels from annotated source sentences to their
translations through word alignments (Yarowsky et al. 2001).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from xlt.errors import MismatchError
from xlt.gcpause import gc_paused
from xlt.registry import stage_registry
from xlt.types import Alignment, LabeledSentence, Sentence

#: registered projectors (``tokens``, ``spans``)
projectors = stage_registry("projectors")

Span = tuple[str, int, int]  # (type, start, end) with ``end`` exclusive


@runtime_checkable
class LabelProjector(Protocol):
    """Projects labels from source to target sentences via alignments."""

    stats_: dict[str, Any]

    def project(
        self,
        source: Sequence[LabeledSentence],
        target: Sequence[Sentence],
        alignments: Sequence[Alignment],
    ) -> list[LabeledSentence]:
        """One labelled target sentence per input triple, same order."""
        ...


def check_inputs(
    source: Sequence[LabeledSentence], target: Sequence[Sentence], alignments: Sequence[Alignment]
) -> None:
    """Equal counts and in-range links, or a :class:`MismatchError` naming the sentence."""
    if not len(source) == len(target) == len(alignments):
        raise MismatchError(
            f"{len(source)} source sentences, {len(target)} target sentences and "
            f"{len(alignments)} alignments; expected one of each per sentence"
        )
    for k, (s, t, a) in enumerate(zip(source, target, alignments, strict=True)):
        n_src, n_tgt = len(s.tokens), len(t.tokens)
        for i, j in a.sure:
            if i >= n_src or j >= n_tgt or i < 0 or j < 0:
                raise MismatchError(
                    f"sentence {k + 1} ({s.id or t.id or 'no id'}): link {i}-{j} out of range for "
                    f"{n_src} source and {n_tgt} target tokens"
                )


D = TypeVar("D")


class AlignmentProjector(Generic[D]):
    """Shared driver of the alignment projectors: validate the inputs, project sentence by
    sentence with :meth:`project_one`, and summarise the per-sentence details into ``stats_``.

    Subclasses implement ``project_one`` (a labelled target sentence plus details of type ``D``)
    and ``summarise``; their config has a ``use_possible`` flag.
    """

    def __init__(self, config: Any) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}

    def links(self, alignment: Alignment) -> frozenset[tuple[int, int]]:
        """The links projection uses: sure ones, plus possible ones when ``use_possible``."""
        return alignment.all_links if self.config.use_possible else alignment.sure

    def project_one(
        self, src: LabeledSentence, tgt: Sentence, alignment: Alignment
    ) -> tuple[LabeledSentence, D]:
        raise NotImplementedError

    def summarise(self, out: Sequence[LabeledSentence], details: Sequence[D]) -> dict[str, Any]:
        raise NotImplementedError

    def project(
        self,
        source: Sequence[LabeledSentence],
        target: Sequence[Sentence],
        alignments: Sequence[Alignment],
    ) -> list[LabeledSentence]:
        """One labelled target sentence per input triple, same order; statistics in ``stats_``."""
        check_inputs(source, target, alignments)
        out: list[LabeledSentence] = []
        details: list[D] = []
        with gc_paused():
            for s, t, a in zip(source, target, alignments, strict=True):
                sent, detail = self.project_one(s, t, a)
                out.append(sent)
                details.append(detail)
        self.stats_ = self.summarise(out, details)
        return out


def split_label(label: str | None) -> tuple[str, str | None]:
    """``("B", "PER")`` for ``B-PER``; ``("O", None)`` for O / None / unlabelled."""
    if not label or label == "O":
        return "O", None
    if len(label) > 2 and label[1] in "-_" and label[0] in "BIESU":
        return label[0], label[2:]
    return "I", label  # a bare type is treated as inside a span


def bio_spans(labels: Sequence[str | None]) -> list[Span]:
    """Spans of a BIO/IOB1/BIOES label sequence (lenient: a stray I- starts a span)."""
    spans: list[Span] = []
    cur: str | None = None
    start = 0
    for k, lab in enumerate(labels):
        tag, typ = split_label(lab)
        if cur is not None and (tag in ("B", "S", "U", "O") or typ != cur):
            spans.append((cur, start, k))
            cur = None
        if tag != "O" and cur is None:
            cur, start = typ, k
        if tag in ("E", "S", "U") and cur is not None:
            spans.append((cur, start, k + 1))
            cur = None
    if cur is not None:
        spans.append((cur, start, len(labels)))
    return spans


def spans_to_bio(n: int, spans: Sequence[Span]) -> list[str]:
    """IOB2 labels for non-overlapping spans."""
    out = ["O"] * n
    for typ, start, end in spans:
        for k in range(start, end):
            out[k] = ("B-" if k == start else "I-") + typ
    return out


def looks_like_bio(sentences: Sequence[LabeledSentence], sample: int = 200) -> bool:
    """True when the labels are O / B-x / I-x style (span task), judged on a sample."""
    seen = [lab for s in sentences[:sample] for lab in s.labels if lab is not None]
    return bool(seen) and all(
        lab == "O" or (len(lab) > 2 and lab[:2] in ("B-", "I-", "E-", "S-")) for lab in seen
    )
