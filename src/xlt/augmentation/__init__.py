"""Training-data augmentation for cross-lingual transfer: dictionary code-switching (CoSDA-ML)
and transliteration (romanisation)."""

from xlt.augmentation import codeswitch, transliterate  # noqa: F401  (registers the methods)
from xlt.augmentation.base import Augmenter, augmenters

__all__ = ["Augmenter", "augmenters"]
