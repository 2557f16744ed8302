"""Languages: code normalisation, scripts, metadata and typological distances."""

from xlt.languages.codes import MACRO_TO_INDIVIDUAL, alternates, language_key, record_of, resolve
from xlt.languages.scripts import detect_script

__all__ = ["MACRO_TO_INDIVIDUAL", "alternates", "detect_script", "language_key", "record_of", "resolve"]
