"""Moved to :mod:`xlt.projection.constraints` (projection logic belongs to the projection stage);
this module re-exports it for one release."""

from xlt.projection.constraints import (
    MostFrequentTagBaseline,
    TypeConstraintOptions,
    apply_type_constraints,
    coverage,
    drop_uncertain_sources,
    filter_by_coverage,
    type_dictionary,
    unlabel_low_confidence,
)

__all__ = [
    "MostFrequentTagBaseline",
    "TypeConstraintOptions",
    "apply_type_constraints",
    "coverage",
    "drop_uncertain_sources",
    "filter_by_coverage",
    "type_dictionary",
    "unlabel_low_confidence",
]
