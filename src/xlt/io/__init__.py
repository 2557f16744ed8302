"""Readers and writers for every format xlt reads (plain or compressed).

The submodules are imported lazily: ``from xlt.io import read_conll`` works, and
``import xlt.io`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from xlt.io.files import atomic_writer, iter_lines, open_binary, read_text, resolve_path

_LAZY = {
    "iter_conll": "conll",
    "read_conll": "conll",
    "write_conll": "conll",
    "RepairReport": "conll",
    "UNER_COLUMNS": "conll",
    "UNER_LABEL_MAP": "conll",
    "UDToken": "conllu",
    "UDSentence": "conllu",
    "iter_conllu": "conllu",
    "read_conllu": "conllu",
    "write_conllu": "conllu",
    "read_tagged": "conllu",
    "iter_parallel": "parallel",
    "read_parallel": "parallel",
    "read_parallel_files": "parallel",
    "write_parallel": "parallel",
    "read_bible": "bible",
    "write_bible_tsv": "bible",
    "read_bible_pair": "bible",
    "join_verses": "bible",
    "VerseJoin": "bible",
    "pbc_to_ces": "bible",
    "ces_to_pbc": "bible",
    "parse_pharaoh": "pharaoh",
    "read_pharaoh": "pharaoh",
    "format_pharaoh": "pharaoh",
    "write_pharaoh": "pharaoh",
    "read_xlwa": "pharaoh",
    "read_naacl": "pharaoh",
    "read_gold_alignment_set": "pharaoh",
    "read_gold": "pharaoh",
    "read_pairs": "parallel",
    "read_pairs_with_join": "parallel",
    "read_target_tokens": "sentences",
    "check_file": "check",
    "read_classification": "classification",
    "iter_classification": "classification",
    "write_jsonl": "classification",
    "detect_kind": "detect",
    "iter_texts": "texts",
    "iter_tokens": "texts",
    "FORMATS": "formats",
    "register_format": "formats",
    "DataFormat": "formats",
}

__all__ = ["atomic_writer", "iter_lines", "open_binary", "read_text", "resolve_path", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xlt.io' has no attribute {name!r}")
    return getattr(importlib.import_module(f"xlt.io.{module}"), name)
