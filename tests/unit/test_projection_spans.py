"""Span (BIO) projection edge cases: discontinuous, reordered, unaligned, overlapping, B/I repair."""

import pytest

from xlt.errors import MismatchError
from xlt.projection import bio_spans, projectors, spans_to_bio
from xlt.types import Alignment, LabeledSentence, Sentence


def L(tokens, labels):
    return LabeledSentence(tuple(tokens.split()), tuple(labels.split()))


def T(tokens):
    return Sentence(tuple(tokens.split()))


def A(links):
    return Alignment(sure=frozenset(links))


def project(src, tgt, links, **cfg):
    cfg.setdefault("exact_match", False)  # tested separately: here only the alignment decides
    proj = projectors.build("spans", cfg)
    out = proj.project([src], [tgt], [A(links)])
    return out[0], proj.stats_


def test_bio_spans_repairs_stray_inside_tags():
    assert bio_spans(["I-PER", "I-PER", "O", "B-LOC", "I-ORG", "I-ORG"]) == [
        ("PER", 0, 2),
        ("LOC", 3, 4),
        ("ORG", 4, 6),
    ]
    assert bio_spans(["B-PER", "B-PER", "S-LOC", "B-X", "E-X", "O"]) == [
        ("PER", 0, 1),
        ("PER", 1, 2),
        ("LOC", 2, 3),
        ("X", 3, 5),
    ]
    assert spans_to_bio(4, [("PER", 1, 3)]) == ["O", "B-PER", "I-PER", "O"]


def test_simple_projection_and_status():
    src = L("John Smith lives in Paris", "B-PER I-PER O O B-LOC")
    tgt = T("John Smith wohnt in Paris")
    out, stats = project(src, tgt, [(k, k) for k in range(5)])
    assert out.labels == ("B-PER", "I-PER", "O", "O", "B-LOC")
    assert [r["status"] for r in out.meta["spans"]] == ["projected", "projected"]
    assert stats["projected"] == 2 and stats["coverage"] == 1.0
    assert out.meta["confidence"][0] == 1.0


def test_reordered_spans():
    src = L("Paris and Berlin", "B-LOC O B-LOC")
    tgt = T("Berlin und Paris")
    out, _ = project(src, tgt, [(0, 2), (1, 1), (2, 0)])
    assert out.labels == ("B-LOC", "O", "B-LOC")
    assert [r["target"] for r in out.meta["spans"]] == [[[2, 3]], [[0, 1]]]


def test_unaligned_span_is_dropped_with_reason():
    src = L("Mr Smith spoke", "O B-PER O")
    tgt = T("Herr sprach")
    out, stats = project(src, tgt, [(0, 0), (2, 1)])
    assert out.labels == ("O", "O")
    assert out.meta["spans"][0]["status"] == "dropped"
    assert out.meta["spans"][0]["reason"] == "unaligned"
    assert stats["dropped_by_reason"] == {"unaligned": 1}


def test_gap_merging_only_over_free_tokens():
    src = L("European Central Bank said", "B-ORG I-ORG I-ORG O")
    tgt = T("Banca Centrale X Europea disse")
    # X is unaligned: the gap of one token is merged into one span
    out, _ = project(src, tgt, [(0, 3), (1, 1), (2, 0), (3, 4)])
    assert out.labels == ("B-ORG", "I-ORG", "I-ORG", "I-ORG", "O")
    # with max_gap=0 the runs stay apart: "largest" keeps the run with more links
    out, stats = project(src, tgt, [(0, 3), (1, 1), (2, 0), (3, 4)], max_gap=0)
    assert out.labels == ("B-ORG", "I-ORG", "O", "O", "O")
    assert out.meta["spans"][0]["status"] == "split" and stats["split"] == 1


def test_gap_aligned_outside_the_span_blocks_merging():
    src = L("John Smith said", "B-PER I-PER O")
    tgt = T("Smith sagte John")
    links = [(0, 2), (1, 0), (2, 1)]
    out, _ = project(src, tgt, links, max_gap=3)
    assert out.meta["spans"][0]["runs"] == 2
    out_hull, _ = project(src, tgt, links, discontinuous="hull")
    assert out_hull.labels == ("B-PER", "I-PER", "I-PER")
    out_split, _ = project(src, tgt, links, discontinuous="split")
    assert out_split.labels == ("B-PER", "O", "B-PER")
    out_drop, stats = project(src, tgt, links, discontinuous="drop")
    assert out_drop.labels == ("O", "O", "O") and stats["dropped_by_reason"] == {"discontinuous": 1}


def test_overlapping_projections_keep_the_better_supported_span():
    src = L("New York Times reporter", "B-ORG I-ORG I-ORG B-MISC")
    tgt = T("NYT-Reporter")
    out, stats = project(src, tgt, [(0, 0), (1, 0), (2, 0), (3, 0)])
    assert out.labels == ("B-ORG",)
    assert [r["status"] for r in out.meta["spans"]] == ["projected", "dropped"]
    assert out.meta["spans"][1]["reason"] == "overlap"
    assert stats["dropped"] == 1


def test_punctuation_trimmed_unless_in_source():
    src = L("Obama spoke", "B-PER O")
    tgt = T("„ Obama “ sprach")
    out, _ = project(src, tgt, [(0, 0), (0, 1), (0, 2), (1, 3)])
    assert out.labels == ("O", "B-PER", "O", "O")
    out, _ = project(src, tgt, [(0, 0), (0, 1), (0, 2), (1, 3)], trim_punctuation=False)
    assert out.labels == ("B-PER", "I-PER", "I-PER", "O")
    only_punct, _ = project(src, tgt, [(0, 0), (1, 3)])
    assert only_punct.meta["spans"][0]["reason"] == "punctuation"


def test_too_long_and_every_sentence_accounted_for():
    src = [L("Bob ran", "B-PER O"), L("nothing here", "O O"), L("", "")]
    tgt = [T("a b c d e f g h"), T("nichts hier"), T("")]
    proj = projectors.build("spans", {"discontinuous": "hull", "max_length_ratio": 2.0})
    out = proj.project(src, tgt, [A([(0, 0), (0, 7)]), A([(0, 0)]), A([])])
    assert len(out) == 3
    assert out[0].meta["spans"][0]["reason"] == "too_long"
    assert proj.stats_["sentences"] == 3 and proj.stats_["source_spans"] == 1


def test_bad_inputs():
    proj = projectors.build("spans", {})
    with pytest.raises(MismatchError, match="out of range"):
        proj.project([L("a", "B-PER")], [T("b")], [A([(0, 3)])])
    with pytest.raises(MismatchError, match="expected one of each"):
        proj.project([L("a", "B-PER")], [], [])


def test_exact_copy_of_a_name_is_preferred():
    src = L("Mr Prodi said", "O B-PER O")
    tgt = T("Herr Prodi sagte")
    links = [(0, 0), (1, 0), (2, 2)]  # the name is wrongly aligned to "Herr"
    out, _ = project(src, tgt, links)
    assert out.labels == ("B-PER", "O", "O")
    out, _ = project(src, tgt, links, exact_match=True)
    assert out.labels == ("O", "B-PER", "O")
    assert projectors.build("spans", {}).config.exact_match  # on by default (chosen on UNER PUD dev)
