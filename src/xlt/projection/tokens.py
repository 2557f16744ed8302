"""Token-level label projection (Yarowsky et al. 2001; Täckström et al. 2013 for POS).

Each target token takes the labels of the source tokens aligned to it.
Policies are explicit: ``many_to_one`` decides between several aligned source
tokens (weighted majority, first, best-scored link, or leave unlabelled on a
conflict) and ``unaligned`` decides what an unaligned target token gets
(``None`` = unlabelled, or a default label). Every target token gets a
confidence in ``meta["confidence"]``: the (link-score weighted) share of the
votes its label received, 0.0 for unlabelled tokens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from xlt.config import MethodConfig
from xlt.projection.base import AlignmentProjector, projectors
from xlt.types import Alignment, LabeledSentence, Sentence


class TokenProjectorConfig(MethodConfig):
    method: Literal["tokens"] = "tokens"
    many_to_one: Literal["majority", "first", "best-link", "drop-conflicts"] = Field(
        "majority", description="Label of a target token aligned to several source tokens."
    )
    unaligned: Literal["none", "default"] = Field(
        "none", description="none: unaligned target tokens stay unlabelled; default: they get default_label."
    )
    default_label: str = Field("O", description="Label for unaligned tokens when unaligned=default.")
    default_confidence: float = Field(0.0, ge=0, le=1, description="Confidence of a default label.")
    ignore_labels: tuple[str, ...] = Field(("_",), description="Source labels that project nothing.")
    use_possible: bool = Field(False, description="Also use possible-only links.")


@projectors.register(
    "tokens",
    config=TokenProjectorConfig,
    reference="Yarowsky, Ngai & Wicentowski 2001, Inducing Multilingual Text Analysis Tools via Robust Projection",
)
class TokenProjector(AlignmentProjector[int]):
    """Per-token label projection with explicit unaligned / many-to-one policies and confidences."""

    config: TokenProjectorConfig

    def __init__(self, config: TokenProjectorConfig) -> None:
        super().__init__(config)

    def project_one(
        self, src: LabeledSentence, tgt: Sentence, alignment: Alignment
    ) -> tuple[LabeledSentence, int]:
        cfg = self.config
        links = self.links(alignment)
        scores = alignment.scores or {}
        votes: dict[int, list[tuple[int, str, float]]] = defaultdict(list)
        for i, j in links:
            lab = src.labels[i]
            if lab is None or lab in cfg.ignore_labels:
                continue
            votes[j].append((i, lab, float(scores.get((i, j), 1.0))))
        labels: list[str | None] = []
        conf: list[float] = []
        conflicts = 0
        for j in range(len(tgt)):
            cand = votes.get(j)
            if not cand:
                if cfg.unaligned == "default":
                    labels.append(cfg.default_label)
                    conf.append(cfg.default_confidence)
                else:
                    labels.append(None)
                    conf.append(0.0)
                continue
            tally: dict[str, float] = defaultdict(float)
            for _, lab, w in cand:
                tally[lab] += w
            total = sum(tally.values()) or 1.0
            if len(tally) > 1:
                conflicts += 1
            if cfg.many_to_one == "first":
                best = min(cand)[1]
            elif cfg.many_to_one == "best-link":
                best = max(cand, key=lambda c: (c[2], -c[0]))[1]
            elif cfg.many_to_one == "drop-conflicts" and len(tally) > 1:
                labels.append(None)
                conf.append(0.0)
                continue
            else:  # weighted majority; ties go to the leftmost source token
                first = {lab: i for i, lab, _ in sorted(cand, reverse=True)}
                best = max(tally, key=lambda lab: (tally[lab], -first[lab]))
            labels.append(best)
            conf.append(tally[best] / total)
        meta = {**dict(tgt.meta), "confidence": tuple(conf)}
        return LabeledSentence(tgt.tokens, tuple(labels), tgt.id, meta), conflicts

    def summarise(self, out: Sequence[LabeledSentence], details: Sequence[int]) -> dict[str, Any]:
        total = sum(len(sent) for sent in out)
        labelled = sum(1 for sent in out for lab in sent.labels if lab is not None)
        return {
            "sentences": len(out),
            "target_tokens": total,
            "labelled_tokens": labelled,
            "coverage": labelled / total if total else 0.0,
            "many_to_one_conflicts": sum(details),
        }
