"""Multi-source projection by weighted voting (Agić, Johannsen, Plank, Martínez Alonso,
Schluter & Søgaard 2016, "Multilingual Projection for Parsing Truly Low-Resource Languages").

Each source (a language or an aligner) projects onto the same target
sentences; every target token then takes the label with the highest total
weight among the sources that labelled it (source weight x, optionally, the
projection's per-token confidence). For BIO labels the vote is over entity
types, and the winning types are turned back into IOB2 spans: a new span
starts where the type changes or where the sources voting for the type put
more weight on ``B-`` than on ``I-``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from xlt.errors import ConfigError, MismatchError
from xlt.projection.base import looks_like_bio, split_label
from xlt.types import LabeledSentence, LangScore


def _check(projections: Sequence[Sequence[LabeledSentence]], weights: Sequence[float]) -> None:
    if not projections:
        raise ConfigError("vote needs at least one projection")
    if len(weights) != len(projections):
        raise ConfigError(f"{len(projections)} projections but {len(weights)} weights")
    if any(w < 0 for w in weights):
        raise ConfigError("voting weights must be non-negative")
    n = len(projections[0])
    for k, proj in enumerate(projections):
        if len(proj) != n:
            raise MismatchError(f"projection {k} has {len(proj)} sentences, projection 0 has {n}")
        for s, (a, b) in enumerate(zip(projections[0], proj, strict=True)):
            if a.tokens != b.tokens:
                raise MismatchError(
                    f"projection {k}, sentence {s + 1}: target tokens differ from projection 0"
                )


def vote(
    projections: Sequence[Sequence[LabeledSentence]],
    weights: Sequence[float] | None = None,
    *,
    mode: Literal["auto", "tokens", "spans"] = "auto",
    use_confidence: bool = True,
    min_share: float = 0.0,
    abstain_as_o: bool | None = None,
) -> list[LabeledSentence]:
    """Combine several projections of the same target sentences into one.

    ``min_share``: a winning label needs at least this share of the weight of the
    sources that voted on the token (else the token stays unlabelled / ``O``).
    ``abstain_as_o`` (span mode; default True): a source's ``O`` counts as a vote
    for ``O`` (an unlabelled ``None`` never votes).
    """
    weights = [1.0] * len(projections) if weights is None else [float(w) for w in weights]
    _check(projections, weights)
    if mode == "auto":
        mode = "spans" if any(looks_like_bio(p) for p in projections) else "tokens"
    spans = mode == "spans"
    o_votes = True if abstain_as_o is None else abstain_as_o
    out = []
    for s in range(len(projections[0])):
        sents = [p[s] for p in projections]
        n = len(sents[0])
        labels: list[str | None] = []
        conf: list[float] = []
        prev_type: str | None = None
        for j in range(n):
            tally: dict[str | None, float] = defaultdict(float)
            begin: dict[str, float] = defaultdict(float)
            for w, sent in zip(weights, sents, strict=True):
                lab = sent.labels[j]
                if lab is None or (spans and lab == "O" and not o_votes):
                    continue
                c = sent.meta.get("confidence") if use_confidence else None
                weight = w * (float(c[j]) if c is not None and j < len(c) else 1.0)
                if spans:
                    tag, typ = split_label(lab)
                    tally[typ] += weight
                    if tag in ("B", "S", "U"):
                        begin[typ or ""] += weight
                else:
                    tally[lab] += weight
            total = sum(tally.values())
            if not tally or total <= 0:
                labels.append("O" if spans else None)
                conf.append(0.0)
                prev_type = None
                continue
            best = max(tally, key=lambda k: (tally[k], k is None, str(k)))
            share = tally[best] / total
            if share < min_share:
                best = None
            conf.append(share if best is not None or spans else 0.0)
            if not spans:
                labels.append(best)
                continue
            if best is None:
                labels.append("O")
                prev_type = None
                continue
            starts = prev_type != best or begin[best] > tally[best] - begin[best]
            labels.append(("B-" if starts else "I-") + best)
            prev_type = best
        meta = {**dict(sents[0].meta), "confidence": tuple(conf), "n_sources": len(sents)}
        meta.pop("spans", None)
        out.append(LabeledSentence(sents[0].tokens, tuple(labels), sents[0].id, meta))
    return out


def vote_by_id(
    projections: Sequence[Sequence[LabeledSentence]], weights: Sequence[float]
) -> list[LabeledSentence]:
    """:func:`vote` over projections that cover different target sentences, matched by id: every
    id appears once (in first-seen order) and a projection without it abstains there."""
    by_id: list[dict[Any, LabeledSentence]] = [{s.id: s for s in proj} for proj in projections]
    order: list[Any] = []
    seen: set[Any] = set()
    for proj in projections:
        for s in proj:
            if s.id not in seen:
                seen.add(s.id)
                order.append(s.id)
    aligned: list[list[LabeledSentence]] = []
    for table in by_id:
        col = []
        for vid in order:
            s = table.get(vid)
            if s is None:
                ref = next(t[vid] for t in by_id if vid in t)
                s = LabeledSentence(ref.tokens, (None,) * len(ref), id=vid)
            col.append(s)
        aligned.append(col)
    return list(vote(aligned, weights))


def weights_from_scores(
    scores: Sequence[LangScore], sources: Sequence[str], *, floor: float = 0.05
) -> list[float]:
    """Voting weights for ``sources`` (language codes) from ``xlt rank`` scores:
    scores are min-max scaled to [floor, 1]; an unranked source gets ``floor``."""
    by_code: dict[str, float] = {}
    for sc in scores:
        for key in {str(sc.language), sc.language.code, sc.language.given}:
            if key:
                by_code[key] = sc.score
    values = list(by_code.values())
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    out = []
    for src in sources:
        if src not in by_code:
            out.append(floor)
        elif hi == lo:
            out.append(1.0)
        else:
            out.append(floor + (1 - floor) * (by_code[src] - lo) / (hi - lo))
    return out


def rank_weights(
    target: str, sources: Sequence[str], task: str = "ner", temperature: float | None = None
) -> list[float]:
    """Voting weights for ``sources`` (in their order) from the packaged ranker of ``task``,
    summing to 1 (:meth:`~xlt.ranking.learned.LambdaRankRanker.vote_weights_for`): each source's
    expected relevance given the *pair* part of its score (terms that rate a source's own
    training data, such as the source prior, are left out, since every source labels the same
    sentences), calibrated out of fold on the rank table. A ``temperature`` instead gives the
    softmax of those scores."""
    from xlt.ranking import vote_weights

    return vote_weights(target, sources, task=task, temperature=temperature)
