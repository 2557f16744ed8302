"""Re-tokenize raw parallel text the way a UD treebank tokenizes apostrophes and hyphens.

Treebanks split written words at apostrophes and hyphens by rules of their own: French *l'homme*
-> *l'* *homme*, Welsh *sy'n* -> *sy* *'n*, Maltese *il-kelb* -> *il-* *kelb*, Ukrainian
*форс-мажор* -> *форс* *-* *мажор*, while Afrikaans writes its article *'n* and Scottish Gaelic
its *a'* as one token. xlt's raw-text tokenizer (:mod:`xlt.io.tokenize`) is language-blind, so
a projected corpus would train the target tagger on tokens it never sees at test time (UD Maltese:
30% of test tokens differ; Afrikaans: the article *'n*, 1.6% of tokens, comes out as two).
Agić et al. (2016, "Multilingual projection for parsing truly low-resource languages", TACL)
name tokenization differences between the Bible and treebank text as one source of projection
loss.

:func:`learn_token_matcher` reads a treebank's surface tokens (forms and ``SpaceAfter=No``,
never tags) and learns

* **edge forms**: tokens that end in a joiner (*l'*, *il-*, *a'*) or start with one (*'n*, *'r*),
  seen at least :data:`MIN_EDGE_COUNT` times, and among them the **cut forms**, those written glued
  to their neighbour (*l'homme*, *sy'n*; not the Estonian *teadus-* of *teadus- ja arendustöö*);
* **whole forms**: tokens with a joiner inside (*well-known*), kept as they are;
* **split joiners**: a joiner written as its own token between two glued words (Ukrainian and
  Armenian ``-``) more often than inside a token;
* **its apostrophe**: the apostrophe-like character its words use (at least
  :data:`MIN_APOSTROPHE_SHARE` of the time), which replaces any other next to a letter first;
* **final apostrophes**: whether a word-final apostrophe stays on its word (K'iche' *ruk'*, where
  it writes the glottal stop; Scottish Gaelic *a'*) at least :data:`MIN_APOSTROPHE_SHARE` of the
  time, rather than being split off (English *students '*, closing quotes).

:class:`TokenMatcher` then tokenizes text with the standard tokenizer and (1) glues a lone
joiner to its neighbour where the pair is an edge form (*a* *'* -> *a'*), (2) cuts a word at an
inner joiner where one side is a cut form (*sy'n* -> *sy* *'n*), or where the joiner is a split
joiner (*форс-мажор* -> *форс* *-* *мажор*); a word the treebank writes whole stays whole;
where final apostrophes stay on their words, (3) glues every lone apostrophe back onto the word
before it at a word end, known form or not.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xlt.io.conllu import UDSentence
from xlt.io.tokenize import token_spans

#: apostrophe and hyphen characters that may join a word to a clitic (the modifier letter ``ʼ``
#: is a letter, as in K'iche', and never splits)
JOINERS = {"'": "'", "’": "'", "-": "-", "‐": "-", "‑": "-"}
#: an edge form (``l'``, ``'n``) must be seen this often to become a rule
MIN_EDGE_COUNT = 2
#: apostrophe-like characters that one text writes where another writes a different one (the
#: Scottish Gaelic Bible writes ``a```, the K'iche' Bible the modifier letter ``ʼ``)
APOSTROPHES = "'’ʼ`´ʻ"
#: the treebank's apostrophe: the one written in words at least this share of the time ...
MIN_APOSTROPHE_SHARE = 0.9
#: ... and at least this often
MIN_APOSTROPHE_COUNT = 20


def _canon(text: str) -> str:
    """Lookup key: lower case, one apostrophe and one hyphen character."""
    return "".join(JOINERS.get(c, c) for c in text.lower())


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _next_to_letter(text: str, i: int) -> bool:
    return (i > 0 and text[i - 1].isalpha()) or (i + 1 < len(text) and text[i + 1].isalpha())


@dataclass
class TokenMatcher:
    """Apostrophe/hyphen tokenization rules learned from a treebank (see the module docstring)."""

    left_edges: dict[str, int] = field(default_factory=dict)  #: ``l'``, ``il-``, ``a'``
    right_edges: dict[str, int] = field(default_factory=dict)  #: ``'n``, ``'r``
    left_cuts: dict[str, int] = field(default_factory=dict)  #: left edges seen glued to the next word
    right_cuts: dict[str, int] = field(default_factory=dict)  #: right edges seen glued to the previous
    whole: frozenset[str] = frozenset()  #: forms with a joiner inside that stay whole
    split_joiners: frozenset[str] = frozenset()  #: joiners written as their own token
    apostrophe: str | None = None  #: the apostrophe character the treebank's words use
    #: a word-final apostrophe belongs to its word (K'iche' *ruk'*, the glottal stop), not split off
    final_apostrophe: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.left_edges
            or self.right_edges
            or self.split_joiners
            or self.apostrophe
            or self.final_apostrophe
        )

    def normalize(self, text: str) -> str:
        """``text`` with every other apostrophe-like character next to a letter written as the
        treebank's apostrophe (same length: character offsets are kept)."""
        if self.apostrophe is None or not any(c in APOSTROPHES for c in text):
            return text
        chars = list(text)
        for i, c in enumerate(text):
            if c in APOSTROPHES and c != self.apostrophe and _next_to_letter(text, i):
                chars[i] = self.apostrophe
        return "".join(chars)

    def tokenize(self, text: str) -> list[str]:
        """``text`` tokenized by :func:`xlt.io.tokenize.tokenize`, then matched to the treebank."""
        return [t for _, t in self.tokenize_counted(text)]

    def tokenize_counted(self, text: str) -> list[tuple[bool, str]]:
        """(changed, token) pairs: ``changed`` marks tokens that differ from the standard tokenizer's."""
        normal = self.normalize(text)
        spans = token_spans(normal)
        standard = set(spans) if normal is text else set(token_spans(text))
        glued: list[tuple[bool, str, int, int]] = []
        i = 0
        while i < len(spans):
            tok, start, end = spans[i]
            if len(tok) == 1 and tok in JOINERS:
                prev = glued[-1] if glued else None
                nxt = spans[i + 1] if i + 1 < len(spans) else None
                left = self.left_edges.get(_canon(prev[1] + tok), 0) if prev and prev[3] == start else 0
                right = self.right_edges.get(_canon(tok + nxt[0]), 0) if nxt and nxt[1] == end else 0
                if left and left >= right and prev is not None:
                    glued[-1] = (True, prev[1] + tok, prev[2], end)
                    i += 1
                    continue
                if right and nxt is not None:
                    glued.append((True, tok + nxt[0], start, nxt[2]))
                    i += 2
                    continue
                word_end = nxt is None or nxt[1] != end or not _is_word_char(nxt[0][0])
                if (
                    self.final_apostrophe
                    and JOINERS[tok] == "'"
                    and word_end
                    and prev is not None
                    and prev[3] == start
                    and _is_word_char(prev[1][-1])
                ):
                    glued[-1] = (True, prev[1] + tok, prev[2], end)
                    i += 1
                    continue
            glued.append(((tok, start, end) not in standard, tok, start, end))
            i += 1
        out: list[tuple[bool, str]] = []
        for changed, tok, _, _ in glued:
            pieces = self._cut(tok)
            if len(pieces) == 1:
                out.append((changed, tok))
            else:
                out.extend((True, p) for p in pieces)
        return out

    def _cut(self, token: str) -> list[str]:
        """Cut a word at its inner joiners where the treebank would (see the module docstring)."""
        if not any(c in JOINERS for c in token) or _canon(token) in self.whole:
            return [token]
        pieces: list[str] = []
        rest = token
        k = 1
        while k < len(rest) - 1:
            c = rest[k]
            if c not in JOINERS or not (_is_word_char(rest[k - 1]) and _is_word_char(rest[k + 1])):
                k += 1
                continue
            left = self.left_cuts.get(_canon(rest[: k + 1]), 0)
            right = self.right_cuts.get(_canon(rest[k:]), 0)
            if left and left >= right:
                pieces.append(rest[: k + 1])
                rest = rest[k + 1 :]
            elif right:
                pieces.append(rest[:k])
                rest = rest[k:]
            elif JOINERS[c] in self.split_joiners:
                pieces.extend((rest[:k], c))
                rest = rest[k + 1 :]
            else:
                k += 1
                continue
            if _canon(rest) in self.whole:
                break
            k = 1
        pieces.append(rest)
        return [p for p in pieces if p]

    def fingerprint(self) -> str:
        """A short stable hash of the rules (part of the fingerprints of steps that read target text)."""
        payload = json.dumps(self.to_dict(full=True), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """A summary for ``metrics.json`` (``full``: every rule, for the fingerprint)."""
        top = 10
        if full:
            return {
                "left_edges": self.left_edges,
                "right_edges": self.right_edges,
                "left_cuts": self.left_cuts,
                "right_cuts": self.right_cuts,
                "whole": sorted(self.whole),
                "split_joiners": sorted(self.split_joiners),
                "apostrophe": self.apostrophe,
                "final_apostrophe": self.final_apostrophe,
            }
        return {
            "left_edges": dict(Counter(self.left_edges).most_common(top)),
            "right_edges": dict(Counter(self.right_edges).most_common(top)),
            "n_left_edges": len(self.left_edges),
            "n_right_edges": len(self.right_edges),
            "left_cuts": dict(Counter(self.left_cuts).most_common(top)),
            "right_cuts": dict(Counter(self.right_cuts).most_common(top)),
            "n_whole": len(self.whole),
            "split_joiners": sorted(self.split_joiners),
            "apostrophe": self.apostrophe,
            "final_apostrophe": self.final_apostrophe,
        }


def learn_token_matcher(
    sentences: Iterable[UDSentence], *, min_edge_count: int = MIN_EDGE_COUNT
) -> TokenMatcher:
    """Learn apostrophe/hyphen tokenization rules from a treebank's surface tokens (no tags read)."""
    left: Counter[str] = Counter()
    right: Counter[str] = Counter()
    left_cut: Counter[str] = Counter()
    right_cut: Counter[str] = Counter()
    whole: set[str] = set()
    alone: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    apostrophes: Counter[str] = Counter()
    final = Counter({"kept": 0, "split": 0})  # word-final apostrophes kept on the word / split off
    for sentence in sentences:
        surface = sentence.surface()
        for i, (form, glued) in enumerate(surface):
            key = _canon(form)
            word_end = not glued or i + 1 == len(surface) or not _is_word_char(surface[i + 1][0][0])
            if word_end and len(key) >= 2 and key[-1] == "'" and _is_word_char(key[-2]):
                final["kept"] += 1
            elif (
                word_end
                and key == "'"
                and i > 0
                and surface[i - 1][1]
                and _is_word_char(surface[i - 1][0][-1])
            ):
                final["split"] += 1
            apostrophes.update(c for j, c in enumerate(form) if c in APOSTROPHES and _next_to_letter(form, j))
            if len(key) >= 2 and key[-1] in "'-" and _is_word_char(key[-2]):
                left[key] += 1
                left_cut[key] += glued
            if len(key) >= 2 and key[0] in "'-" and _is_word_char(key[1]):
                right[key] += 1
                right_cut[key] += i > 0 and surface[i - 1][1]
            if any(
                key[j] in "'-" and _is_word_char(key[j - 1]) and _is_word_char(key[j + 1])
                for j in range(1, len(key) - 1)
            ):
                whole.add(key)
                for j in range(1, len(key) - 1):
                    if key[j] in "'-":
                        inner[key[j]] += 1
            if key in ("'", "-") and glued and 0 < i < len(surface) - 1:
                prev_form, prev_glued = surface[i - 1]
                nxt_form = surface[i + 1][0]
                if prev_glued and _is_word_char(prev_form[-1]) and _is_word_char(nxt_form[0]):
                    alone[key] += 1
    total = sum(apostrophes.values())
    top, top_n = apostrophes.most_common(1)[0] if apostrophes else (None, 0)
    return TokenMatcher(
        left_edges={k: n for k, n in left.items() if n >= min_edge_count},
        right_edges={k: n for k, n in right.items() if n >= min_edge_count},
        left_cuts={k: n for k, n in left_cut.items() if n >= min_edge_count},
        right_cuts={k: n for k, n in right_cut.items() if n >= min_edge_count},
        whole=frozenset(whole),
        split_joiners=frozenset(j for j, n in alone.items() if n >= min_edge_count and n > inner[j]),
        apostrophe=top if top_n >= MIN_APOSTROPHE_COUNT and top_n >= MIN_APOSTROPHE_SHARE * total else None,
        final_apostrophe=final["kept"] >= MIN_APOSTROPHE_COUNT
        and final["kept"] >= MIN_APOSTROPHE_SHARE * (final["kept"] + final["split"]),
    )
