"""Model merging: averaging, linear, task arithmetic, TIES, layer swapping."""

from xlt.merging.functional import (
    average_state_dicts,
    average_tensors,
    linear_combination,
    task_arithmetic,
    ties_merge,
    trim_top_k,
)
from xlt.merging.methods import MergeMethod, mergers

__all__ = [
    "MergeMethod",
    "average_state_dicts",
    "average_tensors",
    "linear_combination",
    "mergers",
    "task_arithmetic",
    "ties_merge",
    "trim_top_k",
]
