"""Which languages a pretrained encoder saw in pretraining (for grouping zero-shot results)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from xlt.errors import ConfigError

#: packaged language lists, by model family
_FILES = {"xlm-r": "xlmr_languages.tsv"}


@cache
def pretraining_languages(family: str = "xlm-r") -> frozenset[str]:
    """FLORES-200-style codes (``swh_Latn``) of the languages in ``family``'s pretraining data.

    ``xlm-r``: the 100 CC-100 languages of XLM-R (Conneau et al. 2020), which XLM-R-derived
    encoders such as multilingual-e5 (Wang et al. 2024) inherit.
    """
    if family not in _FILES:
        raise ConfigError(f"no pretraining language list for {family!r}; known: {', '.join(sorted(_FILES))}")
    text = resources.files("xlt.resources.languages").joinpath(_FILES[family]).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return frozenset(code for _, code in rows)


def covered(code: str, family: str = "xlm-r") -> bool:
    """Whether the language + script ``code`` (``yor_Latn``) is in ``family``'s pretraining data."""
    return code in pretraining_languages(family)
