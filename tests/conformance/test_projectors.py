"""Every registered projector honours the LabelProjector contract."""

import pytest

from xlt.projection import LabelProjector, projectors
from xlt.types import Alignment, LabeledSentence, Sentence

SRC = [
    LabeledSentence(("John", "lives", "in", "Paris"), ("B-PER", "O", "O", "B-LOC")),
    LabeledSentence(("hello",), ("O",)),
    LabeledSentence((), ()),
]
TGT = [Sentence(("John", "wohnt", "in", "Paris", ".")), Sentence(("hallo", "du")), Sentence(("x",))]
ALIGNS = [Alignment(frozenset({(0, 0), (1, 1), (2, 2), (3, 3)})), Alignment(frozenset({(0, 0)})), Alignment()]


@pytest.mark.parametrize("name", projectors.names())
def test_projector_contract(name):
    entry = projectors.entry(name)
    assert entry.reference and entry.description
    proj = projectors.build(name, {})
    assert isinstance(proj, LabelProjector)
    out = proj.project(SRC, TGT, ALIGNS)
    assert len(out) == len(SRC)
    for t, o in zip(TGT, out, strict=True):
        assert o.tokens == t.tokens
        assert len(o.meta["confidence"]) == len(t)
        assert all(0.0 <= c <= 1.0 for c in o.meta["confidence"])
    assert out[0].labels[0] in ("B-PER", "PER") or out[0].labels[0].endswith("PER")
    assert proj.stats_["sentences"] == 3
    assert proj.project([], [], []) == []
