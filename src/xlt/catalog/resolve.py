"""Resolve catalog ids and plain paths to local files (offline)."""

from __future__ import annotations

from pathlib import Path

from xlt.catalog.entries import DatasetEntry, entry, is_catalog_id
from xlt.errors import DataNotFoundError
from xlt.io.files import resolve_path
from xlt.paths import data_root, user_cache_dir


def _roots(root: str | Path | None) -> list[Path]:
    roots = [data_root(root)]
    cache = user_cache_dir()
    if cache not in roots:
        roots.append(cache)
    return roots


def local_file(e: DatasetEntry, root: str | Path | None = None) -> Path | None:
    """The local copy of ``e`` (plain or compressed) under the data root or cache, or None."""
    for base in _roots(root):
        for rel in (e.path, *e.alternatives):
            try:
                return resolve_path(base / rel)
            except DataNotFoundError:
                continue
    return None


def resolve(dataset_id: str, root: str | Path | None = None) -> Path:
    """The local file of a catalog id; a clear error (with the fetch command) when absent."""
    e = entry(dataset_id)
    found = local_file(e, root)
    if found is None:
        where = ", ".join(str(b) for b in _roots(root))
        hint = (
            f"download it with: xlt data fetch {dataset_id}   (from {e.url})"
            if e.url
            else "this dataset is derived data and cannot be fetched directly"
        )
        raise DataNotFoundError(
            f"dataset {dataset_id}: not found under {where} (looked for {e.path})", hint=hint
        )
    return found


def resolve_reference(
    ref: str | Path, *, base: str | Path | None = None, root: str | Path | None = None
) -> Path:
    """A recipe data reference: a catalog id, or a path (relative to ``base``; ``.gz`` found too)."""
    text = str(ref)
    if is_catalog_id(text) and not Path(text).exists():
        return resolve(text, root)
    p = Path(text).expanduser()
    if not p.is_absolute() and base is not None and not p.exists():
        p = Path(base) / p
    if p.is_dir():
        return p
    return resolve_path(p)
