"""Symmetrization of two directional word alignments (Och & Ney 2003; Koehn et al. 2003).

``forward`` and ``reverse`` are both given as ``(src, tgt)`` link sets. The
grow-diag family starts from the intersection and adds union links that touch
an already aligned neighbour ("grow") and, for the ``final`` variants, any
remaining union link whose source or (``-and``: and) target word is unaligned.
"""

from __future__ import annotations

from collections.abc import Iterable

from xlt.errors import UnknownNameError
from xlt.types import Link

METHODS = (
    "intersection",
    "union",
    "grow-diag",
    "grow-diag-final",
    "grow-diag-final-and",
    "forward",
    "reverse",
)
#: accepted abbreviations
ALIASES = {
    "gd": "grow-diag",
    "gdf": "grow-diag-final",
    "gdfa": "grow-diag-final-and",
    "inter": "intersection",
    "fwd": "forward",
    "rev": "reverse",
}


def canonical_method(method: str) -> str:
    """The full name of a symmetrization method (``gdfa`` -> ``grow-diag-final-and``)."""
    name = ALIASES.get(method, method)
    if name not in METHODS:
        raise UnknownNameError("symmetrization method", method, [*METHODS, *ALIASES])
    return name


def _touches(links: set[Link], i: int, j: int) -> bool:
    """Whether a link is a horizontal, vertical or diagonal neighbour of (i, j) (unrolled: hot path)."""
    return (
        (i - 1, j) in links
        or (i + 1, j) in links
        or (i, j - 1) in links
        or (i, j + 1) in links
        or (i - 1, j - 1) in links
        or (i - 1, j + 1) in links
        or (i + 1, j - 1) in links
        or (i + 1, j + 1) in links
    )


def _grow_diag(forward: set[Link], reverse: set[Link]) -> set[Link]:
    links = forward & reverse
    src_aligned = {i for i, _ in links}
    tgt_aligned = {j for _, j in links}
    # only union links can be added: sweep them (in order) until a sweep adds nothing
    candidates = sorted((forward | reverse) - links)
    added = True
    while added and candidates:
        added = False
        remaining = []
        for i, j in candidates:
            if i in src_aligned and j in tgt_aligned:
                continue  # can never be added any more
            if _touches(links, i, j):
                links.add((i, j))
                src_aligned.add(i)
                tgt_aligned.add(j)
                added = True
            else:
                remaining.append((i, j))
        candidates = remaining
    return links


def _final(links: set[Link], directional: set[Link], *, both: bool) -> None:
    src_aligned = {i for i, _ in links}
    tgt_aligned = {j for _, j in links}
    for i, j in sorted(directional):
        if (i, j) in links:
            continue
        free_src, free_tgt = i not in src_aligned, j not in tgt_aligned
        if (free_src and free_tgt) if both else (free_src or free_tgt):
            links.add((i, j))
            src_aligned.add(i)
            tgt_aligned.add(j)


def symmetrize(
    forward: Iterable[Link], reverse: Iterable[Link], method: str = "grow-diag-final-and"
) -> set[Link]:
    """Combine two directional alignments into one link set."""
    name = canonical_method(method)
    fwd, rev = set(forward), set(reverse)
    if name == "forward":
        return fwd
    if name == "reverse":
        return rev
    if name == "intersection":
        return fwd & rev
    if name == "union":
        return fwd | rev
    links = _grow_diag(fwd, rev)
    if name in ("grow-diag-final", "grow-diag-final-and"):
        both = name == "grow-diag-final-and"
        _final(links, fwd, both=both)
        _final(links, rev, both=both)
    return links
