"""Translation-based projection: markers (EasyProject) and constrained decoding (Codec)."""

from __future__ import annotations

import pytest

from xlt.errors import ConfigError
from xlt.languages import resolve
from xlt.translation import translation_projectors
from xlt.translation.markers import parse_markers
from xlt.types import LabeledSentence

ENG, EUS = resolve("eng"), resolve("eus")
PAIRS = {"LOC": ("[", "]"), "PER": ("{", "}")}
MARY = LabeledSentence(
    ("Mary", "went", "to", "Nairobi", "."), ("B-PER", "O", "O", "B-LOC", "O"), id="s1"
)
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
    tr = Scripted({"{ Mary } went to [ Nairobi ] .": "{Maria} [Nairobira] joan zen .", "The dog .": "Txakurra ."})
    proj = translation_projectors.build("markers")
    out = proj.project([MARY, DOG], tr, ENG, EUS)
    assert _labels(out[0]) == [("Maria", "B-PER"), ("Nairobira", "B-LOC"), ("joan", "O"), ("zen", "O"), (".", "O")]
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
    }
    assert tr.calls[1] == ["Nairobi"]


def test_fallback_copies_for_file_like_backends_and_drops_unmatched():
    tr = Scripted({"{ Mary } went to [ Nairobi ] .": "Mary joan zen xyz ."}, open_ended=False)
    proj = translation_projectors.build("markers")
    assert proj.project([MARY], tr, ENG, EUS) == []
    assert proj.stats_["dropped_by_reason"] == {"lost_span": 1}
    assert proj.stats_["spans"] == {"fuzzy_copy": 1, "lost": 1} and len(tr.calls) == 1
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
