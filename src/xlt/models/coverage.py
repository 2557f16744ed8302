"""Can an encoder read a language? The share of its words that the tokenizer cannot spell.

A subword tokenizer maps characters it has no pieces for to its unknown token: a word containing
one has lost its identity, so the encoder sees the same vector for every such word. With
multilingual-e5-small (XLM-R's SentencePiece vocabulary) this is every word of Coptic or Cherokee
text and most of Syriac, and none of Basque, Wolof or Gujarati (measured on 300 New Testament
verses each): the share is close to 0 or close to 1, so a threshold between decides whether
fine-tuning the encoder for that language can work at all (cf. Pfeiffer et al. 2021, "UNKs
everywhere", on unseen scripts).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

#: distinct word types examined (types, not tokens: frequent words would dominate otherwise)
MAX_TYPES = 5000


def unknown_word_share(
    tokenizer: Any, sentences: Iterable[Sequence[str]], max_types: int = MAX_TYPES
) -> dict[str, Any]:
    """Token-weighted share of words whose tokenization contains ``tokenizer``'s unknown token.

    Looks at the first ``max_types`` distinct word types (in order of appearance) and weights each
    by its count among the words read so far. A tokenizer without an unknown token (byte-level BPE)
    can spell everything: the share is 0.
    """
    counts: dict[str, int] = {}
    for tokens in sentences:
        for tok in tokens:
            if tok in counts:
                counts[tok] += 1
            elif len(counts) < max_types:
                counts[tok] = 1
    unk = getattr(tokenizer, "unk_token_id", None)
    total = sum(counts.values())
    if unk is None or not counts:
        return {"words": total, "types": len(counts), "unknown_word_share": 0.0}
    types = list(counts)
    ids = tokenizer(types, add_special_tokens=False)["input_ids"]
    unknown = sum(counts[t] for t, piece_ids in zip(types, ids, strict=True) if unk in piece_ids)
    return {
        "words": total,
        "types": len(types),
        "unknown_word_share": round(unknown / total, 4) if total else 0.0,
    }
