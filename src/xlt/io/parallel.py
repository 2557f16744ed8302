"""Parallel text: ``src ||| tgt`` lines, two-column TSV, two line-aligned files, and two Bibles
(read and joined by verse id in :mod:`xlt.io.bible`; its names are re-exported here).

Nothing is silently truncated: mismatched line counts raise :class:`MismatchError` with both
counts, and a verse join reports how many verses were only on one side or empty.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from xlt.errors import DataFormatError, MismatchError
from xlt.io.bible import (
    BOOKS,
    VerseJoin,
    ces_to_pbc,
    join_verses,
    pbc_to_ces,
    read_bible,
    read_bible_pair,
    write_bible_tsv,
)
from xlt.io.detect import looks_like_bible
from xlt.io.files import atomic_writer, iter_lines, resolve_path, strip_compression_suffix
from xlt.io.tokenize import tokenize
from xlt.types import SentencePair

log = logging.getLogger(__name__)

ParallelFormat = Literal["auto", "pharaoh", "tsv"]
SEPARATOR = " ||| "


_WS = re.compile(r"[ \t]+")


def split_tokens(text: str) -> tuple[str, ...]:
    """Pre-tokenised text split on ASCII spaces and tabs only (an ideographic space
    U+3000 can be a token, as in the KFTT alignment set)."""
    return tuple(t for t in _WS.split(text.strip(" \t\r\n")) if t)


def _name(path: str | Path) -> str:
    return strip_compression_suffix(Path(path).name)


def _split_pair(line: str, fmt: str, path: Path, lineno: int) -> tuple[str, str]:
    if fmt == "pharaoh":
        if "|||" not in line:
            raise DataFormatError(path, lineno, f"expected 'source ||| target', found {line[:80]!r}")
        parts = line.split("|||")
        if len(parts) != 2:
            raise DataFormatError(path, lineno, f"expected one '|||' separator, found {len(parts) - 1}")
        return parts[0], parts[1]
    parts = line.split("\t")
    if len(parts) < 2:
        raise DataFormatError(
            path, lineno, f"expected 2 tab-separated columns (source, target), found 1: {line[:80]!r}"
        )
    if len(parts) > 2:
        raise DataFormatError(
            path, lineno, f"expected 2 tab-separated columns (source, target), found {len(parts)}"
        )
    return parts[0], parts[1]


def iter_parallel(
    path: str | Path, *, fmt: ParallelFormat = "auto", allow_empty: bool = False
) -> Iterator[SentencePair]:
    """Stream pre-tokenised sentence pairs (tokens split on whitespace) from one file.

    ``fmt="auto"`` picks ``src ||| tgt`` when the first non-empty line contains ``|||``,
    else two-column TSV. Each pair's id is ``file:line``. An empty side raises
    :class:`DataFormatError` unless ``allow_empty`` (then it is kept, empty).
    """
    p = resolve_path(path)
    name = _name(p)
    use = fmt
    for lineno, line in iter_lines(p):
        if not line.strip():
            raise DataFormatError(p, lineno, "empty line; expected a sentence pair on every line")
        if use == "auto":
            use = "pharaoh" if "|||" in line else "tsv"
        src, tgt = _split_pair(line, use, p, lineno)
        s, t = split_tokens(src), split_tokens(tgt)
        if not allow_empty and (not s or not t):
            side = "source" if not s else "target"
            raise DataFormatError(p, lineno, f"empty {side} side; expected tokens on both sides of the pair")
        yield SentencePair(s, t, id=f"{name}:{lineno}")
    if use == "auto":
        raise DataFormatError(p, None, "no sentence pairs found (empty file)")


def read_parallel_files(
    src_path: str | Path, tgt_path: str | Path, *, tokenizer: Callable[[str], list[str]] | None = None
) -> list[SentencePair]:
    """Pairs from two line-aligned files (split on whitespace, or with ``tokenizer``).

    Different line counts raise :class:`MismatchError` naming both counts.
    """
    split = tokenizer or split_tokens
    src_lines = [line for _, line in iter_lines(src_path)]
    tgt_lines = [line for _, line in iter_lines(tgt_path)]
    if len(src_lines) != len(tgt_lines):
        raise MismatchError(
            f"{src_path} has {len(src_lines)} lines but {tgt_path} has {len(tgt_lines)}; "
            "line-aligned parallel files must have the same number of lines"
        )
    name = _name(src_path)
    return [
        SentencePair(tuple(split(s)), tuple(split(t)), id=f"{name}:{i}")
        for i, (s, t) in enumerate(zip(src_lines, tgt_lines, strict=True), start=1)
    ]


def write_parallel(pairs: Iterable[SentencePair], path: str | Path) -> int:
    """Write ``src ||| tgt`` lines (atomic); returns the number of pairs."""
    n = 0
    with atomic_writer(path) as fh:
        for pair in pairs:
            for tok in (*pair.src, *pair.tgt):
                if not tok or split_tokens(tok) != (tok,) or "\n" in tok or "|||" in tok:
                    raise DataFormatError(path, None, f"token {tok!r} of pair {pair.id} cannot be written")
            fh.write(f"{' '.join(pair.src)}{SEPARATOR}{' '.join(pair.tgt)}\n")
            n += 1
    return n


def read_parallel(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    fmt: ParallelFormat = "auto",
    tokenizer: Callable[[str], list[str]] | None = None,
) -> list[SentencePair]:
    """One entry point: a ``|||``/TSV file, a (src, tgt) pair of line-aligned files, or two Bibles.

    Bibles are joined by verse id (the join summary is logged) and tokenised with
    ``tokenizer`` (default :func:`~xlt.io.tokenize.tokenize`); line-aligned files are
    split on whitespace unless a tokenizer is given.
    """
    if isinstance(path_or_paths, (str, Path)):
        return list(iter_parallel(path_or_paths, fmt=fmt))
    paths = list(path_or_paths)
    if len(paths) != 2:
        raise ValueError(f"expected one parallel file or two files (source, target), got {len(paths)}")
    src, tgt = (resolve_path(p) for p in paths)
    if looks_like_bible(src) and looks_like_bible(tgt):
        pairs, _ = read_bible_pair(src, tgt, tokenizer=tokenizer or tokenize)
        return pairs
    return read_parallel_files(src, tgt, tokenizer=tokenizer)


def read_pairs_with_join(paths: Sequence[str | Path]) -> tuple[list[SentencePair], VerseJoin | None]:
    """Sentence pairs from one ``|||``/TSV file or two files (line-aligned or Bibles), and, for
    two Bibles, their :class:`VerseJoin` (what the join kept and dropped), else ``None``."""
    from xlt.errors import ConfigError

    if len(paths) not in (1, 2):
        raise ConfigError("--parallel takes one file (src ||| tgt, or TSV) or two files (source, target)")
    if len(paths) == 2:
        src, tgt = (resolve_path(p) for p in paths)
        if looks_like_bible(src) and looks_like_bible(tgt):
            return read_bible_pair(src, tgt)
    return read_parallel(paths[0] if len(paths) == 1 else paths), None


def read_pairs(paths: Sequence[str | Path]) -> list[SentencePair]:
    """The pairs of :func:`read_pairs_with_join`."""
    return read_pairs_with_join(paths)[0]


def check_line_counts(*paths: str | Path) -> int:
    """The common line count of several files; :class:`MismatchError` listing every count otherwise."""
    counts = []
    for p in paths:
        counts.append(sum(1 for _ in iter_lines(p)))
    if len(set(counts)) > 1:
        detail = ", ".join(f"{p}: {n}" for p, n in zip(paths, counts, strict=True))
        raise MismatchError(f"files must have the same number of lines ({detail})")
    return counts[0] if counts else 0


__all__ = [
    "BOOKS",
    "VerseJoin",
    "ces_to_pbc",
    "check_line_counts",
    "iter_parallel",
    "join_verses",
    "pbc_to_ces",
    "read_bible",
    "read_bible_pair",
    "read_pairs",
    "read_pairs_with_join",
    "read_parallel",
    "read_parallel_files",
    "write_bible_tsv",
    "write_parallel",
]
