"""Code-switching (CoSDA-ML) and transliteration augmentation."""

from __future__ import annotations

import pytest

from xlt.augmentation import Augmenter, augmenters
from xlt.errors import DataNotFoundError
from xlt.types import LabeledSentence, TextExample

SENT = LabeledSentence(
    ("The", "dog", "sees", "Mary", "in", "the", "house", "."),
    ("O", "O", "O", "B-PER", "O", "O", "O", "O"),
    id="s1",
)


@pytest.fixture
def dicts(tmp_path):
    eu = tmp_path / "eu.tsv"
    eu.write_text("dog\ttxakur\nhouse\tetxe\nsees\tikusten\nmary\tmaria\nthe\ta\n", encoding="utf-8")
    sw = tmp_path / "sw.tsv"
    sw.write_text("dog\tmbwa\nhouse\tnyumba\n", encoding="utf-8")
    return {"eus": str(eu), "swh": str(sw)}


def _cs(dicts, **kw):
    return augmenters.build("codeswitch", languages=sorted(dicts), dictionaries=dicts, **kw)


def test_codeswitch_rate_one_switches_every_known_word(dicts):
    aug = _cs(dicts, rate=1.0, keep_original=False)
    assert isinstance(aug, Augmenter)
    (out,) = aug.augment([SENT])
    assert out.labels == SENT.labels and len(out.tokens) == len(SENT.tokens)
    assert out.tokens[2] == "ikusten" and out.tokens[3] == "Maria" and out.tokens[7] == "."
    assert out.tokens[1] in ("txakur", "mbwa") and out.tokens[0] == "A"
    assert aug.stats_["switched_words"] == aug.stats_["switchable_words"] == 6


def test_codeswitch_rate_zero_and_copies(dicts):
    assert _cs(dicts, rate=0.0).augment([SENT]) == [SENT]
    out = _cs(dicts, rate=1.0).augment([SENT])
    assert out[0] == SENT and len(out) == 2 and out[1].meta["augmented"] == "codeswitch"


def test_codeswitch_is_seeded_and_scoped(dicts):
    data = [SENT] * 30
    a = [s.tokens for s in _cs(dicts, rate=0.5, seed=1).augment(data)]
    b = [s.tokens for s in _cs(dicts, rate=0.5, seed=1).augment(data)]
    c = [s.tokens for s in _cs(dicts, rate=0.5, seed=2).augment(data)]
    assert a == b and a != c
    ents = _cs(dicts, rate=1.0, scope="entities", keep_original=False).augment([SENT])[0]
    assert ents.tokens == ("The", "dog", "sees", "Maria", "in", "the", "house", ".")
    rest = _cs(dicts, rate=1.0, scope="non-entities", keep_original=False).augment([SENT])[0]
    assert rest.tokens[3] == "Mary" and rest.tokens[2] == "ikusten"


def test_codeswitch_text_examples_and_missing_dictionary(dicts, tmp_path):
    out = _cs(dicts, rate=1.0, keep_original=False).augment([TextExample("the dog", "animals")])
    assert out[0].label == "animals" and out[0].text.split()[0] == "a"
    with pytest.raises(DataNotFoundError, match="no bilingual dictionary for 'qqq'"):
        augmenters.build("codeswitch", languages=["qqq"], data_root=str(tmp_path)).augment([SENT])


@pytest.mark.data
def test_codeswitch_with_the_shared_muse_dictionary(shared_data):
    aug = augmenters.build("codeswitch", languages=["deu"], rate=1.0, keep_original=False)
    out = aug.augment([SENT])[0]
    assert out.tokens[1] != "dog" and aug.stats_["by_language"]["deu"] >= 2


def test_transliterate_romanises_non_latin_only():
    data = [
        LabeledSentence(("Швидка", "бура", "fox", "."), ("O", "B-X", "O", "O")),
        LabeledSentence(("plain", "Latin"), ("O", "O")),
        TextExample("Սկզբից էր Բանը", "x"),
    ]
    aug = augmenters.build("transliterate")
    out = aug.augment(data)
    assert len(out) == 5 and aug.stats_["changed"] == 2  # the Latin sentence is not duplicated
    assert out[3].tokens == ("Shvidka", "bura", "fox", ".") and out[3].labels == data[0].labels
    assert out[4].text.startswith("Skzbi")


@pytest.mark.slow  # uroman loads its tables for ~5 s
def test_transliterate_with_uroman():
    pytest.importorskip("uroman")
    out = augmenters.build("transliterate", scheme="uroman", keep_original=False).augment(
        [LabeledSentence(("Швидка", "лисиця"), ("O", "O"))]
    )
    assert out[0].tokens[0] == "Shvidka" and out[0].tokens[1].isascii()
