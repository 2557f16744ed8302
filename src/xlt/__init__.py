"""xlt: cross-lingual transfer to low-resource languages."""

from xlt.errors import XltError
from xlt.types import Alignment, LabeledSentence, Lang, LangScore, Sentence, SentencePair, TextExample

__version__ = "0.1.0"

__all__ = [
    "Alignment",
    "LabeledSentence",
    "Lang",
    "LangScore",
    "Sentence",
    "SentencePair",
    "TextExample",
    "XltError",
    "__version__",
]
