"""Bilingual English↔target dictionaries for WECHSEL-style space alignment.

Sources in ``../shared/data/dictionaries``:

* MUSE full dictionaries in hunalign format, ``muse_full_hunalign/en-<iso1>.dict``,
  lines ``<target> @ <english>``;
* WECHSEL's Wiktionary lists, ``wechsel_wiktionary/data/<language name>.txt``,
  lines ``english<TAB>target``;
* FreeDict (``apt install freedict-eng-<xxx>``) or any user file: a path, format
  auto-detected (hunalign, TSV, or space-separated MUSE pairs).

Every loader returns ``(english_word, target_word)`` pairs, single words only.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from xlt.errors import DataNotFoundError


def read_dictionary(path: str | Path, fmt: str = "auto", *, lowercase: bool = True) -> list[tuple[str, str]]:
    """Read ``(english, target)`` pairs (duplicates removed, order kept)."""
    from xlt.alignment.dictionary import iter_dictionary
    from xlt.io.files import resolve_path

    pairs = iter_dictionary(resolve_path(path), fmt)  # type: ignore[arg-type]
    if lowercase:
        pairs = ((s.lower(), t.lower()) for s, t in pairs)
    return list(dict.fromkeys(pairs))


def dictionary_paths(language: str, root: str | Path | None = None) -> list[Path]:
    """The shared dictionary files for ``language`` (a code like ``sw``/``swa`` or an English name)."""
    from xlt.io.files import resolve_path
    from xlt.paths import data_root

    base = Path(data_root(root)) / "dictionaries"
    names = {language.lower()}
    iso1 = None
    try:
        from xlt.languages.info import language_info

        info = language_info(language)
        names.add(info.name.lower())
        iso1 = info.iso639_1
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
