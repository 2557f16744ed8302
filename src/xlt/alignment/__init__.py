"""Word alignment: the :class:`WordAligner` protocol, registered aligners
(``eflomal``, ``embedding``, ``hybrid``), symmetrization and alignment metrics."""

from xlt.alignment import eflomal, embedding, hybrid  # noqa: F401  (registers the methods)
from xlt.alignment.base import WordAligner, aligners
from xlt.alignment.metrics import alignment_scores
from xlt.alignment.symmetrize import symmetrize

__all__ = ["WordAligner", "aligners", "alignment_scores", "symmetrize"]
