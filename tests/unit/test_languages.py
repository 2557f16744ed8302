"""Language-code normalisation, script detection and language metadata."""

from __future__ import annotations

import math

import pytest

from xlt.errors import UnknownNameError
from xlt.languages import MACRO_TO_INDIVIDUAL, detect_script, resolve
from xlt.languages.codes import alternates
from xlt.languages.codes import detect_script as detect_script_from_codes
from xlt.languages.codes import resolve as resolve_language


@pytest.mark.parametrize(
    ("text", "code", "script"),
    [
        ("wol", "wol", None),
        ("wo", "wol", None),
        ("ger", "deu", None),  # ISO 639-2/B
        ("fre", "fra", None),
        ("de", "deu", None),
        ("iw", "heb", None),  # deprecated ISO 639-1
        ("swa", "swh", None),  # macrolanguages map to one individual language
        ("sw", "swh", None),
        ("swh", "swh", None),
        ("nor", "nob", None),
        ("no", "nob", None),
        ("fas", "pes", None),
        ("zho", "cmn", None),
        ("est", "ekk", None),
        ("lav", "lvs", None),
        ("msa", "zsm", None),
        ("ara", "arb", None),
        ("wol_Latn", "wol", "Latn"),  # FLORES
        ("zho_Hans", "cmn", "Hans"),
        ("sr-Latn", "srp", "Latn"),
        ("en-US", "eng", None),  # BCP-47: region dropped
        ("zh-Hant-TW", "cmn", "Hant"),
        ("pt_BR", "por", None),
        ("nucl1347", "wol", None),  # glottocode of the language
        ("wolo1247", "wol", None),  # glottocode of the subgroup named after it
        ("Wolof", "wol", None),  # English names, case/accent-insensitive
        ("basque", "eus", None),
        ("Norwegian Bokmal", "nob", None),
        ("  hau ", "hau", None),
    ],
)
def test_resolve(text: str, code: str, script: str | None) -> None:
    lang = resolve(text)
    assert lang.code == code
    assert lang.script == script
    assert lang.given == text
    assert resolve_language(text) == lang


def test_equality_ignores_given() -> None:
    assert resolve_language("swa") == resolve_language("swh") == resolve_language("Swahili")
    assert str(resolve_language("swa")) == "swa"


@pytest.mark.parametrize("bad", ["xq", "qqq1", "Wolfo", "abcd1234", "", "zzz_Latn"])
def test_unknown_codes_raise_with_suggestions(bad: str) -> None:
    with pytest.raises(UnknownNameError) as info:
        resolve(bad)
    assert "language code" in str(info.value)


def test_suggestions_are_close() -> None:
    with pytest.raises(UnknownNameError, match="Wolof"):
        resolve("Wolfo")


def test_macro_table_targets_exist() -> None:
    for macro, individual in MACRO_TO_INDIVIDUAL.items():
        assert resolve(individual).code == individual, macro


def test_alternates_include_macrolanguage() -> None:
    assert alternates("swh")[:2] == ["swh", "swa"]
    assert "lav" in alternates("lvs")


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Jàmm nga fanaan?", "Latn"),
        ("Привет, мир!", "Cyrl"),
        ("ሰላም ለዓለም", "Ethi"),
        ("مرحبا بالعالم", "Arab"),
        ("Բարեւ աշխարհ", "Armn"),
        ("Γειά σου κόσμε", "Grek"),
        ("你好世界", "Hani"),
        ("こんにちは世界", "Jpan"),
        ("नमस्ते दुनिया", "Deva"),
        ("שלום עולם", "Hebr"),
        ("ᏣᎳᎩ", "Cher"),
        ("1234 !?", "Zyyy"),
        ("", "Zyyy"),
        ("Hello мир мир", "Cyrl"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script
    assert detect_script_from_codes(text) == script


def test_language_info_offline_fields() -> None:
    from xlt.languages.info import language_info

    info = language_info("Wolof")
    assert info.code == "wol" and info.iso639_1 == "wo" and info.glottocode == "nucl1347"
    assert info.family == "Atlantic-Congo" and info.macroarea == "Africa"
    assert info.latitude is not None and abs(info.latitude - 15.25) < 1
    assert "Latn" in info.scripts and info.flores == ["wol_Latn"]
    swa = language_info("swa")
    assert swa.code == "swh" and swa.macrolanguage == "swa" and swa.given == "swa"


def test_distances_are_sane() -> None:
    from xlt.languages import typology as t

    assert t.genealogical_distance("xho", "zul") < t.genealogical_distance("xho", "swh") < 1.0
    assert t.genealogical_distance("wol", "wol") == 0.0
    assert t.genealogical_distance("wol", "hau") == 1.0  # different families
    assert t.geographic_distance("wol", "wol") == 0.0
    assert 2000 < t.geographic_distance("wol", "hau") < 3500
    d, imputed = t.typological_distance("wol", "hau", "syntactic")
    assert 0.0 <= d <= 1.0 and 0.0 <= imputed <= 1.0
    assert math.isnan(t.typological_distance("wol", "aam", "syntactic")[0])  # not in URIEL: nan, not an error
    assert t.genetic_distance("xho", "zul") < t.genetic_distance("xho", "hau")
