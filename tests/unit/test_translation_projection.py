"""Translation-based projection: markers (EasyProject) and constrained decoding (Codec)."""

from __future__ import annotations

import pytest

from xlt.errors import ConfigError
from xlt.languages import resolve
from xlt.projection.base import bio_spans
from xlt.translation import translation_projectors
from xlt.translation.markers import parse_markers
from xlt.types import LabeledSentence

ENG, EUS = resolve("eng"), resolve("eus")
PAIRS = {"LOC": ("[", "]"), "PER": ("{", "}")}
MARY = LabeledSentence(("Mary", "went", "to", "Nairobi", "."), ("B-PER", "O", "O", "B-LOC", "O"), id="s1")
DOG = LabeledSentence(("The", "dog", "."), ("O", "O", "O"), id="s2")


class Scripted:
    """A translator answering from a table (tests choose what the 'MT system' does)."""

    def __init__(self, table: dict[str, str], open_ended: bool = True) -> None:
        self.table, self.open_ended, self.stats_, self.calls = table, open_ended, {}, []

    def translate(self, sentences, src, tgt):
        self.calls.append(list(sentences))
        return [self.table.get(s, s) for s in sentences]


def _labels(sent):
    return list(zip(sent.tokens, sent.labels, strict=True))


def test_parse_markers_counts_problems():
    segs, types, problems = parse_markers("{Maria} joan zen [Nairobira] .", PAIRS)
    assert types == ["PER", "LOC"] and not problems
    assert [t for t, i in segs if i is not None] == ["Maria", "Nairobira"]
    _, types, problems = parse_markers("{Maria joan zen [Nairobira] . }", PAIRS)
    assert types == ["LOC"] and problems["broken"] == 2  # re-opened {, stray }
    _, types, problems = parse_markers("{ } x [y", PAIRS)
    assert types == [] and problems == {"empty": 1, "broken": 1}


def test_markers_recover_spans():
    tr = Scripted(
        {"{ Mary } went to [ Nairobi ] .": "{Maria} [Nairobira] joan zen .", "The dog .": "Txakurra ."}
    )
    proj = translation_projectors.build("markers")
    out = proj.project([MARY, DOG], tr, ENG, EUS)
    assert _labels(out[0]) == [
        ("Maria", "B-PER"),
        ("Nairobira", "B-LOC"),
        ("joan", "O"),
        ("zen", "O"),
        (".", "O"),
    ]
    assert out[1].labels == ("O", "O") and out[0].meta["source_id"] == "s1"
    assert proj.stats_["markers"]["complete"] == 2 and proj.stats_["kept"] == 2
    assert tr.calls[0][0] == "{ Mary } went to [ Nairobi ] ."  # label-indexed brackets, sorted types


def test_lost_marker_falls_back_to_translated_entity():
    tr = Scripted({"{ Mary } went to [ Nairobi ] .": "{Maria} Nairobira joan zen .", "Nairobi": "Nairobira"})
    proj = translation_projectors.build("markers")
    out = proj.project([MARY], tr, ENG, EUS)
    assert out[0].labels == ("B-PER", "B-LOC", "O", "O", "O")
    assert proj.stats_["markers"]["lost"] == 1 and proj.stats_["spans"] == {
        "fuzzy_translate": 1,
        "markers": 1,
        "lost": 0,
        "dropped_with_sentence": 0,
    }
    assert tr.calls[1] == ["Nairobi"]


def test_fallback_copies_for_file_like_backends_and_drops_unmatched():
    tr = Scripted({"{ Mary } went to [ Nairobi ] .": "Mary joan zen xyz ."}, open_ended=False)
    proj = translation_projectors.build("markers")
    assert proj.project([MARY], tr, ENG, EUS) == []
    assert proj.stats_["dropped_by_reason"] == {"lost_span": 1}
    assert proj.stats_["spans"] == {"fuzzy_copy": 1, "lost": 1, "dropped_with_sentence": 0}
    assert len(tr.calls) == 1
    partial = translation_projectors.build("markers", keep_partial=True)
    out = partial.project([MARY], tr, ENG, EUS)
    assert out[0].labels == ("B-PER", "O", "O", "O", "O")


