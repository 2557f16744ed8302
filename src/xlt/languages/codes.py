"""Normalise language identifiers to one :class:`~xlt.types.Lang`.

Accepted inputs: ISO 639-1 (``de``), ISO 639-3 (``deu``), ISO 639-2/B (``ger``),
macrolanguages (``swa``), FLORES-200 codes (``wol_Latn``), BCP-47 tags with a
script (``sr-Latn``), glottocodes (``wolo1247``... any glottocode of a language
with an ISO code) and English names (``Wolof``, case- and accent-insensitive).

Canonical codes: ``Lang.code`` is always an ISO 639-3 code. A macrolanguage is
mapped to its dominant individual language (:data:`MACRO_TO_INDIVIDUAL`), so
``swa``, ``sw`` and ``swh`` are all ``swh``; this matches FLORES-200 and
Glottolog. ``Lang.given`` keeps the text exactly as the user wrote it.
"""

from __future__ import annotations

import re

from xlt.errors import UnknownNameError
from xlt.languages.scripts import detect_script
from xlt.languages.table import LanguageRecord, fold_name, language_table
from xlt.types import Lang

__all__ = ["MACRO_TO_INDIVIDUAL", "alternates", "detect_script", "language_key", "record_of", "resolve"]

#: macrolanguage -> the individual language xlt uses for it (documented in docs/languages.md)
MACRO_TO_INDIVIDUAL: dict[str, str] = {
    "swa": "swh",  # Swahili -> Swahili (individual language), as FLORES swh_Latn
    "nor": "nob",  # Norwegian -> Bokmål
    "fas": "pes",  # Persian -> Western Farsi (Iranian Persian)
    "zho": "cmn",  # Chinese -> Mandarin
    "est": "ekk",  # Estonian -> Standard Estonian
    "lav": "lvs",  # Latvian -> Standard Latvian
    "msa": "zsm",  # Malay -> Standard Malay
    "ara": "arb",  # Arabic -> Standard Arabic
    "sqi": "als",  # Albanian -> Tosk Albanian
    "aze": "azj",  # Azerbaijani -> North Azerbaijani
    "uzb": "uzn",  # Uzbek -> Northern Uzbek
    "mon": "khk",  # Mongolian -> Khalkha
    "pus": "pbu",  # Pashto -> Northern Pashto
    "yid": "ydd",  # Yiddish -> Eastern Yiddish
    "kur": "kmr",  # Kurdish -> Northern Kurdish (Kurmanji)
    "orm": "gaz",  # Oromo -> West Central Oromo
    "grn": "gug",  # Guarani -> Paraguayan Guaraní
    "mlg": "plt",  # Malagasy -> Plateau Malagasy
    "lah": "pnb",  # Lahnda -> Western Panjabi
    "kon": "kng",  # Kongo -> Koongo
    "ful": "fuv",  # Fulah -> Nigerian Fulfulde
    "kau": "knc",  # Kanuri -> Central Kanuri
    "hbs": "hbs",  # Serbo-Croatian stays itself (no single dominant member)
}
INDIVIDUAL_TO_MACRO: dict[str, str] = {v: k for k, v in MACRO_TO_INDIVIDUAL.items() if k != v}

#: ISO 639-2/B bibliographic codes -> ISO 639-3 (langcodes knows them too; kept explicit for speed)
BIBLIOGRAPHIC: dict[str, str] = {
    "alb": "sqi", "arm": "hye", "baq": "eus", "bur": "mya", "chi": "zho", "cze": "ces", "dut": "nld",
    "fre": "fra", "geo": "kat", "ger": "deu", "gre": "ell", "ice": "isl", "mac": "mkd", "mao": "mri",
    "may": "msa", "per": "fas", "rum": "ron", "slo": "slk", "tib": "bod", "wel": "cym",
}  # fmt: skip

_FLORES = re.compile(r"^([A-Za-z]{2,3})[_-]([A-Z][a-z]{3})$")
_GLOTTOCODE = re.compile(r"^[a-z0-9]{4}\d{4}$")
_CODE = re.compile(r"^[A-Za-z]{2,3}$")
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})+$")


