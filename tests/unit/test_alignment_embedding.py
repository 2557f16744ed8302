"""SimAlign-style embedding aligner: link extraction on hand-made matrices and a tiny local model."""

import numpy as np
import pytest

from xlt.alignment import aligners
from xlt.alignment.embedding import argmax_links, itermax_links, match_links
from xlt.errors import ConfigError
from xlt.types import SentencePair

SIM = np.array(
    [
        [0.9, 0.1, 0.0],
        [0.2, 0.3, 0.8],
        [0.1, 0.7, 0.75],
    ]
)


def test_argmax_directions():
    fwd, rev = argmax_links(SIM)
    assert fwd == {(0, 0), (1, 2), (2, 2)}
    assert rev == {(0, 0), (2, 1), (1, 2)}
    assert fwd & rev == {(0, 0), (1, 2)}


def test_itermax_adds_links_for_unaligned_words():
    assert itermax_links(SIM, rounds=1) == {(0, 0), (1, 2)}
    assert itermax_links(SIM, rounds=2) == {(0, 0), (1, 2), (2, 1)}


def test_match_is_a_bipartite_matching():
    assert match_links(SIM) == {(0, 0), (1, 2), (2, 1)}


@pytest.fixture(scope="module")
def pairs():
    return [
        SentencePair(
            tuple(["The", "quick", "brown", "fox", "."]), tuple(["Der", "schnelle", "braune", "Fuchs", "."])
        ),
        SentencePair(tuple(["Mary", "went", "to", "Nairobi"]), tuple(["Mary", "ging", "nach", "Nairobi"])),
        SentencePair((), ("leer",)),
    ]


@pytest.mark.parametrize("matching", ["argmax", "itermax", "match"])
def test_tiny_model_alignment(tiny_model_dir, pairs, matching):
    aligner = aligners.build(
        "embedding", {"model": str(tiny_model_dir), "layer": -1, "matching": matching, "batch_size": 2}
    )
    out = aligner.align(pairs)
    assert len(out) == 3 and out[2].sure == frozenset()
    for pair, a in zip(pairs, out, strict=True):
        assert all(0 <= i < len(pair.src) and 0 <= j < len(pair.tgt) for i, j in a.sure)
    assert out[0].sure and all(-1.0001 <= s <= 1.0001 for s in out[0].scores.values())


def test_long_sentence_is_windowed_not_truncated(tiny_model_dir):
    long_src = tuple(("word" + str(k % 7)) for k in range(80))
    long_tgt = tuple(("wort" + str(k % 5)) for k in range(60))
    aligner = aligners.build("embedding", {"model": str(tiny_model_dir), "layer": 1, "max_length": 16})
    vecs = aligner._encoder().encode([long_src, long_tgt])
    assert vecs[0].shape[0] == 80 and vecs[1].shape[0] == 60
    # every word, also past the first 16-subword window, got a (unit-length) vector
    assert np.allclose(np.linalg.norm(vecs[0], axis=1), 1.0, atol=1e-4)
    out = aligner.align([SentencePair(long_src, long_tgt)])
    assert all(i < 80 and j < 60 for i, j in out[0].sure)


def test_bad_layer(tiny_model_dir):
    aligner = aligners.build("embedding", {"model": str(tiny_model_dir), "layer": 99})
    with pytest.raises(ConfigError, match="layer 99"):
        aligner.align([SentencePair(("a",), ("b",))])