def test_duplicated_broken_empty_and_over_long():
    tr = Scripted(
        {
            "{ Mary } went to [ Nairobi ] .": "{Maria} {Maria} [Nairobira] .",
            "The dog .": "",
            "{ Mary } .": "{Maria} " + "oso " * 40,
        }
    )
    mary2 = LabeledSentence(("Mary", "."), ("B-PER", "O"), id="s3")
    proj = translation_projectors.build("markers")
    out = proj.project([MARY, DOG, mary2], tr, ENG, EUS)
    assert len(out) == 1 and proj.stats_["markers"]["duplicated"] == 1
    assert proj.stats_["dropped_by_reason"] == {"empty_translation": 1, "over_long": 1}
    assert proj.stats_["sentences"] == 3 and proj.stats_["kept"] + proj.stats_["dropped"] == 3


def test_too_many_types_for_the_marker_pairs():
    many = LabeledSentence(("a", "b"), ("B-X", "B-Y"))
    proj = translation_projectors.build("markers", markers=[["[", "]"]])
    with pytest.raises(ConfigError, match=r"2 span types .* only 1 free marker pairs"):
        proj.project([many], Scripted({}), ENG, EUS)
    with pytest.raises(ConfigError, match="differ"):
        translation_projectors.build("markers", markers=[["[", "]"], ["[", ")"]])


# -- constrained decoding ------------------------------------------------------------------
@pytest.fixture(scope="module")
def hf():
    from xlt.testing.tiny_mt import shared_tiny_seq2seq
    from xlt.translation import build_translator

    path = shared_tiny_seq2seq()
    return build_translator(
        {"method": "hf-seq2seq", "model": str(path), "device": "cpu", "beam_size": 2, "max_new_tokens": 48}
    )


def test_constrained_output_is_the_translation_with_every_span(hf):
    proj = translation_projectors.build("constrained")
    john = LabeledSentence(
        ("Mary", "met", "John", "in", "Nairobi", "."), ("B-PER", "O", "B-PER", "O", "B-LOC", "O"), id="j"
    )
    translations = ["Maria Johnekin Nairobin elkartu zen .", "Maria Nairobira joan zen .", "Txakurra ."]
    out = proj.project([john, MARY, DOG], hf, ENG, EUS, translations=translations)
    assert len(out) == 3
    for sent, text, src in zip(out, translations, [john, MARY, DOG], strict=True):
        assert " ".join(sent.tokens) == text  # constrained to the translation's words
        want = sorted(lab[2:] for lab in src.labels if lab.startswith("B-"))
        assert sorted(lab[2:] for lab in sent.labels if lab.startswith("B-")) == want
    assert proj.stats_["markers"] == {"complete": 5, "lost": 0, "unfinished": 0}


def test_constrained_failure_cases(hf):
    proj = translation_projectors.build("constrained")
    out = proj.project([MARY, DOG], hf, ENG, EUS, translations=["Maria", ""])
    assert out == []  # one word cannot hold two spans; an empty translation
    assert proj.stats_["dropped_by_reason"] == {"empty_translation": 1, "too_few_words": 1}
    free = translation_projectors.build("constrained", require_all=False, keep_partial=True)
    out = free.project([MARY], hf, ENG, EUS, translations=["Maria"])
    assert len(out) == 1 and out[0].tokens == ("Maria",)
    with pytest.raises(ConfigError, match="must be hf-seq2seq"):
        proj.project([MARY], Scripted({}), ENG, EUS)


def test_constrained_translates_first_when_no_translations_given(hf):
    proj = translation_projectors.build("constrained", max_length_ratio=100)
    out = proj.project([MARY], hf, ENG, EUS)
    assert proj.stats_["sentences"] == 1 and proj.stats_["kept"] + proj.stats_["dropped"] == 1
    if out:  # the random model's translation may be one word: then it is dropped, counted
        assert "".join(out[0].tokens).replace(" ", "") != ""


