"""Input limits that keep hostile or broken files from exhausting memory.

Every reader enforces these caps while streaming, so a file that decompresses
to one multi-gigabyte line fails fast with ``line N is longer than ... bytes``
instead of being materialised. Defaults suit real corpora with a wide margin;
each can be raised for one process through an environment variable read here
(and only here), e.g. ``XLT_MAX_LINE_BYTES=268435456``.
"""

from __future__ import annotations

import os

from xlt.errors import ConfigError


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"environment variable {name}={raw!r}: expected a positive integer") from None
    if value <= 0:
        raise ConfigError(f"environment variable {name}={raw!r}: expected a positive integer")
    return value


def max_line_bytes() -> int:
    """Longest accepted line of any text input, in bytes (default 16 MiB; ``XLT_MAX_LINE_BYTES``)."""
    return _env_int("XLT_MAX_LINE_BYTES", 16 * 1024 * 1024)


def max_sentence_tokens() -> int:
    """Most tokens in one CoNLL/CoNLL-U sentence (default 10,000; ``XLT_MAX_SENTENCE_TOKENS``)."""
    return _env_int("XLT_MAX_SENTENCE_TOKENS", 10_000)


def max_sentence_id() -> int:
    """Largest sentence id accepted in a NAACL gold file (default 10,000,000; ``XLT_MAX_SENTENCE_ID``)."""
    return _env_int("XLT_MAX_SENTENCE_ID", 10_000_000)


def max_json_depth() -> int:
    """Deepest nesting of arrays/objects accepted in one JSON value (default 64; ``XLT_MAX_JSON_DEPTH``)."""
    return _env_int("XLT_MAX_JSON_DEPTH", 64)


def max_yaml_aliases() -> int:
    """Most alias (``*name``) uses accepted in one YAML recipe (default 100; ``XLT_MAX_YAML_ALIASES``)."""
    return _env_int("XLT_MAX_YAML_ALIASES", 100)


def max_yaml_nodes() -> int:
    """Most values in one YAML config with every alias expanded (default 100,000; ``XLT_MAX_YAML_NODES``)."""
    return _env_int("XLT_MAX_YAML_NODES", 100_000)


def max_config_bytes() -> int:
    """Largest YAML config/recipe file accepted, in bytes (default 8 MiB; ``XLT_MAX_CONFIG_BYTES``)."""
    return _env_int("XLT_MAX_CONFIG_BYTES", 8 * 1024 * 1024)


def max_dictionary_bytes() -> int:
    """Largest decompressed FreeDict ``.dict(.dz)`` body read whole (default 512 MiB; ``XLT_MAX_DICTIONARY_BYTES``)."""
    return _env_int("XLT_MAX_DICTIONARY_BYTES", 512 * 1024 * 1024)


def max_text_bytes() -> int:
    """Largest text file read whole (JSON documents such as ``run.json``; default 256 MiB; ``XLT_MAX_TEXT_BYTES``)."""
    return _env_int("XLT_MAX_TEXT_BYTES", 256 * 1024 * 1024)
