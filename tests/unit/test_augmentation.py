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


def test_zero_shot_recipe_with_augmentation(tmp_path, write_recipe):
    from pathlib import Path

    from xlt.errors import ConfigError
    from xlt.pipeline import load_recipe, run_recipe

    res = Path(__file__).parents[1] / "resources" / "pipeline"
    d = tmp_path / "xx.tsv"
    d.write_text("bird\tlintu\ncat\tkissa\ndog\tkoira\nsees\tnäkee\n", encoding="utf-8")
    data = {
        "task": "ner",
        "method": "zero-shot",
        "model": "crf",
        "source": {"language": "eng", "train": str(res / "source_train_ner.conll")},
        "target": {"language": "xx", "test": str(res / "target_test_ner.conll")},
        "augment": [
            {"method": "codeswitch", "languages": ["xx"], "dictionaries": {"xx": str(d)}, "rate": 0.5}
        ],
        "output_dir": str(tmp_path / "out"),
    }
    rec, base = load_recipe(write_recipe(data))
    result = run_recipe(rec, base)
    aug = result.metrics["augment"]
    n_src = 60  # sentences of source_train_ner.conll
    assert aug["augmenters"][0]["examples"] == n_src and aug["examples"] > n_src
    assert aug["augmenters"][0]["switched_words"] > 0
    data["augment"] = [{"method": "codeswitch", "languages": ["xx"], "rate": 2}]
    with pytest.raises(ConfigError, match=r"(?s)augment\.0: .*rate"):
        run_recipe(*load_recipe(write_recipe(data)))
    data["method"] = "supervised"
    with pytest.raises(ConfigError, match="option of method 'zero-shot'"):
        load_recipe(write_recipe(data))


def test_zero_shot_recipe_romanises_the_target(tmp_path, write_recipe):
    """target.transliterate: the target test set is romanised (a cached step) before scoring; a
    Cyrillic copy of a Latin test set then scores exactly like the original."""
    from pathlib import Path

    from xlt.errors import ConfigError
    from xlt.pipeline import load_recipe, run_recipe

    res = Path(__file__).parents[1] / "resources" / "pipeline"
    latin = (res / "target_test_ner.conll").read_text(encoding="utf-8")
    to_cyr = str.maketrans("abdefgiklmnoprstuvzABDEFGIKLMNOPRSTUVZ", "абдефгиклмнопрстувзАБДЕФГИКЛМНОПРСТУВЗ")
    cyrillic = tmp_path / "test.conll"
    cyrillic.write_text(
        "\n".join(" ".join((w.translate(to_cyr), *rest)) if w else "" for w, *rest in (
            (line.split() or [""]) for line in latin.splitlines()
        )) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    data = {
        "task": "ner",
        "method": "zero-shot",
        "model": "crf",
        "source": {"language": "eng", "train": str(res / "source_train_ner.conll")},
        "target": {"language": "xx", "test": str(res / "target_test_ner.conll")},
        "output_dir": str(tmp_path / "latin"),
    }
    plain = run_recipe(*load_recipe(write_recipe(data))).metrics
    data["target"] = {"language": "xx", "test": str(cyrillic), "transliterate": "unidecode"}
    data["output_dir"] = str(tmp_path / "cyr")
    roman = run_recipe(*load_recipe(write_recipe(data))).metrics
    assert roman["transliterated"]["target.test"]["changed"] > 0
    assert roman["f1"] == plain["f1"] and "transliterated" not in plain
    data["method"] = "projection"
    data["source"]["parallel"], data["target"]["parallel"] = "en.tsv", "xx.tsv"
    with pytest.raises(ConfigError, match=r"target\.transliterate romanises labelled data"):
        load_recipe(write_recipe(data))


def test_uroman_failure_degrades_word_by_word(monkeypatch):
    """uroman 1.3 raises inside its number handling on some Chinese text: the text is romanised
    word by word, and a word uroman cannot take gets unidecode."""
    from xlt.vocab import transliterate as T

    class Flaky:
        def romanize_string(self, text: str) -> str:
            if "七" in text:
                raise AttributeError("'Edge' object has no attribute 'value'")
            return text.upper()

    monkeypatch.setattr(T, "_uroman", lambda: Flaky())
    assert T.transliterate("ab 七分", "uroman") == "AB Qi Fen "
    assert T.transliterate("ab cd", "uroman") == "AB CD"


def test_codeswitch_skips_affix_and_phrase_entries(tmp_path):
    """Wiktionary lists give bound morphemes ('of' -> 'la-') and phrases: neither replaces a word."""
    d = tmp_path / "sw.tsv"
    d.write_text("of\tla-\nin\t-ni\nhouse\tnyumba\nsees\tanaona sasa\nthe\t...\n", encoding="utf-8")
    aug = augmenters.build("codeswitch", languages=["swh"], dictionaries={"swh": str(d)}, rate=1.0)
    sent = LabeledSentence(("the", "house", "of", "Mary", "sees", "in"), ("O",) * 6)
    assert aug.augment([sent])[1].tokens == ("the", "nyumba", "of", "Mary", "sees", "in")
    assert aug.stats_["switchable_words"] == 1
