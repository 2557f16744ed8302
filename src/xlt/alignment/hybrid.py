"""Embedding + statistical alignment combined: the links of the SimAlign-style
embedding aligner (Jalili Sabet et al. 2020) and of eflomal (Östling &
Tiedemann 2016), merged as two "directions" with any symmetrization heuristic
(union, intersection, grow-diag-final-and, ...; Och & Ney 2003, Koehn et al.
2003), by ``fill`` (the embedding links, plus the eflomal links between two
words that the embedding aligner left both unaligned), or eflomal trained with lexical Dirichlet priors counted from the
embedding links (``combine: priors``).

The embedding links need no training; eflomal is trained on the pairs plus any
``extra`` pairs. With ``priors``, every training pair (``extra`` included) is
embedding-aligned first, and each aligned word-type pair becomes a ``LEX``
prior whose pseudo-count is ``prior_weight`` times its number of links.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from xlt.alignment.base import SymmetrizeMethod, aligners
from xlt.alignment.eflomal import EflomalAligner, EflomalConfig, to_alignment
from xlt.alignment.embedding import EmbeddingAligner, EmbeddingAlignerConfig
from xlt.config import MethodConfig
from xlt.registry import TINY_MODEL
from xlt.types import Alignment, Link, SentencePair

log = logging.getLogger(__name__)

CombineMethod = Literal[
    "fill", "union", "intersection", "grow-diag", "grow-diag-final", "grow-diag-final-and", "priors"
]


class HybridAlignerConfig(MethodConfig):
    method: Literal["hybrid"] = "hybrid"
    combine: CombineMethod = Field(
        "fill",
        description="How embedding and eflomal links are merged: fill (embedding links + eflomal links "
        "between two words both unaligned by them), a symmetrization heuristic over the two link sets, "
        "or priors: eflomal with lexical priors counted from the embedding links.",
    )
    model: str = Field("xlm-roberta-base", description="Encoder of the embedding aligner (hub id or path).")
    layer: int | list[int] | None = Field(None, description="Embedding aligner layer(s) (default: its own).")
    symmetrize: SymmetrizeMethod = Field(
        "grow-diag-final-and", description="How eflomal's forward and reverse links are combined first."
    )
    dictionary: Path | None = Field(None, description="eflomal: bilingual dictionary priors.")
    prior_weight: float = Field(
        0.5, gt=0, description="priors: Dirichlet pseudo-count per embedding link of a word-type pair."
    )
    embedding: dict[str, Any] = Field(
        default_factory=dict, description="Further options of the embedding aligner (e.g. matching)."
    )
    eflomal: dict[str, Any] = Field(
        default_factory=dict, description="Further options of the eflomal aligner (e.g. n_samplers)."
    )

    def embedding_config(self) -> EmbeddingAlignerConfig:
        return EmbeddingAlignerConfig.from_dict({**self.embedding, "model": self.model, "layer": self.layer})

    def eflomal_config(self) -> EflomalConfig:
        data = {"symmetrize": self.symmetrize, **self.eflomal}
        if self.dictionary is not None:
            data["dictionary"] = str(self.dictionary)
        return EflomalConfig.from_dict(data)


def embedding_priors(
    pairs: Sequence[SentencePair], alignments: Sequence[Alignment], weight: float
) -> list[tuple[str, str, float]]:
    """Lexical priors from alignments: ``(source word, target word, weight * link count)``."""
    counts: Counter[tuple[str, str]] = Counter()
    for pair, a in zip(pairs, alignments, strict=True):
        counts.update((pair.src[i], pair.tgt[j]) for i, j in a.sure)
    return [(s, t, weight * n) for (s, t), n in counts.items()]


@aligners.register(
    "hybrid",
    config=HybridAlignerConfig,
    reference="Jalili Sabet et al. 2020 (SimAlign) + Östling & Tiedemann 2016 (eflomal), "
    "links merged by symmetrization heuristics (Koehn et al. 2003) or as eflomal priors",
    example={"model": TINY_MODEL, "eflomal": {"rel_iterations": 0.05, "n_samplers": 1}},
    requires=("eflomal",),
    unseeded="eflomal's Gibbs sampler takes no seed, so links vary slightly between runs",
)
class HybridAligner:
    """Embedding (SimAlign-style) and eflomal links combined: merged by a symmetrization
    heuristic, or eflomal with priors from the embedding links."""

    def __init__(self, config: HybridAlignerConfig) -> None:
        self.config = config
        self.embedding_ = EmbeddingAligner(config.embedding_config())
        self.eflomal_ = EflomalAligner(config.eflomal_config())

    def align(self, pairs: Sequence[SentencePair], *, extra: Sequence[SentencePair] = ()) -> list[Alignment]:
        cfg = self.config
        if not pairs:
            return []
        if cfg.combine == "priors":
            everything = [*pairs, *extra]
            emb = self.embedding_.align(everything)
            self.eflomal_.lexical_priors = embedding_priors(everything, emb, cfg.prior_weight)
            try:
                return self.eflomal_.align(pairs, extra=extra)
            finally:
                self.eflomal_.lexical_priors = []
        emb = self.embedding_.align(pairs)
        efl = self.eflomal_.align(pairs, extra=extra)
        return [combine_links(e.sure, s.sure, cfg.combine) for e, s in zip(emb, efl, strict=True)]


def fill_links(base: frozenset[Link] | set[Link], filler: frozenset[Link] | set[Link]) -> set[Link]:
    """``base`` plus the links of ``filler`` whose source and target words are both unaligned
    in ``base`` (the ``-final-and`` step of Koehn et al. 2003, applied to a second aligner)."""
    src = {i for i, _ in base}
    tgt = {j for _, j in base}
    return set(base) | {(i, j) for i, j in filler if i not in src and j not in tgt}


def combine_links(embedding: frozenset[Link], statistical: frozenset[Link], method: str) -> Alignment:
    """Merge two link sets (``fill`` or a symmetrization heuristic); a link's score is 1.0
    where both aligners found it and 0.5 where only one did."""
    if method == "fill":
        links = fill_links(embedding, statistical)
        scores = {link: 1.0 if link in statistical and link in embedding else 0.5 for link in links}
        return Alignment(sure=frozenset(links), scores=scores)
    return to_alignment(set(embedding), set(statistical), method)
