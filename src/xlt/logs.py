"""Logging set-up: quiet by default, Rich handler on stderr, noisy libraries muted."""

from __future__ import annotations

import logging

_NOISY = ("transformers", "datasets", "accelerate", "urllib3", "filelock", "gensim", "huggingface_hub")


def setup_logging(verbosity: int = 0) -> None:
    """0: warnings, 1: info, 2+: debug (for xlt; third-party libraries stay at warning)."""
    from rich.console import Console
    from rich.logging import RichHandler

    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logger = logging.getLogger("xlt")
    logger.setLevel(level)
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        handler = RichHandler(
            console=Console(stderr=True), show_path=False, rich_tracebacks=False, markup=False
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.propagate = False
    for name in _NOISY:
        logging.getLogger(name).setLevel(logging.WARNING if verbosity < 3 else logging.INFO)


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("xlt") else f"xlt.{name}")
