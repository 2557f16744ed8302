"""Split parallel-text tokens the way a UD treebank splits multiword tokens.

A UD treebank tags *syntactic words*: a written token such as Spanish ``del`` or a Coptic bound
group ``ⲁϥⲥⲱⲧⲙ`` is one multiword token over several words (``de el``; ``ⲁ ϥ ⲥⲱⲧⲙ``), and the test
set gives the tagger the words. Bible text is written tokens. A tagger trained on projected Bible
tokens never sees the words it is tested on: 83% of the Coptic test words and 21% of the Tamil
ones sit inside multiword tokens. :class:`MultiwordSplitter` learns, from the multiword-token
lines of CoNLL-U files (their forms only, never their tags), how the treebank splits written
tokens, and splits the target side of the parallel text the same way before it is aligned,
projected and tagged:

* **lexicon**: a written form that the files split in at least half of its occurrences is split
  into its most frequent analysis;
* **segmentation** (bound-group orthographies only): where most multiword tokens are the
  plain concatenation of its words (Coptic), an unseen written token that concatenates known
  words (seen alone or inside multiword tokens) is cut into the fewest of them, one of them a
  host word of three letters or more; ties go to the most frequent words (a unigram
  segmentation, as in Creutz and Lagus 2007, Morfessor's baseline, with the vocabulary given
  rather than learned).

Nivre, J. et al. (2020). Universal Dependencies v2: an evergrowing multilingual treebank
collection. LREC (multiword tokens: section 2.2). Creutz, M. and Lagus, K. (2007). Unsupervised
models for morpheme segmentation and morphology learning. ACM TSLP 4(1).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from xlt.io.conllu import UDSentence

#: most of a file's multiword tokens must be plain concatenations for unseen tokens to be segmented;
#: UD treebanks fall on either side of a wide gap: Coptic 1.00, Hebrew 0.82 | Amharic 0.24, Italian
#: 0.10, Portuguese 0.07, Tamil 0.04 (Hebrew dev -> test forms: exact splits 22% -> 40%)
CONCATENATIVE_SHARE = 0.5
#: ... and at least this share of its words must sit inside multiword tokens (a bound-group script)
BOUND_WORD_SHARE = 0.1
#: a segmentation needs a piece this long (the host word) and at most this many one-letter pieces;
#: on Coptic (Scriptorium train -> test forms) they halve the plain words wrongly cut (79 -> 44 of
#: 1,770) for 1.5 points of exact multiword splits (73.6 -> 72.1%)
MIN_HOST_LENGTH = 3
MAX_ONE_LETTER = 2


def _key(text: str) -> str:
    return text.lower()


@dataclass(frozen=True)
class MultiwordSplitter:
    """How a treebank splits written tokens into words (see the module docstring).

    ``lexicon`` maps a lower-cased written form to its lower-cased words; ``vocabulary`` counts the
    lower-cased words segmentation may cut an unseen token into (empty: no segmentation)."""

    lexicon: Mapping[str, tuple[str, ...]]
    vocabulary: Mapping[str, int] = field(default_factory=dict)
    stats: Mapping[str, Any] = field(default_factory=dict)
    _memo: dict[str, tuple[str, ...] | None] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def _longest(self) -> int:
        return max(map(len, self.vocabulary), default=0)

    @cached_property
    def _total(self) -> int:
        return sum(self.vocabulary.values()) or 1

    @property
    def segments(self) -> bool:
        """Whether unseen tokens are segmented (a bound-group orthography)."""
        return bool(self.vocabulary)

    def split_token(self, token: str) -> tuple[str, ...] | None:
        """The words of ``token``, or ``None`` when it stays one word."""
        if token not in self._memo:
            self._memo[token] = self._split_token(token)
        return self._memo[token]

    def _split_token(self, token: str) -> tuple[str, ...] | None:
        low = _key(token)
        words = self.lexicon.get(low)
        if words is None and self.segments and low not in self.vocabulary:
            words = self._segment(low)
        if words is None or len(words) < 2:
            return None
        return _restore_case(token, words)

    def split(self, tokens: Sequence[str]) -> tuple[tuple[str, ...], int]:
        """``tokens`` with every multiword token split, and how many tokens were split."""
        out: list[str] = []
        n_split = 0
        for tok in tokens:
            words = self.split_token(tok)
            if words is None:
                out.append(tok)
            else:
                out.extend(words)
                n_split += 1
        return tuple(out), n_split

    def _segment(self, low: str) -> tuple[str, ...] | None:
        """The fewest known words that concatenate to ``low`` (most frequent on ties), if any."""
        longest, total = self._longest, self._total
        # best[i]: (pieces, cost) of the best cut of low[:i]; back[i]: where its last piece starts
        best: list[tuple[int, float] | None] = [None] * (len(low) + 1)
        back = [0] * (len(low) + 1)
        best[0] = (0, 0.0)
        for end in range(1, len(low) + 1):
            for start in range(max(0, end - longest), end):
                prev = best[start]
                count = self.vocabulary.get(low[start:end])
                if prev is None or not count:
                    continue
                cand = (prev[0] + 1, prev[1] - math.log(count / total))
                if best[end] is None or cand < best[end]:  # type: ignore[operator]
                    best[end], back[end] = cand, start
        if best[-1] is None or best[-1][0] < 2:
            return None
        pieces: list[str] = []
        end = len(low)
        while end > 0:
            pieces.append(low[back[end] : end])
            end = back[end]
        # a bound group is one host word and its clitics: a cut into letters is no analysis
        if max(map(len, pieces)) < MIN_HOST_LENGTH or sum(len(x) == 1 for x in pieces) > MAX_ONE_LETTER:
            return None
        return tuple(reversed(pieces))

    def fingerprint(self) -> str:
        """A short hash of what the splitter does (for step fingerprints)."""
        blob = json.dumps([sorted(self.lexicon.items()), sorted(self.vocabulary.items())], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """What was learned: sizes and the file figures (for ``metrics.json``)."""
        return {"lexicon": len(self.lexicon), "segments_unseen": self.segments, **self.stats}


def _restore_case(token: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` (lower-cased) in the case of ``token``: cut from the token itself where they
    concatenate to it, else lower-cased with a capital first letter where the token has one."""
    if _key(token) == "".join(words) and len(_key(token)) == len(token):
        out: list[str] = []
        at = 0
        for w in words:
            out.append(token[at : at + len(w)])
            at += len(w)
        return tuple(out)
    if token[:1].isupper():
        return (words[0][:1].upper() + words[0][1:], *words[1:])
    return words


