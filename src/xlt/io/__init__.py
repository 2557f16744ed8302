"""Readers and writers for every format xlt reads (plain or compressed)."""

from xlt.io.files import atomic_writer, iter_lines, open_binary, read_text, resolve_path

__all__ = ["atomic_writer", "iter_lines", "open_binary", "read_text", "resolve_path"]
