"""Everything xlt knows about one language (for ``xlt langs info`` and features)."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlt.languages.codes import BIBLIOGRAPHIC, INDIVIDUAL_TO_MACRO, resolve
from xlt.languages.table import language_table
from xlt.types import Lang


@dataclass(frozen=True)
class LanguageInfo:
    """Names, codes, classification, location and scripts of a language."""

    code: str
    name: str
    given: str
    iso639_1: str | None = None
    iso639_2b: str | None = None
    glottocode: str | None = None
    wals: str | None = None
    macrolanguage: str | None = None
    flores: list[str] = field(default_factory=list)
    family: str | None = None
    classification: list[str] = field(default_factory=list)
    macroarea: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    scripts: list[str] = field(default_factory=list)
    in_uriel: bool = False


def likely_script(code: str) -> str | None:
    """The usual script of a language (CLDR likely subtags via ``langcodes``)."""
    import langcodes

    try:
        return langcodes.Language.get(code).maximize().script
    except (LookupError, ValueError):
        return None


def _iso639_1(code: str) -> str | None:
    import langcodes

    try:
        tag = langcodes.Language.get(code).language
    except (LookupError, ValueError):
        return None
    return tag if tag and len(tag) == 2 else None


def language_info(lang: Lang | str) -> LanguageInfo:
    """Collect the packaged Glottolog/WALS/URIEL facts about ``lang``."""
    lang = lang if isinstance(lang, Lang) else resolve(lang)
    table = language_table()
    rec = table.by_iso.get(lang.code)
    macro = INDIVIDUAL_TO_MACRO.get(lang.code) or (rec.macro if rec else None)
    scripts = [s for s in (lang.script, likely_script(lang.code)) if s]
    scripts = list(dict.fromkeys(scripts))
    b_code = next((b for b, t in BIBLIOGRAPHIC.items() if t in (lang.code, macro)), None)
    classification = []
    if rec is not None:
        for gc in rec.lineage:
            name = table.group_names.get(gc) or (
                table.by_glottocode[gc].name if gc in table.by_glottocode else gc
            )
            classification.append(name)
    from xlt.languages.typology import uriel_code

    return LanguageInfo(
        code=lang.code,
        name=rec.name if rec else lang.code,
        given=lang.given or lang.code,
        iso639_1=_iso639_1(lang.code) or (_iso639_1(macro) if macro else None),
        iso639_2b=b_code,
        glottocode=rec.glottocode if rec else None,
        wals=rec.wals if rec else None,
        macrolanguage=macro,
        flores=[f"{lang.code}_{s}" for s in scripts if len(s) == 4],
        family=rec.family if rec else None,
        classification=classification,
        macroarea=rec.macroarea if rec else None,
        latitude=rec.lat if rec else None,
        longitude=rec.lon if rec else None,
        scripts=scripts,
        in_uriel=uriel_code(lang.code) is not None,
    )
