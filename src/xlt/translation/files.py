"""Pre-translated text as a translation backend: one line of a file per input sentence."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from xlt.config import MethodConfig
from xlt.errors import MismatchError
from xlt.translation.base import translators
from xlt.types import Lang


class FileTranslatorConfig(MethodConfig):
    method: Literal["file"] = "file"
    path: str = Field(
        description="UTF-8 text file, one translation per input sentence in input order; empty lines "
        "count (an empty translation)."
    )


@translators.register(
    "file",
    config=FileTranslatorConfig,
    reference="user-supplied translations (e.g. T-Projection's released translate-train data, "
    "García-Ferrero et al. 2023)",
)
class FileTranslator:
    """Translations read from a file (one line per input sentence, empty lines counted)."""

    open_ended = False

    def __init__(self, config: FileTranslatorConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}

    def lines(self) -> list[str]:
        """Every line of the file (trailing newline characters removed; empty lines kept)."""
        from xlt.io.files import iter_lines, resolve_path

        path = resolve_path(Path(self.config.path).expanduser())
        return [line.rstrip("\r\n") for _, line in iter_lines(path)]

    def translate(self, sentences: Sequence[str], src: Lang, tgt: Lang) -> list[str]:
        """The file's lines; a :class:`MismatchError` naming the file when the counts differ."""
        t0 = time.perf_counter()
        out = self.lines()
        if len(out) != len(sentences):
            raise MismatchError(
                f"{self.config.path}: {len(out)} lines (empty lines counted) for {len(sentences)} input "
                "sentences; expected one translation line per input sentence, in input order"
            )
        self.stats_ = {
            "sentences": len(out),
            "empty": sum(1 for x in out if not x.strip()),
            "seconds": round(time.perf_counter() - t0, 4),
        }
        return out
