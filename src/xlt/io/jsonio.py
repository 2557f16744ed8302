"""JSON output for every layer: plain JSON types from xlt's values, one-document text, atomic files."""

from __future__ import annotations

import json
import math
from enum import Enum
from pathlib import Path
from typing import Any

from xlt.config import XltConfig


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, pydantic models, paths, enums, numpy scalars... to JSON types."""
    import dataclasses

    if isinstance(obj, XltConfig):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if hasattr(obj, "item") and callable(obj.item):  # numpy / torch scalars
        try:
            return to_jsonable(obj.item())
        except (ValueError, TypeError):
            pass
    if hasattr(obj, "tolist"):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def json_text(obj: Any) -> str:
    """``obj`` as one indented JSON document (UTF-8 kept, trailing newline)."""
    return json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2) + "\n"


def write_json(path: str | Path, obj: Any) -> None:
    """Write ``obj`` as :func:`json_text` atomically (compressed by suffix)."""
    from xlt.io.files import atomic_writer

    with atomic_writer(path) as fh:
        fh.write(json_text(obj))
