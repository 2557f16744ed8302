"""Library entry points behind ``xlt translate`` and the ``translate-train`` recipe method."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlt.errors import ConfigError
from xlt.translation.base import build_translator
from xlt.translation.projection import translation_projectors
from xlt.types import LabeledSentence, Lang

#: projection choices of ``translate-train`` and ``xlt translate --project``
PROJECTIONS = ("alignment", "markers", "constrained", "candidates")


def translate_lines(
    input_path: str | Path, output_path: str | Path, translator: Any, src: Lang, tgt: Lang
) -> dict[str, Any]:
    """Translate a text file (one sentence per line, empty lines kept) into ``output_path``
    (atomic); the summary (counts, seconds, the backend's stats)."""
    from xlt.io.files import atomic_writer, iter_lines

    lines = [line for _, line in iter_lines(input_path)]
    t0 = time.perf_counter()
    out = translator.translate(lines, src, tgt) if lines else []
    seconds = time.perf_counter() - t0
    with atomic_writer(output_path) as fh:
        for text in out:
            fh.write(" ".join(text.splitlines()) + "\n")
    return {
        "input": str(input_path),
        "output": str(output_path),
        "source": str(src),
        "target": str(tgt),
        "sentences": len(lines),
        "empty_inputs": sum(1 for x in lines if not x.strip()),
        "empty_outputs": sum(1 for x in out if not x.strip()),
        "seconds": round(seconds, 3),
        "sentences_per_second": round(len(lines) / seconds, 2) if seconds > 0 else None,
        "translator": dict(getattr(translator, "stats_", {}) or {}),
    }


def project_labeled(
    source: Sequence[LabeledSentence],
    translator: Any,
    src: Lang,
    tgt: Lang,
    projection: str,
    options: dict[str, Any] | None = None,
) -> tuple[list[LabeledSentence], dict[str, Any]]:
    """Translate labelled sentences and project their spans with a translation projector
    (``markers``, ``constrained``, ``candidates``); the kept target sentences and its statistics."""
    if projection not in PROJECTIONS[1:]:
        raise ConfigError(
            f"projection {projection!r}: expected {', '.join(PROJECTIONS[1:])} here "
            "(alignment projection runs inside the translate-train recipe)"
        )
    projector = translation_projectors.build(projection, dict(options or {}))
    kept = projector.project(source, translator, src, tgt)
    return kept, projector.stats_


__all__ = ["PROJECTIONS", "build_translator", "project_labeled", "translate_lines"]
