"""Model merging: averaging, task arithmetic, TIES, layer swapping."""

from xlt.merging.functional import average_state_dicts, average_tensors

__all__ = ["average_state_dicts", "average_tensors"]
