"""Resolve catalog ids and plain paths to local files (offline)."""

from __future__ import annotations

from pathlib import Path

from xlt.catalog.entries import FAMILIES, DatasetEntry, entry, is_catalog_id
from xlt.errors import ConfigError, DataNotFoundError, UnknownNameError
from xlt.io.files import resolve_path
from xlt.paths import data_root, user_cache_dir


def _roots(root: str | Path | None) -> list[Path]:
    roots = [data_root(root)]
    cache = user_cache_dir()
    if cache not in roots:
        roots.append(cache)
    return roots


def local_file(e: DatasetEntry, root: str | Path | None = None, *, cache: bool = True) -> Path | None:
    """The local copy of ``e`` (plain or compressed) under the data root (or the cache), or None."""
    for base in _roots(root) if cache else [data_root(root)]:
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


def available_languages(
    family: str, root: str | Path | None = None, *, split: str = "train", cache: bool = True
) -> list[str]:
    """The languages (treebanks for ``ud``) of a ``<family>:<lang>:<split>`` family whose ``split``
    file is present under the data root (or the cache), in catalog order: e.g. the MasakhaNER 2.0
    languages at hand."""
    if family not in FAMILIES:
        raise UnknownNameError("dataset family", family, FAMILIES)
    langs: list[str] = []
    for dataset_id in FAMILIES[family].enumerate():
        parts = dataset_id.split(":")
        if len(parts) != 3:
            raise ConfigError(f"dataset family {family}: ids are not <family>:<lang>:<split> ({dataset_id})")
        lang = parts[1]
        if (
            parts[2] == split
            and lang not in langs
            and local_file(entry(dataset_id), root, cache=cache) is not None
        ):
            langs.append(lang)
    return langs


SHARED_PREFIX = "shared:"


def resolve_shared(ref: str, root: str | Path | None = None) -> Path:
    """``shared:REL``: the file ``REL`` under the data root, confined to it.

    ``REL`` must be a relative path that stays inside the root once ``..`` parts are
    applied (lexically, so links the data owner placed inside the root still work);
    an absolute or escaping ``REL`` is a :class:`ConfigError` raised before anything is
    opened, so no line of an outside file can ever reach an error message.
    """
    import os

    rel = ref[len(SHARED_PREFIX) :] if ref.startswith(SHARED_PREFIX) else ref
    base = data_root(root)
    norm = os.path.normpath(rel) if rel else ""
    if (
        not rel
        or Path(rel).is_absolute()
        or rel.startswith("~")
        or norm == ".."
        or norm.startswith(".." + os.sep)
        or "\x00" in rel
    ):
        raise ConfigError(
            f"data reference {ref!r} leaves the data root {base}; "
            "expected shared:RELATIVE/PATH inside it (e.g. shared:ud/UD_Basque-BDT/eu_bdt-ud-test.conllu)"
        )
    return resolve_path(base / norm)


def resolve_reference(
    ref: str | Path, *, base: str | Path | None = None, root: str | Path | None = None
) -> Path:
    """A recipe data reference: a catalog id, ``shared:REL`` (under the data root, confined to
    it; see :func:`resolve_shared`), or a path (relative to ``base``; ``.gz`` found too)."""
    text = str(ref)
    if text.startswith(SHARED_PREFIX):
        return resolve_shared(text, root)
    if is_catalog_id(text) and not Path(text).exists():
        return resolve(text, root)
    p = Path(text).expanduser()
    if not p.is_absolute() and base is not None and not p.exists():
        p = Path(base) / p
    if p.is_dir():
        return p
    return resolve_path(p)
