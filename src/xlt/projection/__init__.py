"""Label projection through word alignments: token-level and span-level (BIO)
projectors and multi-source weighted voting."""

from xlt.projection import spans, tokens  # noqa: F401  (registers the methods)
from xlt.projection.base import LabelProjector, bio_spans, projectors, spans_to_bio
from xlt.projection.multisource import vote, vote_by_id

__all__ = ["LabelProjector", "bio_spans", "projectors", "spans_to_bio", "vote", "vote_by_id"]
