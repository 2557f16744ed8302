"""Golden tests of the symmetrization heuristics on hand-made link matrices."""

import pytest

from xlt.alignment.symmetrize import canonical_method, symmetrize
from xlt.errors import UnknownNameError

# case A: the union adds two crossing links next to the intersection, but both words of each
# are already aligned, so no grow-diag variant may add them
A_FWD = {(0, 0), (1, 1), (0, 1)}
A_REV = {(0, 0), (1, 1), (1, 0)}
# case B: an isolated forward link (2,3) and reverse link (2,2) far from the intersection
B_FWD = {(0, 0), (2, 3)}
B_REV = {(0, 0), (2, 2)}
# case C: a diagonal chain only the forward model found
C_FWD = {(0, 0), (1, 1), (2, 2)}
C_REV = {(0, 0)}
# case D: growth along a row: (1,0) and (1,1) are both neighbours of (0,0)
D_FWD = {(0, 0), (1, 0), (3, 3)}
D_REV = {(0, 0), (1, 1)}


@pytest.mark.parametrize(
    ("fwd", "rev", "method", "expected"),
    [
        (A_FWD, A_REV, "intersection", {(0, 0), (1, 1)}),
        (A_FWD, A_REV, "union", {(0, 0), (1, 1), (0, 1), (1, 0)}),
        (A_FWD, A_REV, "grow-diag", {(0, 0), (1, 1)}),
        (A_FWD, A_REV, "grow-diag-final", {(0, 0), (1, 1)}),
        (A_FWD, A_REV, "grow-diag-final-and", {(0, 0), (1, 1)}),
        (B_FWD, B_REV, "grow-diag", {(0, 0)}),
        (B_FWD, B_REV, "grow-diag-final", {(0, 0), (2, 3), (2, 2)}),
        (B_FWD, B_REV, "grow-diag-final-and", {(0, 0), (2, 3)}),
        (C_FWD, C_REV, "intersection", {(0, 0)}),
        (C_FWD, C_REV, "grow-diag", {(0, 0), (1, 1), (2, 2)}),
        # (1,0) is added first (source 1 unaligned); then (1,1) still has an unaligned target word
        (D_FWD, D_REV, "grow-diag", {(0, 0), (1, 0), (1, 1)}),
        (D_FWD, D_REV, "grow-diag-final-and", {(0, 0), (1, 0), (1, 1), (3, 3)}),
        (D_FWD, D_REV, "forward", D_FWD),
        (D_FWD, D_REV, "reverse", D_REV),
    ],
)
def test_golden(fwd, rev, method, expected):
    assert symmetrize(fwd, rev, method) == expected


def test_inputs_not_mutated_and_aliases():
    fwd, rev = set(B_FWD), set(B_REV)
    assert symmetrize(fwd, rev, "gdfa") == symmetrize(fwd, rev, "grow-diag-final-and")
    assert fwd == B_FWD and rev == B_REV
    assert canonical_method("gdf") == "grow-diag-final"


def test_nested_relations_hold():
    fwd = {(0, 0), (1, 2), (2, 1), (3, 3), (4, 3), (5, 5)}
    rev = {(0, 0), (1, 1), (2, 1), (3, 3), (4, 4), (5, 6)}
    inter, union = fwd & rev, fwd | rev
    gd = symmetrize(fwd, rev, "grow-diag")
    gdfa = symmetrize(fwd, rev, "grow-diag-final-and")
    gdf = symmetrize(fwd, rev, "grow-diag-final")
    assert inter <= gd <= gdfa <= gdf <= union


def test_unknown_method():
    with pytest.raises(UnknownNameError, match="did you mean"):
        symmetrize(set(), set(), "grow-diag-finl")
