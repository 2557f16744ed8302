"""Language codes of translation models, derived from :mod:`xlt.languages`.

Multilingual MT models name languages with special tokens: NLLB-200 uses FLORES-200 codes
(``eus_Latn``), M2M-100 wraps ISO 639-1 codes (``__eu__``), mBART-50 uses ``eu_XX``-style
locale codes, and bilingual models (Marian/OPUS-MT) or prompt-style ones (mT5) use none. The
candidates for a language are generated from its ISO 639-3 code, macrolanguage, ISO 639-1 code
and likely scripts, and the first one the tokenizer knows wins.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from xlt.errors import ConfigError
from xlt.types import Lang

CodeStyle = Literal["auto", "nllb", "m2m", "mbart", "none"]


def _facts(lang: Lang) -> tuple[list[str], list[str], list[str]]:
    """(ISO 639-3 codes incl. macrolanguage, ISO 639-1 codes, scripts) of ``lang``."""
    from xlt.languages.info import language_info

    iso3 = [lang.code]
    iso1: list[str] = []
    scripts = [lang.script] if lang.script else []
    try:
        info = language_info(lang)
    except Exception:  # an unknown code: the plain code is all we have
        return iso3, iso1, scripts
    if info.macrolanguage:
        iso3.append(info.macrolanguage)
    if info.iso639_1:
        iso1.append(info.iso639_1)
    scripts.extend(s for s in info.scripts if s not in scripts)
    return iso3, iso1, scripts


def candidate_codes(lang: Lang, style: CodeStyle) -> list[str]:
    """Language-token candidates for ``lang`` in a model's code ``style``, best first."""
    iso3, iso1, scripts = _facts(lang)
    if style == "nllb":
        scripts = scripts or ["Latn"]
        # FLORES-200 names Chinese zho_Hans / zho_Hant (the macrolanguage), Arabic arb_Arab
        out = [f"{c}_{s}" for c in iso3 for s in scripts]
        if lang.given and re.fullmatch(r"[a-z]{3}_[A-Z][a-z]{3}", lang.given):
            out.insert(0, lang.given)
        return list(dict.fromkeys(out))
    if style == "m2m":
        return [f"__{c}__" for c in [*iso1, *iso3]]
    if style == "mbart":
        return [*iso1, *iso3]  # prefixes: matched against eu_XX-style tokens in the vocabulary
    return []


def detect_style(vocab: Collection[str], model_type: str | None = None) -> CodeStyle:
    """The code style of a tokenizer's vocabulary (``none`` where it has no language tokens)."""
    if any(t == "eng_Latn" for t in vocab):
        return "nllb"
    if "__en__" in vocab:
        return "m2m"
    if "en_XX" in vocab:
        return "mbart"
    if model_type in ("nllb", "nllb-moe"):
        return "nllb"
    return "none"


def language_token(lang: Lang, style: CodeStyle, vocab: Collection[str]) -> str | None:
    """The vocabulary token naming ``lang`` (``None`` for style ``none``); a :class:`ConfigError`
    listing what was tried when the model does not know the language."""
    if style == "none":
        return None
    tried = candidate_codes(lang, style)
    if style == "mbart":
        pattern = re.compile(r"^([a-z]{2,3})_[A-Z]{2}$")
        by_prefix: dict[str, str] = {}
        for tok in vocab:
            m = pattern.match(tok)
            if m:
                by_prefix.setdefault(m.group(1), tok)
        for prefix in tried:
            if prefix in by_prefix:
                return by_prefix[prefix]
        tried = [f"{p}_XX" for p in tried]
    else:
        for code in tried:
            if code in vocab:
                return code
    raise ConfigError(
        f"the translation model has no language token for {lang} (tried {', '.join(tried) or 'nothing'}; "
        f"{style} code style)",
        hint="set src_code / tgt_code to the model's own code for this language",
    )
