"""Embedding + eflomal combination: link merging, embedding-derived priors, the registered aligner."""

import pytest

from xlt.alignment import aligners
from xlt.alignment.hybrid import combine_links, embedding_priors
from xlt.types import Alignment, SentencePair

PAIRS = [
    SentencePair(("the", "house"), ("das", "haus")),
    SentencePair(("a", "small", "house"), ("ein", "kleines", "haus")),
    SentencePair(("the", "car"), ("das", "auto")),
] * 3


def test_combine_links_union_intersection_and_scores():
    emb, stat = frozenset({(0, 0), (1, 1)}), frozenset({(1, 1), (2, 2)})
    union = combine_links(emb, stat, "union")
    assert union.sure == {(0, 0), (1, 1), (2, 2)}
    assert union.scores[(1, 1)] == 1.0 and union.scores[(0, 0)] == 0.5
    assert combine_links(emb, stat, "intersection").sure == {(1, 1)}
    # grow-diag-final-and adds union links touching the intersection or between unaligned words
    assert combine_links(emb, stat, "grow-diag-final-and").sure == {(0, 0), (1, 1), (2, 2)}


def test_fill_adds_only_links_between_two_unaligned_words():
    emb = frozenset({(0, 0), (1, 1)})
    stat = frozenset({(0, 1), (2, 1), (2, 2), (3, 3)})
    out = combine_links(emb, stat, "fill")
    assert out.sure == {(0, 0), (1, 1), (2, 2), (3, 3)}  # (0, 1), (2, 1) touch aligned words
    assert out.scores[(0, 0)] == 0.5


def test_embedding_priors_count_links_per_word_pair():
    pairs = [SentencePair(("the", "house"), ("das", "haus")), SentencePair(("the",), ("das",))]
    aligns = [Alignment(sure=frozenset({(0, 0), (1, 1)})), Alignment(sure=frozenset({(0, 0)}))]
    assert sorted(embedding_priors(pairs, aligns, 0.5)) == [("house", "haus", 0.5), ("the", "das", 1.0)]


def test_eflomal_lexical_priors_become_lex_lines():
    from xlt.alignment.eflomal import EflomalAligner, EflomalConfig

    aligner = EflomalAligner(EflomalConfig())
    assert aligner._prior_lines(PAIRS) is None
    aligner.lexical_priors = [("The", "Das", 1.0), ("the", "das", 0.5), ("new york", "ny", 2.0)]
    lines = aligner._prior_lines(PAIRS)
    assert "LEX\tthe\tdas\t1.5\n" in lines and "LEX\tnew_york\tny\t2\n" in lines


@pytest.mark.parametrize("combine", ["fill", "union", "intersection", "grow-diag-final-and", "priors"])
def test_hybrid_aligner(tiny_model_dir, combine):
    pytest.importorskip("eflomal", reason="eflomal is an optional extra: pip install 'xlt[align]'")
    aligner = aligners.build(
        "hybrid",
        {
            "model": str(tiny_model_dir),
            "combine": combine,
            "eflomal": {"rel_iterations": 0.05, "n_samplers": 1},
            "embedding": {"batch_size": 4},
        },
    )
    out = aligner.align(PAIRS[:4], extra=PAIRS[4:])
    assert len(out) == 4
    for pair, a in zip(PAIRS[:4], out, strict=True):
        assert all(0 <= i < len(pair.src) and 0 <= j < len(pair.tgt) for i, j in a.sure)
    assert any(a.sure for a in out)
    assert aligner.eflomal_.lexical_priors == []  # priors are per call
