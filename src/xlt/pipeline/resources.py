"""The resource report of a projection run: what the pipeline had to work with for one target.

A zero-resource tagger is only as good as the parallel text, the sources and the alignments behind
it; when a target does badly the first question is *why*. This module condenses what the run
measured into ``metrics["resources"]`` (and the HTML report's "Projection resources" table):

* per source: verse pairs joined with the target, the share of target tokens its projection
  labelled, and the source tagger's accuracy on its own dev set;
* the target verses in and kept for training, and the labelled share of the kept tokens;
* agreement between the voters over the tokens both labelled: source vs source, and the encoder's
  zero-shot tags vs each source (Agić et al., 2016, use inter-source agreement the same way: low
  agreement flags noisy alignments or a distant source);
* the test set's tokenization: how many test words sit inside UD multiword tokens and how much
  punctuation the projected (Bible) tokens carry glued to words, the two mismatches between Bible
  text and UD that a projected tagger cannot learn from its training data; with
  ``projection.multiword_split``, how many parallel-text tokens were split to match.

Agić, Ž., Johannsen, A., Plank, B., Martínez Alonso, H., Schluter, N., and Søgaard, A. (2016).
Multilingual projection for parsing truly low-resource languages. TACL 4.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from xlt.types import LabeledSentence


def label_agreement(a: Sequence[LabeledSentence], b: Sequence[LabeledSentence]) -> dict[str, Any]:
    """Share of tokens with the same label, over the tokens both ``a`` and ``b`` label (by sentence id)."""
    table = {s.id: s for s in b}
    both = same = 0
    for s in a:
        o = table.get(s.id)
        if o is None or len(o.labels) != len(s.labels):
            continue
        for x, y in zip(s.labels, o.labels, strict=True):
            if x is not None and y is not None:
                both += 1
                same += x == y
    return {"tokens_both_labelled": both, "agreement": same / both if both else None}


def agreement_with(
    per_source: Sequence[Sequence[LabeledSentence]], other: Sequence[LabeledSentence]
) -> dict[str, Any]:
    """Agreement of ``other`` (the zero-shot model's labels) with each source's projection, keyed by
    the source's position (``"0"``, ``"1"``...)."""
    return {str(k): label_agreement(proj, other) for k, proj in enumerate(per_source)}


def source_agreement(per_source: Sequence[Sequence[LabeledSentence]], names: Sequence[str]) -> dict[str, Any]:
    """Pairwise agreement between the sources' projections (``"eng+deu"`` -> figures); empty for one source."""
    return {
        f"{names[i]}+{names[j]}": label_agreement(per_source[i], per_source[j])
        for i, j in combinations(range(len(per_source)), 2)
    }


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def attached_punctuation_share(tokens: Sequence[str]) -> float:
    """Share of tokens that mix letters or digits with punctuation at an edge (``word,`` ``"word``):
    a tokenizer that leaves punctuation on words, unlike UD, which splits it off."""
    glued = 0
    for tok in tokens:
        if len(tok) > 1 and any(ch.isalnum() for ch in tok) and (_is_punct(tok[0]) or _is_punct(tok[-1])):
            glued += 1
    return glued / len(tokens) if tokens else 0.0


def conllu_tokenization(path: Path | None) -> dict[str, Any] | None:
    """Multiword-token figures of a CoNLL-U test file (``None`` for other formats or no file)."""
    from xlt.io.conllu import is_conllu, iter_conllu

    if path is None or not is_conllu(path):
        return None
    words = surface = mwt = inside = 0
    forms: list[str] = []
    for sent in iter_conllu(path):
        words += len(sent.tokens)
        surface += len(sent.surface_tokens())
        mwt += len(sent.multiwords)
        inside += sum(m.end - m.start + 1 for m in sent.multiwords)
        forms.extend(sent.forms)
    return {
        "words": words,
        "surface_tokens": surface,
        "multiword_tokens": mwt,
        "words_in_multiword_tokens": inside,
        "multiword_word_share": inside / words if words else 0.0,
        "attached_punctuation_share": attached_punctuation_share(forms),
    }


def resource_report(
    metrics: Mapping[str, Any],
    *,
    source_names: Sequence[str],
    source_agreements: Mapping[str, Any],
    train_tokens: Sequence[str],
    tokenization: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The ``resources`` block of a projection run's ``metrics.json`` (see the module docstring)."""
    proj = metrics.get("projection") or {}
    per_source = proj.get("per_source") or {}
    dev = metrics.get("sources") or {}
    sources = []
    for name in source_names:
        info = per_source.get(name) or {}
        dev_scores = (dev.get(name) or {}).get("dev") or {}
        sources.append(
            {
                "language": name,
                "verse_pairs": info.get("pairs"),
                "projected_token_coverage": info.get("token_coverage"),
                "dev_accuracy": dev_scores.get("accuracy"),
            }
        )
    zero_shot = {
        name: (proj.get("zero_shot_agreement") or {}).get(str(k), {}).get("agreement")
        for k, name in enumerate(source_names)
        if proj.get("zero_shot_agreement")
    }
    report: dict[str, Any] = {
        "sources": sources,
        "target_verses": proj.get("sentences_in"),
        "verses_kept": proj.get("kept"),
        "train_tokens": proj.get("train_tokens"),
        "train_token_coverage": proj.get("train_token_coverage"),
        "source_agreement": {k: v.get("agreement") for k, v in source_agreements.items()},
        "zero_shot_agreement": zero_shot,
        "train_attached_punctuation_share": attached_punctuation_share(train_tokens),
        "test_tokenization": dict(tokenization) if tokenization is not None else None,
        "match_tokenization": metrics.get("match_tokenization"),
        "multiword_split": metrics.get("multiword_split"),
    }
    if "zero_shot" in (metrics.get("baselines") or {}):
        report["zero_shot_test"] = metrics["baselines"]["zero_shot"]
    return report
