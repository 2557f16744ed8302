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
    aligner = aligners.build(
        "embedding", {"model": str(tiny_model_dir), "layer": 1, "max_length": 16, "pooling": "mean"}
    )
    vecs = aligner._encoder().encode([long_src, long_tgt])
    assert vecs[0].vecs.shape[0] == 80 and vecs[1].vecs.shape[0] == 60
    assert list(vecs[0].owner) == list(range(80))
    # every word, also past the first 16-subword window, got a (unit-length) vector
    assert np.allclose(np.linalg.norm(vecs[0].vecs, axis=1), 1.0, atol=1e-4)
    out = aligner.align([SentencePair(long_src, long_tgt)])
    assert all(i < 80 and j < 60 for i, j in out[0].sure)


def test_bad_layer(tiny_model_dir):
    aligner = aligners.build("embedding", {"model": str(tiny_model_dir), "layer": 99})
    with pytest.raises(ConfigError, match="layer 99"):
        aligner.align([SentencePair(("a",), ("b",))])


def test_softmax_links_keeps_confident_mutual_links():
    from xlt.alignment.embedding import softmax_links

    # low temperature: close to mutual argmax; (2, 2) is row 2's best but column 2 prefers row 1
    assert softmax_links(SIM, temperature=0.01, threshold=0.5) == {(0, 0), (1, 2)}
    # a very high threshold keeps only the clear links
    assert softmax_links(SIM, temperature=0.1, threshold=0.9) == {(0, 0)}


def test_distortion_prior_penalises_distant_positions():
    from xlt.alignment.embedding import distortion_prior

    d = distortion_prior(np.arange(3), np.arange(5), 3, 5)
    assert d.shape == (3, 5)
    assert d[0, 0] == 0 and d[2, 4] == 0 and d[0, 4] == pytest.approx(1.0)


def test_default_layer_is_six_tenths_of_depth():
    from xlt.alignment.embedding import default_layer

    assert default_layer(12) == 7 and default_layer(24) == 14 and default_layer(6) == 4
    assert default_layer(1) == 1


def test_pool_vectors_subword_mean_first_and_centering():
    from xlt.alignment.embedding import pool_vectors

    hidden = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype=np.float32)
    owner = np.array([0, 0, 1])
    sub = pool_vectors(hidden, owner, 2, "subword", center=False)
    assert sub.vecs.shape == (3, 2) and list(sub.owner) == [0, 0, 1]
    mean = pool_vectors(hidden, owner, 2, "mean", center=False)
    assert list(mean.owner) == [0, 1]
    assert np.allclose(mean.vecs[0], [2**-0.5, 2**-0.5])
    first = pool_vectors(hidden, owner, 2, "first", center=False)
    assert np.allclose(first.vecs, [[1.0, 0.0], [2**-0.5, 2**-0.5]])
    centred = pool_vectors(hidden, owner, 2, "subword", center=True)
    # the sentence mean (2/3, 2/3) is removed: the third subword points along (1, 1)
    assert np.allclose(centred.vecs[2], [2**-0.5, 2**-0.5], atol=1e-6)
    assert np.allclose(np.linalg.norm(centred.vecs, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    "options",
    [
        {"pooling": "subword", "center": True, "matching": "argmax"},
        {"pooling": "mean", "center": False, "matching": "softmax"},
        {"pooling": "first", "center": True, "matching": "itermax", "distortion": 0.5},
        {"pooling": "subword", "center": False, "matching": "match", "layer": [1, 2]},
    ],
)
def test_tiny_model_options(tiny_model_dir, pairs, options):
    aligner = aligners.build("embedding", {"model": str(tiny_model_dir), "batch_size": 2, **options})
    out = aligner.align(pairs)
    assert len(out) == 3 and out[2].sure == frozenset()
    for pair, a in zip(pairs, out, strict=True):
        assert all(0 <= i < len(pair.src) and 0 <= j < len(pair.tgt) for i, j in a.sure)
        assert set(a.scores or {}) == set(a.sure)
    assert out[0].sure


def test_default_layer_and_truncation(tiny_model_dir):
    aligner = aligners.build("embedding", {"model": str(tiny_model_dir)})
    enc = aligner._encoder()
    n_layers = enc.model.config.num_hidden_layers
    from xlt.alignment.embedding import _layer_list, default_layer

    assert enc.layers == [default_layer(n_layers)]
    found = _layer_list(enc.model)
    assert found is not None and len(found[2]) == default_layer(n_layers)  # upper layers dropped


def test_layer_average_equals_mean_of_single_layers(tiny_model_dir):
    words = [("Mary", "went", "to", "Nairobi")]

    def states(layer):
        aligner = aligners.build("embedding", {"model": str(tiny_model_dir), "layer": layer})
        return aligner._encoder().subword_states(words)[0][0]

    both = states([1, 2])
    assert np.allclose(both, (states(1) + states(2)) / 2, atol=1e-5)


def test_batching_and_bucketing_do_not_change_vectors(tiny_model_dir):
    sentences = [tuple(f"w{k}" for k in range(n)) for n in (3, 17, 1, 9, 30, 5)]
    one = aligners.build("embedding", {"model": str(tiny_model_dir), "batch_size": 1})._encoder()
    many = aligners.build(
        "embedding", {"model": str(tiny_model_dir), "batch_size": 4, "max_batch_tokens": 64}
    )._encoder()
    assert many._batches([5, 40, 3, 20, 12]) == [[1], [3, 4, 0], [2]]  # longest first, token budget
    for (a, oa), (b, ob) in zip(one.subword_states(sentences), many.subword_states(sentences), strict=True):
        assert np.array_equal(oa, ob) and np.allclose(a, b, atol=1e-4)
