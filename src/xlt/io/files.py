"""Transparent reading of plain and compressed text files, and atomic writes.

Compression is recognised by magic bytes (gzip, bzip2, xz), so a gzipped file
without ``.gz`` still reads; writing picks the codec from the extension.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from xlt.errors import DataFormatError, DataNotFoundError

_MAGIC = {b"\x1f\x8b": "gz", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_EXT = {".gz": "gz", ".bz2": "bz2", ".xz": "xz"}


def compression_of(path: str | Path) -> str | None:
    """The compression of an existing file ('gz', 'bz2', 'xz') or None."""
    with open(path, "rb") as fh:
        head = fh.read(6)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def resolve_path(path: str | Path) -> Path:
    """``path`` if it exists, else the same path with a compression suffix added.

    Lets users (and recipes) name ``train.txt`` when only ``train.txt.gz`` is there.
    """
    p = Path(path)
    if p.exists():
        return p
    for ext in _EXT:
        alt = p.with_name(p.name + ext)
        if alt.exists():
            return alt
    raise DataNotFoundError(f"{p}: no such file (also looked for {', '.join(p.name + e for e in _EXT)})")


def strip_compression_suffix(name: str) -> str:
    for ext in _EXT:
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def open_binary(path: str | Path) -> IO[bytes]:
    p = resolve_path(path)
    if p.is_dir():
        raise DataFormatError(p, None, "expected a file, found a directory")
    kind = compression_of(p)
    if kind == "gz":
        return gzip.open(p, "rb")
    if kind == "bz2":
        return bz2.open(p, "rb")
    if kind == "xz":
        return lzma.open(p, "rb")
    return open(p, "rb")


def _bounded_lines(fh: IO[bytes], limit: int, path: Path) -> Iterator[bytes]:
    """Lines of ``fh``, never reading more than ``limit + 1`` bytes into one line."""
    lineno = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > limit and not (len(raw) == limit + 1 and raw.endswith(b"\n")):
            raise DataFormatError(
                path,
                lineno,
                f"line {lineno} is longer than {limit} bytes; expected text lines "
                "(raise the cap with XLT_MAX_LINE_BYTES if this is intended)",
            )
        yield raw


def iter_lines(
    path: str | Path, *, strip_bom: bool = True, max_line_bytes: int | None = None
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` (1-based, newline removed), streaming.

    Invalid UTF-8, a corrupt compressed stream or a line longer than
    ``max_line_bytes`` (default :func:`xlt.limits.max_line_bytes`) raises
    :class:`DataFormatError` naming the file and line; no line is ever read
    whole past the cap, so decompression bombs stay small in memory.
    """
    from xlt.limits import max_line_bytes as default_limit

    limit = max_line_bytes if max_line_bytes is not None else default_limit()
    p = resolve_path(path)
    lineno = 0
    try:
        with open_binary(p) as fh:
            for lineno, raw in enumerate(_bounded_lines(fh, limit, p), start=1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise DataFormatError(
                        p, lineno, f"invalid UTF-8 at byte {err.start} of the line; expected UTF-8 text"
                    ) from None
                if lineno == 1 and strip_bom and text.startswith("\ufeff"):
                    text = text[1:]
                yield lineno, text.rstrip("\r\n")
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as err:
        if isinstance(err, FileNotFoundError):
            raise DataNotFoundError(f"{p}: no such file") from None
        raise DataFormatError(p, lineno + 1, f"cannot read compressed data ({err})") from None


def read_bounded(path: str | Path, limit: int, *, variable: str) -> bytes:
    """The whole (decompressed) content of ``path``, refusing more than ``limit`` bytes
    (a :class:`DataFormatError` naming the file and ``variable``, the cap's environment
    variable) and corrupt compressed streams; never holds more than ``limit + 1`` bytes."""
    p = resolve_path(path)
    try:
        with open_binary(p) as fh:
            data = fh.read(limit + 1)
    except (OSError, EOFError, lzma.LZMAError, zlib.error, ValueError) as err:
        raise DataFormatError(p, None, f"cannot read compressed data ({err})") from None
    if len(data) > limit:
        raise DataFormatError(
            p,
            None,
            f"larger than {limit} bytes once decompressed (raise the cap with {variable} if intended)",
        )
    return data


def read_text(path: str | Path) -> str:
    """The whole (decompressed, UTF-8 validated) file as one string, at most
    :func:`xlt.limits.max_text_bytes` of it (a decompression bomb of short lines fails too)."""
    from xlt.limits import max_text_bytes

    cap = max_text_bytes()
    lines: list[str] = []
    total = 0
    for lineno, line in iter_lines(path):
        total += len(line) + 1
        if total > cap:
            raise DataFormatError(
                path,
                lineno,
                f"file is larger than {cap} bytes, too large to read whole "
                "(raise the cap with XLT_MAX_TEXT_BYTES if this is intended)",
            )
        lines.append(line)
    return "\n".join(lines) + "\n"


def is_empty(path: str | Path) -> bool:
    return all(not line.strip() for _, line in iter_lines(path))


def _current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def loads_json(text: str, path: str | Path | None, lineno: int | None) -> object:
    """``json.loads`` whose every failure is a :class:`DataFormatError` at ``path:lineno``.

    Refuses nesting deeper than :func:`xlt.limits.max_json_depth` before parsing (so
    no ``RecursionError``) and integers past Python's digit limit.
    """
    import json

    from xlt.limits import max_json_depth

    cap = max_json_depth()
    depth = 0
    in_str = esc = False
    scan = text if text.count("[") + text.count("{") > cap else ""
    for ch in scan:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > cap:
                raise DataFormatError(
                    path, lineno, f"JSON nested deeper than {cap} levels; expected flat records"
                )
        elif ch in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        where = lineno if lineno is not None else err.lineno  # a whole file: the parser's line
        raise DataFormatError(path, where, f"invalid JSON ({err.msg} at column {err.colno})") from None
    except (ValueError, RecursionError) as err:
        raise DataFormatError(path, lineno, f"invalid JSON value ({str(err).split(';')[0]})") from None


@contextlib.contextmanager
def _atomic_raw(path: Path) -> Iterator[IO[bytes]]:
    """The one atomic-write core: a temporary file beside ``path``, fsynced, given the
    umask's mode (mkstemp creates 0600) and renamed over ``path`` when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if not fh.closed:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_binary_writer(path: str | Path) -> Iterator[IO[bytes]]:
    """Open ``path`` for binary writing; the file appears only when the block succeeds.

    The data goes to a temporary file beside ``path`` that is renamed over it at the
    end, so two concurrent writers never leave a torn file (the last rename wins) and
    an interrupted write leaves the old file untouched. The file gets the mode a plain
    ``open`` would (``0666`` minus the umask). ``.gz``/``.bz2``/``.xz`` suffixes select
    compression. Every writer in xlt goes through this function (or :func:`atomic_write_bytes`).
    """
    p = Path(path)
    kind = _EXT.get(p.suffix)
    with _atomic_raw(p) as raw:
        if kind is None:
            yield raw
            return
        codec: IO[bytes]
        if kind == "gz":
            codec = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
        elif kind == "bz2":
            codec = bz2.BZ2File(raw, "wb")
        else:
            codec = lzma.LZMAFile(raw, "wb")
        with codec:
            yield codec


@contextlib.contextmanager
def atomic_writer(path: str | Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Open ``path`` for text writing; the file appears only when the block succeeds.

    ``.gz``/``.bz2``/``.xz`` suffixes select compression.
    """
    with atomic_binary_writer(path) as raw:
        fh = io.TextIOWrapper(raw, encoding=encoding, newline="\n")
        try:
            yield fh
            fh.flush()
        finally:
            if not fh.closed:
                fh.detach()  # the binary writer closes (and syncs) the file itself


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, as given (no compression by suffix)."""
    with _atomic_raw(Path(path)) as fh:
        fh.write(data)
