"""Download catalog datasets into the user cache (the only networked code of the catalog)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from xlt.catalog.entries import DatasetEntry, entry
from xlt.catalog.resolve import local_file
from xlt.errors import DataNotFoundError, XltError
from xlt.io.files import atomic_binary_writer
from xlt.paths import user_cache_dir

CHUNK = 1 << 16


class FetchError(XltError):
    """A dataset could not be downloaded (offline, HTTP error...)."""


def fetch(
    dataset_id: str,
    *,
    dest_root: str | Path | None = None,
    force: bool = False,
    timeout: float = 60.0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    """Download ``dataset_id`` into ``dest_root`` (default: the user cache), gzip-compressed.

    Already-present data (in the data root or cache) is not downloaded again
    unless ``force``. The file appears atomically. ``progress(done, total)`` is
    called as bytes arrive.
    """
    e = entry(dataset_id)
    if not force:
        have = local_file(e)
        if have is not None:
            return have
    if e.url is None:
        raise DataNotFoundError(f"dataset {dataset_id} is derived data and has no download location")
    root = Path(dest_root) if dest_root is not None else user_cache_dir()
    target = root / (e.path + ".gz")
    _download(e, target, timeout=timeout, progress=progress)
    return target


def _download(
    e: DatasetEntry, target: Path, *, timeout: float, progress: Callable[[int, int | None], None] | None
) -> None:
    if not e.url or not e.url.startswith("https://"):
        raise FetchError(f"dataset {e.id}: refusing non-https download location {e.url!r}")
    request = urllib.request.Request(e.url, headers={"User-Agent": "xlt-data-fetch"})
    try:
        with atomic_binary_writer(target) as out, urllib.request.urlopen(request, timeout=timeout) as resp:
            total = resp.headers.get("Content-Length")
            total_n = int(total) if total and total.isdigit() else None
            done = 0
            while chunk := resp.read(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total_n)
            if done == 0:
                raise FetchError(f"dataset {e.id}: {e.url} returned no data")
    except urllib.error.HTTPError as err:
        raise FetchError(f"dataset {e.id}: download failed with HTTP {err.code} from {e.url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise FetchError(
            f"dataset {e.id}: cannot reach {e.url} ({reason})",
            hint="you seem to be offline; download the file by hand and place it under "
            f"$XLT_DATA/{e.path} (or .gz)",
        ) from None