def _split_bcp47(tag: str) -> tuple[str, str | None]:
    """Language and script subtags of a BCP-47 tag (region and variants are dropped)."""
    parts = re.split(r"[-_]", tag)
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    return parts[0], script


def resolve(text: str) -> Lang:
    """Parse ``text`` into a :class:`Lang`; unknown input raises :class:`UnknownNameError`
    with close suggestions."""
    given = text
    raw = text.strip()
    if not raw:
        raise UnknownNameError("language code", text, [], hint="give an ISO 639 code, e.g. 'wol' or 'wo'")
    script: str | None = None
    match = _FLORES.match(raw)
    if match:
        raw, script = match.group(1), match.group(2)
    elif _BCP47.match(raw) and fold_name(raw) not in language_table().by_name:  # en-US, zh-Hant-TW
        raw, script = _split_bcp47(raw)
    code = _lookup(raw)
    if code is None:
        raise _unknown(given)
    return Lang(code=code, script=script, given=given)


def _lookup(raw: str) -> str | None:
    table = language_table()
    if _GLOTTOCODE.match(raw):
        rec = table.by_glottocode.get(raw)
        if rec is not None and rec.iso3:
            return _canonical(rec.iso3)
        alias = table.glottocode_aliases.get(raw)
        return _canonical(alias) if alias else None
    if _CODE.match(raw):
        code = _iso3(raw.lower())
        if code is not None:
            return _canonical(code)
    rec = table.by_name.get(fold_name(raw))
    if rec is not None and rec.iso3:
        return _canonical(rec.iso3)
    return None


def _iso3(code: str) -> str | None:
    table = language_table()
    if len(code) == 3:
        code = BIBLIOGRAPHIC.get(code, code)
        if code in table.by_iso:
            return code
    try:
        import langcodes

        alpha3 = langcodes.Language.get(code).to_alpha3()
    except (LookupError, ValueError):
        return None
    return alpha3 if alpha3 in table.by_iso else None


def _canonical(code: str) -> str:
    return MACRO_TO_INDIVIDUAL.get(code, code)


def _unknown(text: str) -> UnknownNameError:
    table = language_table()
    raw = text.strip()
    choices: list[str]
    if _CODE.match(raw) or _FLORES.match(raw):
        choices = list(table.by_iso)
        raw = raw.lower()[:3]
    elif _GLOTTOCODE.match(raw):
        choices = [*table.by_glottocode, *table.glottocode_aliases]
    else:
        choices = [r.name for r in table.by_name.values()]
    err = UnknownNameError(
        "language code",
        raw,
        choices,
        hint="use an ISO 639-1/639-3 code, a FLORES code (wol_Latn), a glottocode or an English name",
    )
    err.name = text
    return err


def record_of(lang: Lang | str) -> LanguageRecord | None:
    """The packaged table row of a language (``None`` if xlt knows only its code)."""
    code = lang.code if isinstance(lang, Lang) else resolve(lang).code
    return language_table().by_iso.get(code)


def alternates(code: str) -> list[str]:
    """``code`` followed by the other ISO codes the same language goes by in external
    resources (its macrolanguage, and the macrolanguage's other members last)."""
    table = language_table()
    out = [code]
    macro = INDIVIDUAL_TO_MACRO.get(code) or (table.by_iso[code].macro if code in table.by_iso else None)
    if macro:
        out.append(macro)
    if code in table.members:  # code itself is a macrolanguage without a canonical member
        out.extend(table.members[code])
    return list(dict.fromkeys(out))


def language_key(code: str) -> str:
    """A comparable key for matching codes across tables, without resolving macrolanguages:
    ``wol_Latn`` / ``wol`` / ``wo`` -> ``wol``, ``sw`` -> ``swa`` (ISO 639-1 mapped to
    639-3 when ``langcodes`` knows it; anything else lower-cased as given)."""
    base = code.split("_")[0].split("-")[0].lower()
    if len(base) == 2:
        try:
            import langcodes

            return str(langcodes.Language.get(base).to_alpha3())
        except (LookupError, ValueError, ImportError):
            return base
    return base
