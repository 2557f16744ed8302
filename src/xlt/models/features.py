"""Language-independent token features for the CRF tagger.

The feature set follows the classical recipe of multilingual POS/NER taggers
(Ratnaparkhi 1996; Toutanova et al. 2003; the Bible-projection taggers of
Agić et al. 2015): the lower-cased word, prefixes and suffixes, a word shape,
character classes, and the same lexical cues for a window of neighbours.
Nothing depends on a particular language or script: affixes are code-point
slices, shapes use Unicode categories.

Optional word clusters (e.g. Brown clusters or k-means over embeddings, one
``word<TAB>cluster`` per line) add a cluster id and its bit-string prefixes,
which is how unlabelled target text usually helps a projected tagger.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence

from pydantic import Field

from xlt.config import XltConfig


class FeatureConfig(XltConfig):
    """Which token features the CRF sees."""

    prefixes: int = Field(3, ge=0, le=6, description="Prefix lengths 1..N as features.")
    suffixes: int = Field(4, ge=0, le=6, description="Suffix lengths 1..N as features.")
    window: int = Field(
        2, ge=0, le=4, description="Neighbouring words (each side) whose lower form is a feature."
    )
    context_suffix: int = Field(
        3, ge=0, le=6, description="Suffix length of the immediate neighbours (0: no neighbour suffixes)."
    )
    shape: bool = Field(True, description="Word shape (Xxx, dd, x-x...) and character-class flags.")
    lowercase: bool = Field(True, description="Lower-case the word identity features.")
    cluster_prefixes: tuple[int, ...] = Field(
        (4, 6, 10, 20), description="Prefix lengths of bit-string cluster ids (Brown clusters)."
    )


def word_shape(word: str) -> str:
    """Collapsed shape: upper ``X``, lower ``x``, digit ``d``, other kept; runs squeezed."""
    out: list[str] = []
    for ch in word:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        elif ch.isalpha():
            c = "a"  # letters without case (most scripts)
        else:
            c = ch if not ch.isspace() else "_"
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:8]


def _char_class(word: str) -> str:
    cats = {unicodedata.category(ch)[0] for ch in word}
    if cats <= {"P"}:
        return "punct"
    if cats <= {"N"}:
        return "num"
    if cats <= {"S"}:
        return "sym"
    if "L" in cats and cats & {"N"}:
        return "alnum"
    if cats <= {"L", "M"}:
        return "alpha"
    return "mixed"


def token_features(
    tokens: Sequence[str],
    config: FeatureConfig,
    clusters: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """One list of feature strings per token (features see the whole sentence)."""
    lower = [t.lower() for t in tokens] if config.lowercase else list(tokens)
    n = len(tokens)
    feats: list[list[str]] = []
    for i, tok in enumerate(tokens):
        w = lower[i]
        f = ["b", f"w={w}"]
        for k in range(1, config.prefixes + 1):
            if len(w) >= k:
                f.append(f"p{k}={w[:k]}")
        for k in range(1, config.suffixes + 1):
            if len(w) >= k:
                f.append(f"s{k}={w[-k:]}")
        if config.shape:
            f.append(f"sh={word_shape(tok)}")
            f.append(f"cc={_char_class(tok)}")
            f.append(f"len={min(len(tok), 8)}")
            if tok[:1].isupper():
                f.append("cap")
                if i == 0:
                    f.append("cap0")
            if "-" in tok:
                f.append("hyph")
        if clusters is not None:
            c = clusters.get(w) or clusters.get(tok)
            if c is not None:
                f.append(f"c={c}")
                for k in config.cluster_prefixes:
                    if len(c) > k:
                        f.append(f"c{k}={c[:k]}")
        for d in range(1, config.window + 1):
            f.append(f"w-{d}={lower[i - d]}" if i - d >= 0 else f"w-{d}=<s>")
            f.append(f"w+{d}={lower[i + d]}" if i + d < n else f"w+{d}=</s>")
        if config.context_suffix:
            k = config.context_suffix
            if i > 0:
                f.append(f"s-1={lower[i - 1][-k:]}")
                if clusters is not None and (c := clusters.get(lower[i - 1])):
                    f.append(f"c-1={c}")
            if i + 1 < n:
                f.append(f"s+1={lower[i + 1][-k:]}")
                if clusters is not None and (c := clusters.get(lower[i + 1])):
                    f.append(f"c+1={c}")
        feats.append(f)
    return feats


def labelled_segments(labels: Sequence[str | None]) -> list[tuple[int, int]]:
    """Maximal runs ``[start, end)`` of tokens whose label is not ``None``."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, lab in enumerate(labels):
        if lab is None:
            if start is not None:
                out.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        out.append((start, len(labels)))
    return out
