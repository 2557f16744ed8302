"""The xlt error hierarchy.

Every message says what was found, what was expected and, where it helps, the
valid choices. Errors about a file carry its path and (1-based) line number so
the CLI can print ``path:line: message``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class XltError(Exception):
    """Base class of every error xlt raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(XltError):
    """A recipe, config file or option is invalid (names the key)."""


#: longest detail of a :class:`DataFormatError` (longer ones, e.g. quoting a huge line, are cut)
_MAX_DETAIL = 600


class DataFormatError(XltError):
    """A data file is malformed. Names the file, the line and what was expected."""

    def __init__(
        self,
        path: str | Path | None,
        line: int | None,
        message: str,
        *,
        hint: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        if len(message) > _MAX_DETAIL:  # a quoted 16 MiB line must not become a 16 MiB message
            cut = _MAX_DETAIL - 100
            message = f"{message[:cut]}... [{len(message) - cut} more characters]"
        self.detail = message
        where = self.path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}", hint=hint)


class MismatchError(XltError):
    """Two inputs that must correspond do not (line counts, verse ids, lengths)."""


class UnknownNameError(XltError, KeyError):
    """An unknown registry name, language code, dataset id... with suggestions."""

    def __init__(self, kind: str, name: str, choices: Iterable[str], *, hint: str | None = None) -> None:
        choices = sorted(set(choices))
        self.kind = kind
        self.name = name
        self.choices = choices
        close = difflib.get_close_matches(name, choices, n=5, cutoff=0.6)
        msg = f"unknown {kind} {name!r}"
        if close:
            msg += f"; did you mean {', '.join(repr(c) for c in close)}?"
        if len(choices) <= 40:
            msg += f" (valid: {', '.join(choices)})" if choices else " (none are registered)"
        super().__init__(msg, hint=hint)

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return XltError.__str__(self)


class MissingDependencyError(XltError, ImportError):
    """An optional dependency is not installed; says which extra provides it."""

    def __init__(self, package: str, extra: str | None = None, purpose: str | None = None) -> None:
        what = f" (needed for {purpose})" if purpose else ""
        how = f'pip install "xlt[{extra}]"' if extra else f"pip install {package}"
        super().__init__(f"the optional package {package!r} is not installed{what}", hint=how)


class DataNotFoundError(XltError, FileNotFoundError):
    """A dataset or file could not be found where it was looked for."""