def learn_multiword_splitter(sentences: Iterable[UDSentence], *, min_share: float = 0.5) -> MultiwordSplitter:
    """Learn a :class:`MultiwordSplitter` from CoNLL-U sentences' multiword tokens (forms only).

    A written form goes into the lexicon when at least ``min_share`` of its occurrences are
    multiword tokens, with its most frequent analysis. Segmentation of unseen tokens is on when at
    least :data:`CONCATENATIVE_SHARE` of the multiword tokens are plain concatenations of their
    words and at least :data:`BOUND_WORD_SHARE` of all words sit inside one."""
    analyses: dict[str, Counter[tuple[str, ...]]] = {}
    plain: Counter[str] = Counter()
    inner: Counter[str] = Counter()
    n_words = n_inside = n_mwt = n_concat = 0
    for sent in sentences:
        n_words += len(sent.tokens)
        inside: set[int] = set()
        for m in sent.multiwords:
            words = tuple(_key(t.form) for t in sent.tokens[m.start - 1 : m.end])
            if not words:
                continue
            form = _key(m.form)
            analyses.setdefault(form, Counter())[words] += 1
            inside.update(range(m.start, m.end + 1))
            n_mwt += 1
            if form == "".join(words):
                n_concat += 1
                inner.update(words)
        n_inside += len(inside)
        plain.update(_key(t.form) for t in sent.tokens if t.id not in inside)
    lexicon: dict[str, tuple[str, ...]] = {}
    for form, counts in analyses.items():
        n = sum(counts.values())
        if n / (n + plain[form]) >= min_share:
            lexicon[form] = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    concat_share = n_concat / n_mwt if n_mwt else 0.0
    bound_share = n_inside / n_words if n_words else 0.0
    vocabulary: dict[str, int] = {}
    if n_mwt and concat_share >= CONCATENATIVE_SHARE and bound_share >= BOUND_WORD_SHARE:
        vocabulary = dict(plain + inner)
    stats = {
        "words": n_words,
        "multiword_tokens": n_mwt,
        "words_in_multiword_tokens": n_inside,
        "concatenative_share": round(concat_share, 4),
    }
    return MultiwordSplitter(lexicon, vocabulary, stats)
