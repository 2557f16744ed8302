"""Dictionary-based code-switching of training data (CoSDA-ML: Qin et al. 2020, "CoSDA-ML:
Multi-Lingual Code-Switching Data Augmentation for Zero-Shot Cross-Lingual NLP", IJCAI; entity
switching as in EntityCS: Whitehouse et al. 2022).

Each word of a source sentence is, with probability ``rate``, replaced by one of its
translations in a bilingual dictionary of a randomly chosen target language (the shared MUSE and
Wiktionary English↔X dictionaries, or a file). Token labels stay with their positions, since the
dictionaries map single words to single words. ``scope`` restricts switching to entity words or
to the other words. Seeded: the same seed gives the same data.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

from pydantic import Field

from xlt.augmentation.base import augmenters, with_copies
from xlt.config import MethodConfig
from xlt.errors import ConfigError
from xlt.registry import TINY_DICTIONARY
from xlt.types import LabeledSentence, TextExample


class CodeSwitchConfig(MethodConfig):
    method: Literal["codeswitch"] = "codeswitch"
    languages: list[str] = Field(
        description="Target languages whose English↔X dictionaries supply the switched words.", min_length=1
    )
    dictionaries: dict[str, str] = Field(
        default_factory=dict,
        description="Explicit dictionary file per language (hunalign '<x> @ <english>' or TSV 'english<TAB>x'); "
        "other languages use the shared dictionaries under the data root.",
    )
    rate: float = Field(
        0.3, ge=0, le=1, description="Probability of switching each word that has a translation."
    )
    scope: Literal["all", "entities", "non-entities"] = Field(
        "all", description="Which words may be switched (entities: words inside labelled spans)."
    )
    keep_original: bool = Field(True, description="Keep the original examples and add the switched copies.")
    data_root: str | None = Field(None, description="Where the shared dictionaries are (default: XLT_DATA).")
    seed: int = Field(0, description="Random seed.")


@lru_cache(maxsize=16)
def _lexicon(language: str, path: str | None, root: str | None) -> dict[str, tuple[str, ...]]:
    from xlt.vocab.dictionaries import load_dictionary, read_dictionary

    pairs = read_dictionary(path) if path else load_dictionary(language, root)
    out: dict[str, list[str]] = {}
    for eng, tgt in pairs:
        if eng != tgt and _is_word(eng) and _is_word(tgt):
            out.setdefault(eng, []).append(tgt)
    return {k: tuple(v) for k, v in out.items()}


def _is_word(text: str) -> bool:
    """One word that can stand alone: no spaces, a letter, and not an affix entry such as the
    Wiktionary lists' ``la-`` or ``-ni`` (which would replace a word by a bound morpheme)."""
    return (
        bool(text)
        and " " not in text
        and text[0] != "-"
        and text[-1] != "-"
        and any(c.isalpha() for c in text)
    )


@augmenters.register(
    "codeswitch",
    config=CodeSwitchConfig,
    example={"languages": ["xx"], "dictionaries": {"xx": TINY_DICTIONARY}, "rate": 0.5},
    reference="Qin et al. 2020, CoSDA-ML: Multi-Lingual Code-Switching Data Augmentation (IJCAI)",
)
class CodeSwitcher:
    """Replace words by dictionary translations in random target languages at a set rate."""

    def __init__(self, config: CodeSwitchConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}

    def lexicons(self) -> dict[str, dict[str, tuple[str, ...]]]:
        cfg = self.config
        out = {}
        for lang in cfg.languages:
            lex = _lexicon(lang, cfg.dictionaries.get(lang), cfg.data_root)
            if not lex:
                raise ConfigError(f"codeswitch: the dictionary for {lang!r} has no single-word entries")
            out[lang] = lex
        return out

    def _switch(
        self, tokens: Sequence[str], allowed: Sequence[bool], lex: dict[str, dict[str, tuple[str, ...]]],
        rng: random.Random, counts: Counter[str],
    ) -> tuple[list[str], int]:  # fmt: skip
        out = list(tokens)
        langs = sorted(lex)
        n = 0
        for k, tok in enumerate(tokens):
            if not allowed[k]:
                continue
            key = tok.lower()
            cands = [lang for lang in langs if key in lex[lang]]
            if not cands:
                continue
            counts["candidates"] += 1
            if rng.random() >= self.config.rate:
                continue
            lang = rng.choice(cands)
            word = rng.choice(lex[lang][key])
            out[k] = word.capitalize() if tok[:1].isupper() and tok[1:].islower() else word
            counts[f"switched_{lang}"] += 1
            n += 1
        return out, n

    def augment(self, data: Sequence[Any]) -> list[Any]:
        cfg = self.config
        lex = self.lexicons()
        rng = random.Random(cfg.seed)
        counts: Counter[str] = Counter()
        changed: list[tuple[Any, bool]] = []
        for ex in data:
            if isinstance(ex, LabeledSentence):
                inside = [lab not in (None, "O") for lab in ex.labels]
                allowed = [cfg.scope == "all" or (cfg.scope == "entities") == ins for ins in inside]
                tokens, n = self._switch(ex.tokens, allowed, lex, rng, counts)
                new: Any = LabeledSentence(
                    tuple(tokens), ex.labels, ex.id, {**ex.meta, "augmented": "codeswitch"}
                )
            elif isinstance(ex, TextExample):
                words = ex.text.split()
                tokens, n = self._switch(words, [True] * len(words), lex, rng, counts)
                pair = ex.text_pair
                if pair:
                    pw, m = self._switch(pair.split(), [True] * len(pair.split()), lex, rng, counts)
                    pair, n = " ".join(pw), n + m
                new = TextExample(
                    " ".join(tokens), ex.label, pair, ex.id, {**ex.meta, "augmented": "codeswitch"}
                )
            else:
                raise ConfigError(f"codeswitch: cannot augment a {type(ex).__name__}")
            changed.append((new, n > 0))
        out = with_copies(data, changed, cfg.keep_original)
        switched = sum(v for k, v in counts.items() if k.startswith("switched_"))
        self.stats_ = {
            "examples": len(data),
            "changed": sum(did for _, did in changed),
            "output": len(out),
            "switchable_words": counts["candidates"],
            "switched_words": switched,
            "by_language": {
                k.removeprefix("switched_"): v for k, v in sorted(counts.items()) if k.startswith("switched_")
            },
        }
        return out
