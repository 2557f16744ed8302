"""The word-aligner protocol and registry.

An aligner maps tokenised sentence pairs to word alignments (0-based
``(src, tgt)`` links), one :class:`~xlt.types.Alignment` per pair, in input order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

from xlt.registry import stage_registry
from xlt.types import Alignment, SentencePair

#: registered aligners (``eflomal``, ``embedding``)
aligners = stage_registry("aligners")

SymmetrizeMethod = Literal[
    "intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and", "forward", "reverse"
]


@runtime_checkable
class WordAligner(Protocol):
    """Aligns the words of sentence pairs."""

    def align(self, pairs: Sequence[SentencePair], *, extra: Sequence[SentencePair] = ()) -> list[Alignment]:
        """One alignment per pair of ``pairs`` (same order). ``extra`` pairs are only
        used to train a statistical model; no alignment is returned for them."""
        ...