def test_marker_pairs_found_in_the_source_text_are_skipped():
    odd = LabeledSentence(("[", "Mary", "]", "now"), ("O", "B-PER", "O", "O"))
    tr = Scripted({})  # echoes its input: a perfect marker-preserving MT system
    proj = translation_projectors.build("markers")
    out = proj.project([odd], tr, ENG, EUS)
    assert proj.stats_["marker_pairs"] == {"PER": ["{", "}"]}
    assert out[0].labels == ("O", "B-PER", "O", "O") and proj.stats_["markers"]["duplicated"] == 0


def test_constrained_skips_markers_the_model_cannot_spell(hf):
    proj = translation_projectors.build("constrained", markers=[["⟦", "⟧"], ["[", "]"], ["{", "}"]])
    out = proj.project([MARY], hf, ENG, EUS, translations=["Maria Nairobira joan zen ."])
    assert proj.stats_["marker_pairs"] == {"LOC": ["[", "]"], "PER": ["{", "}"]} and len(out) == 1
    with pytest.raises(ConfigError, match="cannot spell"):
        translation_projectors.build("constrained", markers=[["⟦", "⟧"], ["⟪", "⟫"]]).project(
            [MARY], hf, ENG, EUS, translations=["Maria Nairobira joan zen ."]
        )


# -- scored candidates (T-Projection) ---------------------------------------------------------
class PrefixEncoder:
    """Word vectors from the first three letters (lower-cased): 'Nairobi' and 'Nairobin' agree."""

    def encode(self, sentences):
        import zlib

        import numpy as np

        from xlt.alignment.embedding import WordVectors

        out = []
        for words in sentences:
            vecs = np.zeros((len(words), 64), dtype=np.float32)
            for i, w in enumerate(words):
                vecs[i, zlib.crc32(w[:3].lower().encode()) % 63] = 1.0  # str hash() varies by process
                vecs[i, 63] += 0.1  # every word shares a little, as contextual vectors do
            out.append(WordVectors(vecs / np.linalg.norm(vecs, axis=1, keepdims=True), np.arange(len(words))))
        return out


def _candidates(**options):
    proj = translation_projectors.build("candidates", **options)
    proj._encoder = PrefixEncoder()
    return proj


def test_candidates_place_each_span_on_its_best_free_window():
    john = LabeledSentence(
        ("Mary", "met", "John", "Smith", "in", "Nairobi", "."),
        ("B-PER", "O", "B-PER", "I-PER", "O", "B-LOC", "O"),
        id="j",
    )
    table = {
        "Mary met John Smith in Nairobi .": "Maria Johnekin Smith jaunarekin Nairobin elkartu zen .",
        "The dog .": "Txakurra .",
    }
    proj = _candidates(extra_words=1)
    out = proj.project([john, DOG], Scripted(table), ENG, EUS)
    assert [s.id for s in out] == ["j", "s2"]
    assert _labels(out[0])[:5] == [
        ("Maria", "B-PER"), ("Johnekin", "B-PER"), ("Smith", "I-PER"), ("jaunarekin", "O"), ("Nairobin", "B-LOC"),
    ]  # fmt: skip
    assert set(out[1].labels) == {"O"}
    st = proj.stats_
    assert st["spans"] == {"placed": 3, "lost": 0, "dropped_with_sentence": 0} and st["source_spans"] == 3
    assert st["kept"] == 2 and st["translation_scored"] is False


def test_candidates_failure_cases_are_counted():
    table = {"Mary went to Nairobi .": "", "The dog .": "Txakurra ." * 40}
    proj = _candidates()
    assert proj.project([MARY, DOG], Scripted(table), ENG, EUS) == []
    assert proj.stats_["dropped_by_reason"] == {"empty_translation": 1, "over_long": 1}
    assert proj.stats_["spans"]["dropped_with_sentence"] == 2
    # a bar no candidate reaches: the span is lost, and the sentence with it unless keep_partial
    strict = _candidates(min_score=0.99)
    table = {"Mary went to Nairobi .": "Maria Kenyara joan zen ."}
    assert strict.project([MARY], Scripted(table), ENG, EUS) == []
    assert strict.stats_["dropped_by_reason"] == {"lost_span": 1}
    partial = _candidates(min_score=0.99, keep_partial=True).project([MARY], Scripted(table), ENG, EUS)
    assert partial[0].meta["spans"] == {0: "candidates", 1: "lost"}
    assert [lab for lab in partial[0].labels if lab != "O"] == ["B-PER"]


