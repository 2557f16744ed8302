"""Core value types shared by every stage (frozen dataclasses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Link = tuple[int, int]


@dataclass(frozen=True)
class Lang:
    """A language, normalised to ISO 639-3 (``code``) plus an optional ISO 15924 script.

    ``given`` keeps the code exactly as the user wrote it (for output); it does
    not take part in equality. A plain value: build one from user text with
    :func:`xlt.languages.resolve`, which accepts
    ISO 639-1/2B/3 codes, macrolanguages, FLORES codes (``wol_Latn``),
    glottocodes and English names.
    """

    code: str
    script: str | None = None
    given: str = field(default="", compare=False)

    @property
    def flores(self) -> str | None:
        return f"{self.code}_{self.script}" if self.script else None

    def __str__(self) -> str:
        return self.given or (self.flores or self.code)


@dataclass(frozen=True)
class Sentence:
    """A tokenised sentence. ``id`` is e.g. a verse id or ``file:line``."""

    tokens: tuple[str, ...]
    id: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __len__(self) -> int:
        return len(self.tokens)


@dataclass(frozen=True)
class LabeledSentence:
    """A sentence with one label per token; ``None`` marks an unlabelled token
    (e.g. a target token no projection reached)."""

    tokens: tuple[str, ...]
    labels: tuple[str | None, ...]
    id: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.labels):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.labels)} labels (sentence {self.id})")

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def sentence(self) -> Sentence:
        return Sentence(self.tokens, self.id, self.meta)


@dataclass(frozen=True)
class SentencePair:
    """Two tokenised sentences that translate each other."""

    src: tuple[str, ...]
    tgt: tuple[str, ...]
    id: str | None = None


@dataclass(frozen=True)
class Alignment:
    """Word alignment between a source and a target sentence (0-based links).

    ``sure`` are the links; ``possible`` are extra possible-only links (as in the
    NAACL 2003 gold files). For AER, the possible set P is ``sure | possible``.
    ``scores`` optionally maps a link to a confidence.
    """

    sure: frozenset[Link] = frozenset()
    possible: frozenset[Link] = frozenset()
    scores: Mapping[Link, float] | None = field(default=None, compare=False)

    @property
    def links(self) -> frozenset[Link]:
        return self.sure

    @property
    def all_links(self) -> frozenset[Link]:
        return self.sure | self.possible

    def __len__(self) -> int:
        return len(self.sure)


@dataclass(frozen=True)
class TextExample:
    """One classification example: a text (or a text pair, for NLI) and its label."""

    text: str
    label: str | None = None
    text_pair: str | None = None
    id: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class LangScore:
    """A ranked candidate language with its score and per-feature explanation."""

    language: Lang
    score: float
    explanation: Mapping[str, float] = field(default_factory=dict)
    features: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalReport:
    """Scores of one system on one dataset (``metrics`` e.g. ``{"f1": 0.81}``)."""

    metrics: Mapping[str, float]
    language: Lang | None = None
    dataset: str | None = None
    n: int = 0
    details: Mapping[str, Any] = field(default_factory=dict)


def as_tuple(tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple(tokens)
