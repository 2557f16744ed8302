"""Bilingual English↔target dictionaries for WECHSEL-style space alignment.

Sources in ``../shared/data/dictionaries``:

* MUSE full dictionaries in hunalign format, ``muse_full_hunalign/en-<iso1>.dict``,
  lines ``<target> @ <english>``;
* WECHSEL's Wiktionary lists, ``wechsel_wiktionary/data/<language name>.txt``,
  lines ``english<TAB>target``;
* FreeDict (``apt install dict-freedict-eng-<iso3>``, read from ``/usr/share/dictd``);
* any user file: a path, format auto-detected (hunalign, TSV, or space-separated MUSE pairs).

Every loader returns ``(english_word, target_word)`` pairs, single words only.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from xlt.errors import DataNotFoundError

FREEDICT_DIR = Path("/usr/share/dictd")
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _b64_number(text: str) -> int:
    """dictd's base-64 numbers (offsets and lengths in ``.index`` files)."""
    value = 0
    for ch in text:
        value = value * 64 + _B64[ch]
    return value


def iter_freedict(index_path: str | Path) -> Iterator[tuple[str, str]]:
    """``(headword, translation)`` pairs of a FreeDict dictd dictionary (``.index`` + ``.dict.dz``),
    as installed by ``apt install dict-freedict-eng-xxx``; single-word translations only."""
    from xlt.errors import DataFormatError
    from xlt.io.files import iter_lines, read_bounded, resolve_path
    from xlt.limits import max_dictionary_bytes

    index = Path(index_path)
    data_path = resolve_path(
        index.with_suffix(".dict.dz")
        if index.with_suffix(".dict.dz").exists()
        else index.with_suffix(".dict")
    )
    body = read_bounded(data_path, max_dictionary_bytes(), variable="XLT_MAX_DICTIONARY_BYTES")
    for lineno, line in iter_lines(index):
        parts = line.split("\t")
        if len(parts) < 3:
            raise DataFormatError(index, lineno, "expected 'headword<TAB>offset<TAB>length' (dictd index)")
        head = parts[0].strip()
        if head.startswith("00database") or " " in head:
            continue
        start, length = _b64_number(parts[1]), _b64_number(parts[2])
        entry = body[start : start + length].decode("utf-8", errors="replace").splitlines()
        for raw in entry[1:]:
            for item in re.split(r"[,;]", re.sub(r"^\s*\d+\.\s*", "", raw)):
                word = item.strip()
                if word and " " not in word and not word.startswith(("Note", "Synonym", "see")):
                    yield head, word


def read_dictionary(path: str | Path, fmt: str = "auto", *, lowercase: bool = True) -> list[tuple[str, str]]:
    """Read ``(english, target)`` pairs (duplicates removed, order kept); a ``.index`` path is
    read as a FreeDict dictd dictionary."""
    from xlt.alignment.dictionary import iter_dictionary
    from xlt.io.files import resolve_path

    if str(path).endswith(".index"):
        pairs: Iterable[tuple[str, str]] = iter_freedict(path)
    else:
        pairs = iter_dictionary(resolve_path(path), fmt)  # type: ignore[arg-type]
    if lowercase:
        pairs = ((s.lower(), t.lower()) for s, t in pairs)
    return list(dict.fromkeys(pairs))


def dictionary_paths(
    language: str, root: str | Path | None = None, *, freedict_dir: Path = FREEDICT_DIR
) -> list[Path]:
    """The dictionary files for ``language`` (a code like ``sw``/``swa`` or an English name):
    shared MUSE and Wiktionary files, and an installed FreeDict ``eng-xxx`` dictionary."""
    from xlt.io.files import resolve_path
    from xlt.paths import data_root

    base = Path(data_root(root)) / "dictionaries"
    names = {language.lower()}
    iso1 = None
    iso3 = {language.lower()} if len(language) == 3 else set()
    try:
        from xlt.languages.info import language_info

        info = language_info(language)
        names.add(info.name.lower())
        iso1 = info.iso639_1
        iso3.update(c for c in (info.code, info.given, info.macrolanguage) if c and len(c) == 3)
    except Exception:  # unknown code: treat ``language`` as a name only
        pass
    if iso1 is None and len(language) == 2:
        iso1 = language.lower()
    found: list[Path] = []
    if iso1:
        with contextlib.suppress(FileNotFoundError, DataNotFoundError):
            found.append(resolve_path(base / "muse_full_hunalign" / f"en-{iso1}.dict"))
    for name in sorted(names):
        with contextlib.suppress(FileNotFoundError, DataNotFoundError):
            found.append(resolve_path(base / "wechsel_wiktionary" / "data" / f"{name}.txt"))
    for code in sorted(iso3):
        index = freedict_dir / f"freedict-eng-{code}.index"
        if index.is_file():
            found.append(index)
    return found


def load_dictionary(
    language: str, root: str | Path | None = None, *, lowercase: bool = True
) -> list[tuple[str, str]]:
    """All shared English↔``language`` dictionary pairs (MUSE and Wiktionary combined)."""
    paths = dictionary_paths(language, root)
    if not paths:
        raise DataNotFoundError(
            f"no bilingual dictionary for {language!r} under dictionaries/ (MUSE en-xx.dict or Wiktionary <name>.txt)",
            hint="pass a dictionary file explicitly (hunalign '<target> @ <english>' or TSV 'english<TAB>target')",
        )
    pairs: dict[tuple[str, str], None] = {}
    for p in paths:
        pairs.update(dict.fromkeys(read_dictionary(p, lowercase=lowercase)))
    return list(pairs)
