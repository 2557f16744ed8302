"""Discovery of every stage registry (imports each stage package's built-ins)."""

from __future__ import annotations

import importlib
from typing import Any

from xlt.registry import STAGES, Registry

#: the stage packages whose import registers built-in methods
STAGE_PACKAGES: tuple[str, ...] = (
    "xlt.merging",
    "xlt.vocab.initializers",
    "xlt.alignment",
    "xlt.projection",
    "xlt.translation",
    "xlt.augmentation",
    "xlt.models",
    "xlt.ranking",
)


def all_registries() -> dict[str, Registry[Any]]:
    """Every stage registry, after importing the built-in methods of each stage."""
    for module in STAGE_PACKAGES:
        importlib.import_module(module)
    return dict(sorted(STAGES.items()))
