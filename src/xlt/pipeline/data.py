"""Data plumbing of the pipeline: reference resolution, readers by task, JSONL artifacts."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from xlt.catalog import resolve_reference
from xlt.errors import ConfigError, DataFormatError, DataNotFoundError, UnknownNameError
from xlt.io import tasks
from xlt.io.files import atomic_writer, iter_lines, loads_json
from xlt.types import LabeledSentence, TextExample


def resolve_key(key: str, ref: str | None, base: Path, root: str | None) -> Path | None:
    """Resolve the data reference of recipe key ``key``; errors name the key."""
    if ref is None:
        return None
    try:
        return resolve_reference(ref, base=base, root=root)
    except (DataNotFoundError, UnknownNameError, ConfigError) as err:
        raise ConfigError(f"{key}: {err.message}", hint=err.hint) from None


def read_task_data(path: Path, task: str) -> list[Any]:
    """Every labelled example of ``task`` in ``path``, as :func:`xlt.io.tasks.read_task_data` reads it."""
    return tasks.read_task_data(path, task)


def gold_of(data: Sequence[Any]) -> list[Any]:
    return [ex.label if isinstance(ex, TextExample) else list(ex.labels) for ex in data]


# --- JSONL artifacts of classification examples ----------------------------------------
def write_examples(path: Path, examples: list[TextExample]) -> None:
    """Classification examples as JSONL (``id``, ``text``, ``text_pair``, ``label``), atomically."""
    with atomic_writer(path) as fh:
        for ex in examples:
            rec = {"id": ex.id, "text": ex.text, "text_pair": ex.text_pair, "label": ex.label}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def read_examples(path: Path) -> list[TextExample]:
    """The examples :func:`write_examples` wrote."""
    out = []
    for lineno, line in iter_lines(path):
        if line:
            rec = loads_json(line, path, lineno)
            assert isinstance(rec, dict)
            out.append(TextExample(rec["text"], rec["label"], rec.get("text_pair"), rec.get("id")))
    return out


# --- JSONL artifacts of labelled sentences (None labels kept) -------------------------------
def write_sentences(path: Path, sentences: Iterable[LabeledSentence]) -> int:
    n = 0
    with atomic_writer(path) as fh:
        for s in sentences:
            rec: dict[str, Any] = {"id": s.id, "tokens": list(s.tokens), "labels": list(s.labels)}
            conf = s.meta.get("confidence") if s.meta else None
            if conf is not None:
                rec["confidence"] = [None if c is None else float(c) for c in conf]
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_sentences(path: Path) -> list[LabeledSentence]:
    out = []
    for lineno, line in iter_lines(path):
        if not line:
            continue
        rec = loads_json(line, path, lineno)
        if (
            not isinstance(rec, dict)
            or not isinstance(rec.get("tokens"), list)
            or not isinstance(rec.get("labels"), list)
        ):
            raise DataFormatError(path, lineno, "expected an object with 'tokens' and 'labels' lists")
        meta = {"confidence": tuple(rec["confidence"])} if "confidence" in rec else {}
        out.append(LabeledSentence(tuple(rec["tokens"]), tuple(rec["labels"]), id=rec.get("id"), meta=meta))
    return out
