"""Dataset catalog: short ids (``ud:Basque-BDT:test``, ``bible:Basque-NT``...) for public datasets.

Each id maps to a file path relative to a data root (``xlt.paths.data_root()``,
or the user cache where ``xlt data fetch`` puts downloads) and records the
dataset's real public download location (pinned to a commit) and licence.
Resolution is offline; only :func:`xlt.catalog.fetch.fetch` touches the network.
"""

from xlt.catalog.entries import FAMILIES, DatasetEntry, Family, entry, is_catalog_id, list_entries
from xlt.catalog.resolve import available_languages, resolve, resolve_reference

__all__ = [
    "FAMILIES",
    "DatasetEntry",
    "Family",
    "available_languages",
    "entry",
    "is_catalog_id",
    "list_entries",
    "resolve",
    "resolve_reference",
]
