"""Where xlt looks for data: ``$XLT_DATA``, else ``../shared/data`` beside the
checkout (or the current directory), else a user cache directory."""

from __future__ import annotations

import os
from pathlib import Path


def _candidates() -> list[Path]:
    here = Path(__file__).resolve()
    repo = here.parents[2]  # src/xlt/paths.py -> repository root
    return [
        repo.parent / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
        Path.cwd() / "shared" / "data",
    ]


def xlt_cache_dir() -> Path:
    """xlt's own cache (converted models, steps shared across runs): ``$XLT_CACHE``, else
    ``$XDG_CACHE_HOME/xlt`` (default ``~/.cache/xlt``)."""
    env = os.environ.get("XLT_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xlt"


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xlt" / "data"


def data_root(explicit: str | Path | None = None) -> Path:
    """The data root: an explicit path, ``$XLT_DATA``, shared data beside the checkout, or the cache."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("XLT_DATA")
    if env:
        return Path(env)
    for cand in _candidates():
        if cand.is_dir():
            return cand
    return user_cache_dir()


def shared_data_available(root: Path | None = None) -> bool:
    root = root or data_root()
    return (root / "SOURCES.md").exists() or (root / "ud").is_dir()
