"""Training-data augmentation for cross-lingual transfer: dictionary code-switching (CoSDA-ML)
and transliteration (romanisation)."""

from xlt.augmentation import codeswitch, transliterate  # noqa: F401  (registers the methods)
from xlt.augmentation.base import Augmenter, apply_augmenters, augmenters, build_augmenters
from xlt.augmentation.transliterate import romanize

__all__ = ["Augmenter", "apply_augmenters", "augmenters", "build_augmenters", "romanize"]