def test_candidates_with_a_real_encoder_and_translation_scores(hf, tiny_model_dir):
    """End to end: a (tiny) HF encoder for similarity and the seq2seq model's scores mixed in."""
    proj = translation_projectors.build("candidates", encoder=str(tiny_model_dir), translation_weight=0.5)
    table = {"Mary went to Nairobi .": "Maria Nairobira joan zen ."}

    class Scoring(Scripted):
        def sequence_log_probs(self, sources, targets, src, tgt):
            return hf.sequence_log_probs(sources, targets, src, tgt)

    out = proj.project([MARY], Scoring(table), ENG, EUS)
    assert proj.stats_["translation_scored"] is True
    assert len(out) == 1 and sorted(lab for lab in out[0].labels if lab.startswith("B-")) == [
        "B-LOC",
        "B-PER",
    ]


def test_hf_sequence_log_probs(hf):
    """Teacher-forced scores: the same in any batch size, and the model prefers its own output."""
    import math

    sources = ["Mary went to Nairobi .", "The dog ."]
    own = hf.translate(sources, ENG, EUS)
    shuffled = [" ".join(reversed(t.split())) + " zzz" for t in own]
    scores = hf.sequence_log_probs(sources + sources, own + shuffled, ENG, EUS)
    assert all(math.isfinite(x) and x < 0 for x in scores)
    assert scores[0] > scores[2] and scores[1] > scores[3]
    one = hf.config.model_copy(update={"batch_size": 1})
    from xlt.translation.hf import HFSeq2SeqTranslator

    single = HFSeq2SeqTranslator(one).sequence_log_probs(sources, own, ENG, EUS)
    assert single == pytest.approx(scores[:2], abs=1e-4)
    with pytest.raises(ValueError, match="as many targets"):
        hf.sequence_log_probs(sources, own[:1], ENG, EUS)


def test_candidates_into_given_token_lists():
    """Parallel text instead of a translator: token lists are kept exactly as given."""
    proj = _candidates()
    out = proj.project([MARY], None, ENG, EUS, translations=[["Maria", "Nairobi-ra", "joan", "zen", "."]])
    assert out[0].tokens == ("Maria", "Nairobi-ra", "joan", "zen", ".")
    assert out[0].labels == ("B-PER", "B-LOC", "O", "O", "O")
    with pytest.raises(Exception, match="1 translations were given for 2 source sentences"):
        proj.project([MARY, DOG], None, ENG, EUS, translations=["x"])


def test_the_tally_accounts_for_every_sentence_and_span():
    from xlt.translation.projection import ProjectionTally

    src = [MARY, MARY, MARY]
    spans = [bio_spans(s.labels) for s in src]
    tally = ProjectionTally(src, spans, method="markers", keep_partial=False)
    tally.drop(0, "empty_translation")
    assert tally.offer(1, ["Maria", "Nairobin"], {0: (0, 1), 1: (1, 2)}, how={1: "fuzzy_copy"})
    assert not tally.offer(2, ["Maria"], {0: (0, 1)})  # a span missing: dropped as lost_span
    st = tally.stats(seconds=0.0)
    assert st["kept"] == 1 and st["dropped_by_reason"] == {"empty_translation": 1, "lost_span": 1}
    assert st["spans"] == {"markers": 2, "fuzzy_copy": 1, "lost": 1, "dropped_with_sentence": 2}
    assert sum(st["spans"].values()) == st["source_spans"] == 6 and st["seconds"] == 0.0
    assert tally.kept[0].meta["spans"] == {0: "markers", 1: "fuzzy_copy"}
    assert tally.kept[0].labels == ("B-PER", "B-LOC")
