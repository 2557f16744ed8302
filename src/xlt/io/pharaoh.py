"""Word alignments: Pharaoh ``i-j`` lines, the NAACL-2003 ``S``/``P`` format, XL-WA TSV, gold sets.

In Pharaoh lines each link is ``i-j`` (a sure link), ``ipj`` or ``i?j`` (a possible
link, as in the awesome-align gold files) and optionally ``i-j-p`` with a score.
Indices are 0-based unless ``one_based=True``; :class:`~xlt.types.Alignment` always
holds 0-based links.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from xlt.errors import DataFormatError, MismatchError
from xlt.io.conll import RepairReport
from xlt.io.files import atomic_writer, iter_lines, resolve_path
from xlt.types import Alignment, Link, SentencePair

log = logging.getLogger(__name__)

_PLAIN_LINE = re.compile(r"\s*\d+-\d+(?:\s+\d+-\d+)*\s*", re.ASCII)
_LINK = re.compile(r"^(\d+)([-p?])(\d+)(?:-(\d+(?:\.\d*)?|\.\d+))?$", re.ASCII)


def _plain_links(line: str) -> set[Link] | None:
    """The links of a line of plain ``i-j`` items only, or ``None`` for anything else."""
    if not _PLAIN_LINE.fullmatch(line):
        return None
    nums = list(map(int, line.replace("-", " ").split()))
    return set(zip(nums[::2], nums[1::2], strict=True))


def parse_links(line: str, *, path: str | Path | None = None, lineno: int | None = None) -> set[Link]:
    """All links (sure and possible) of a 0-based Pharaoh line as a set, e.g. an aligner's output;
    the fast path for the plain ``"0-1 2-2"`` lines aligners write."""
    fast = _plain_links(line)
    if fast is not None:
        return fast
    parsed = parse_pharaoh(line, path=path, lineno=lineno)
    return set(parsed.sure | parsed.possible)


def parse_pharaoh(
    line: str,
    *,
    one_based: bool = False,
    src_len: int | None = None,
    tgt_len: int | None = None,
    path: str | Path | None = None,
    lineno: int | None = None,
    out_of_range: Literal["error", "drop"] = "error",
    report: RepairReport | None = None,
) -> Alignment:
    """Parse one alignment line. Malformed links raise :class:`DataFormatError`; so do links
    past the sentence ends, unless ``out_of_range="drop"`` (then they are counted in ``report``)."""
    sure: set[Link] = set()
    possible: set[Link] = set()
    scores: dict[Link, float] = {}
    offset = 1 if one_based else 0
    # the common case, unscored 0-based "i-j" links in range, skips the per-link parser
    fast = None if one_based else _plain_links(line)
    if (
        fast is not None
        and (src_len is None or max(i for i, _ in fast) < src_len)
        and (tgt_len is None or max(j for _, j in fast) < tgt_len)
    ):
        return Alignment(frozenset(fast), frozenset(), None)
    for item in line.split():
        m = _LINK.match(item)
        if not m:
            raise DataFormatError(
                path, lineno, f"bad alignment link {item!r}; expected i-j (sure), ipj (possible) or i-j-score"
            )
        i, j = int(m.group(1)) - offset, int(m.group(3)) - offset
        if i < 0 or j < 0:
            raise DataFormatError(path, lineno, f"link {item!r} has index 0 but the file is 1-based")
        problem = None
        if src_len is not None and i >= src_len:
            problem = f"link {item!r}: source index out of range (sentence has {src_len} tokens)"
        elif tgt_len is not None and j >= tgt_len:
            problem = f"link {item!r}: target index out of range (sentence has {tgt_len} tokens)"
        if problem is not None:
            if out_of_range == "error":
                raise DataFormatError(path, lineno, problem)
            if report is not None:
                report.add("out-of-range link dropped", path, lineno, problem)
            continue
        if m.group(2) == "-":
            sure.add((i, j))
        else:
            possible.add((i, j))
        if m.group(4) is not None:
            scores[(i, j)] = float(m.group(4))
    return Alignment(frozenset(sure), frozenset(possible - sure), scores or None)


def read_pharaoh(
    path: str | Path,
    *,
    one_based: bool = False,
    pairs: Sequence[SentencePair] | None = None,
    out_of_range: Literal["error", "drop"] = "error",
    report: RepairReport | None = None,
) -> list[Alignment]:
    """One alignment per line; with ``pairs`` the line counts and indices are checked against them.

    ``out_of_range="drop"`` drops links past the sentence ends instead of raising; they
    are counted (in ``report`` when given) and logged as a warning.
    """
    own = RepairReport()
    out: list[Alignment] = []
    for lineno, line in iter_lines(path):
        src_len = tgt_len = None
        if pairs is not None:
            if lineno > len(pairs):
                raise MismatchError(f"{path} has more alignment lines than the {len(pairs)} sentence pairs")
            src_len, tgt_len = len(pairs[lineno - 1].src), len(pairs[lineno - 1].tgt)
        out.append(
            parse_pharaoh(
                line,
                one_based=one_based,
                src_len=src_len,
                tgt_len=tgt_len,
                path=path,
                lineno=lineno,
                out_of_range=out_of_range,
                report=own,
            )
        )
    if pairs is not None and len(out) != len(pairs):
        raise MismatchError(
            f"{path} has {len(out)} alignment lines but there are {len(pairs)} sentence pairs"
        )
    if own:
        log.warning("%s: %s", path, own.summary())
        if report is not None:
            report.merge(own)
    return out


def format_pharaoh(alignment: Alignment, *, include_possible: bool = True, one_based: bool = False) -> str:
    """``i-j`` links sorted, possible-only links as ``ipj`` (with ``include_possible``)."""
    off = 1 if one_based else 0
    items = [(i, j, "-") for i, j in alignment.sure]
    if include_possible:
        items += [(i, j, "p") for i, j in alignment.possible - alignment.sure]
    return " ".join(f"{i + off}{sep}{j + off}" for i, j, sep in sorted(items))


def write_pharaoh(
    alignments: Iterable[Alignment],
    path: str | Path,
    *,
    include_possible: bool = True,
    one_based: bool = False,
) -> int:
    """One alignment per line (atomic); returns the number of lines."""
    n = 0
    with atomic_writer(path) as fh:
        for a in alignments:
            fh.write(format_pharaoh(a, include_possible=include_possible, one_based=one_based) + "\n")
            n += 1
    return n


def read_xlwa(path: str | Path) -> list[tuple[SentencePair, Alignment]]:
    """XL-WA (Martelli et al. 2023) TSV: ``src<TAB>tgt<TAB>0-based i-j links``, bounds-checked."""
    from xlt.io.parallel import split_tokens

    p = resolve_path(path)
    out: list[tuple[SentencePair, Alignment]] = []
    for lineno, line in iter_lines(p):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 3:
            raise DataFormatError(
                p, lineno, f"expected 3 tab-separated columns (source, target, alignment), found {len(cols)}"
            )
        pair = SentencePair(split_tokens(cols[0]), split_tokens(cols[1]), id=f"{p.name}:{lineno}")
        if not pair.src or not pair.tgt:
            raise DataFormatError(p, lineno, "empty source or target sentence")
        align = parse_pharaoh(cols[2], src_len=len(pair.src), tgt_len=len(pair.tgt), path=p, lineno=lineno)
        out.append((pair, align))
    return out


def read_gold_alignment_set(
    text_path: str | Path,
    gold_path: str | Path,
    *,
    one_based: bool = True,
    out_of_range: Literal["error", "drop"] = "error",
) -> list[tuple[SentencePair, Alignment]]:
    """An awesome-align style test set: ``src ||| tgt`` text plus a gold file (1-based, ``p`` = possible)."""
    from xlt.io.parallel import iter_parallel

    pairs = list(iter_parallel(text_path, fmt="pharaoh"))
    aligns = read_pharaoh(gold_path, one_based=one_based, pairs=pairs, out_of_range=out_of_range)
    return list(zip(pairs, aligns, strict=True))


def read_naacl(
    path: str | Path, *, n_sentences: int | None = None, one_based: bool = False
) -> list[Alignment]:
    """The NAACL-2003 / AER format: ``sent_id src tgt [S|P] [score]`` per line (sentence ids from 1).

    Sentences without links get an empty alignment; ``n_sentences`` pads the list to that length
    and is the largest sentence id accepted (without it, :func:`xlt.limits.max_sentence_id`), so a
    huge id is an error naming the line, never a huge list.
    """
    from xlt.limits import max_sentence_id

    off = 1 if one_based else 0
    cap = n_sentences if n_sentences is not None else max_sentence_id()
    links: dict[int, tuple[set[Link], set[Link]]] = {}
    for lineno, line in iter_lines(path):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 3 or len(parts) > 5 or not all(x.isascii() and x.isdigit() for x in parts[:3]):
            raise DataFormatError(path, lineno, f"expected 'sentence src tgt [S|P] [score]', found {line!r}")
        kind = parts[3].upper() if len(parts) > 3 else "S"
        if kind not in ("S", "P"):
            raise DataFormatError(path, lineno, f"link type {parts[3]!r}; expected S or P")
        sid, i, j = int(parts[0]), int(parts[1]) - off, int(parts[2]) - off
        if sid < 1 or i < 0 or j < 0:
            raise DataFormatError(path, lineno, f"index below the minimum in {line!r}")
        if sid > cap:
            raise DataFormatError(
                path,
                lineno,
                f"sentence id {parts[0][:20]}{'...' if len(parts[0]) > 20 else ''} is past the "
                + (
                    f"{n_sentences} sentences of the text"
                    if n_sentences is not None
                    else f"largest accepted id {cap} (raise it with XLT_MAX_SENTENCE_ID)"
                ),
            )
        sure, poss = links.setdefault(sid, (set(), set()))
        (sure if kind == "S" else poss).add((i, j))
    n = max([*links, n_sentences or 0])
    empty: tuple[set[Link], set[Link]] = (set(), set())
    out = []
    for k in range(1, n + 1):
        sure, poss = links.get(k, empty)
        out.append(Alignment(frozenset(sure), frozenset(poss - sure)))
    return out


#: the values ``gold_format`` takes in :func:`read_gold`
GOLD_FORMATS = ("auto", "xlwa", "naacl", "pharaoh", "aer")


def read_gold(
    gold: str | Path, gold_format: str, text: str | Path | None
) -> tuple[list[Alignment], list[SentencePair] | None]:
    """Gold alignments (and their pairs, where the format or ``text`` has them) from any
    supported format; ``gold_format="auto"`` tells XL-WA TSV and NAACL/AER lines apart."""
    from xlt.errors import ConfigError
    from xlt.io.parallel import read_pairs

    if gold_format == "auto":
        first = next((line for _, line in iter_lines(gold) if line.strip()), "")
        cols = first.split("\t")
        if len(cols) == 3:
            gold_format = "xlwa"
        elif (
            len(first.split()) in (3, 4, 5)
            and all(x.isdigit() for x in first.split()[:3])
            and "-" not in first
        ):
            gold_format = "aer"
        else:
            raise ConfigError(
                f"{gold}: cannot tell the gold format; pass --gold-format naacl (1-based i-j/ipj) or pharaoh"
            )
    if gold_format == "xlwa":
        items = read_xlwa(gold)
        return [a for _, a in items], [p for p, _ in items]
    pairs = list(read_pairs([text])) if text is not None else None
    if gold_format == "aer":
        return read_naacl(gold, n_sentences=len(pairs) if pairs else None, one_based=True), pairs
    return read_pharaoh(gold, one_based=gold_format == "naacl", pairs=pairs), pairs
