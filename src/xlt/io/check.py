"""Validate a data file and describe it: the library behind ``xlt data check``.

:func:`check_file` reads one file with the reader for its kind (detected when not given) and
returns its statistics; :func:`check_folder` does so for every data file below a folder.
Malformed input raises an :class:`~xlt.errors.XltError` naming the file and line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xlt.errors import DataFormatError
from xlt.languages.codes import resolve as resolve_language

#: at most this many sentences are script-detected (enough to see every script, cheap on big files)
_SCRIPT_SAMPLE = 3000


class _Scripts:
    """Counts the dominant script of a sample of texts."""

    def __init__(self) -> None:
        from xlt.languages.scripts import detect_script

        self._detect = detect_script
        self.counts: Counter[str] = Counter()
        self._n = 0

    def add(self, text: str) -> None:
        if self._n >= _SCRIPT_SAMPLE or not text.strip():
            return
        self._n += 1
        self.counts[self._detect(text, limit=400)] += 1

    def result(self) -> dict[str, int]:
        return dict(self.counts.most_common())


_FLORES = re.compile(r"^([a-z]{3}_[A-Z][a-z]{3})(?:[._-]|$)")
_UD = re.compile(r"^U(?:D|NER)_([A-Za-z_]+)-")
_CODE = re.compile(r"^[a-z]{2,3}$")
# directory names that are ISO 639 codes by accident but name splits or tasks here
_NOT_LANGS = frozenset({"dev", "pos", "ner", "mt", "wa", "doc", "src", "tgt", "raw", "out", "run", "all"})


def language_hint(path: Path) -> dict[str, str] | None:
    """A language suggested by the file's name or folders (``wol_Latn/``, ``UD_Wolof-WTB/``,
    ``masakhaner2/wol/``, ``Wolof-NT.xml``), or None. Only a hint: files do not declare it."""
    from xlt.errors import XltError

    stem = path.name.split(".")[0]
    candidates: list[tuple[str, str]] = []
    for part in (stem, path.parent.name, path.parent.parent.name):
        for rx in (_FLORES, _UD):
            m = rx.match(part)
            if m:
                candidates.append((m.group(1).replace("_", " ") if rx is _UD else m.group(1), part))
        if _CODE.match(part) and part not in _NOT_LANGS:
            candidates.append((part, part))
    if path.suffix in (".xml", ".gz") and "-" in stem:  # Bible files: Wolof-NT.xml
        candidates.append((stem.split("-")[0], stem))
    for text, source in candidates:
        try:
            lang = resolve_language(text)
        except (XltError, ValueError):
            continue
        return {"code": lang.code, "given": text, "from": source}
    return None


def _lengths(lengths: list[int]) -> dict[str, float]:
    if not lengths:
        return {"min": 0, "mean": 0.0, "max": 0}
    return {"min": min(lengths), "mean": round(sum(lengths) / len(lengths), 2), "max": max(lengths)}


def _check_conll(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.conll import UNER_COLUMNS, RepairReport, is_bio_label, iter_conll
    from xlt.io.files import strip_compression_suffix

    kwargs: dict[str, Any] = {}
    if strip_compression_suffix(path.name).endswith(".iob2"):
        kwargs.update(UNER_COLUMNS)
    if opts["token_col"] is not None:
        kwargs["token_col"] = opts["token_col"]
    if opts["label_col"] is not None:
        kwargs["label_col"] = opts["label_col"]
    report = RepairReport()
    labels: Counter[str] = Counter()
    scripts = _Scripts()
    lengths: list[int] = []
    unlabelled = 0
    for sent in iter_conll(path, repair="strict" if opts["strict"] else "fix", report=report, **kwargs):
        lengths.append(len(sent))
        for lab in sent.labels:
            if lab is None:
                unlabelled += 1
            else:
                labels[lab] += 1
        scripts.add(" ".join(sent.tokens))
    scheme = "bio" if labels and all(is_bio_label(lab) for lab in labels) else "none"
    stats: dict[str, Any] = {
        "sentences": len(lengths),
        "tokens": sum(lengths),
        "sentence_length": _lengths(lengths),
        "scheme": scheme,
        "labels": dict(labels.most_common()),
        "unlabelled_tokens": unlabelled,
        "repairs": report.to_dict(),
        "scripts": scripts.result(),
    }
    if scheme == "bio":
        stats["entity_types"] = sorted({lab[2:] for lab in labels if lab != "O"})
    return stats


def _check_conllu(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.conllu import iter_conllu

    upos: Counter[str] = Counter()
    deprel: Counter[str] = Counter()
    scripts = _Scripts()
    words = surface = mwts = empties = with_feats = 0
    n = 0
    for sent in iter_conllu(path):
        n += 1
        words += len(sent.tokens)
        surface += len(sent.surface_tokens())
        mwts += len(sent.multiwords)
        empties += len(sent.empty_nodes)
        for tok in sent.tokens:
            upos[tok.upos] += 1
            deprel[tok.deprel.split(":")[0]] += 1
            with_feats += bool(tok.feats)
        scripts.add(sent.text or " ".join(sent.forms))
    return {
        "sentences": n,
        "words": words,
        "surface_tokens": surface,
        "multiword_tokens": mwts,
        "empty_nodes": empties,
        "words_with_features": with_feats,
        "upos": dict(upos.most_common()),
        "deprel": dict(deprel.most_common()),
        "scripts": scripts.result(),
    }


def _pair_stats(pairs: Iterable[Any]) -> dict[str, Any]:
    src_s, tgt_s = _Scripts(), _Scripts()
    ls: list[int] = []
    lt: list[int] = []
    for pair in pairs:
        ls.append(len(pair.src))
        lt.append(len(pair.tgt))
        src_s.add(" ".join(pair.src))
        tgt_s.add(" ".join(pair.tgt))
    return {
        "pairs": len(ls),
        "source_tokens": sum(ls),
        "target_tokens": sum(lt),
        "source_length": _lengths(ls),
        "target_length": _lengths(lt),
        "source_scripts": src_s.result(),
        "target_scripts": tgt_s.result(),
    }


def _check_parallel(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.parallel import iter_parallel, read_parallel_files

    if opts["pair"] is not None:
        return _pair_stats(read_parallel_files(path, opts["pair"]))
    return _pair_stats(iter_parallel(path))


def _check_bible(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.parallel import join_verses, read_bible

    verses = read_bible(path)
    scripts = _Scripts()
    books: Counter[str] = Counter()
    for vid, text in verses.items():
        parts = vid.split(".")
        books[parts[1] if len(parts) > 2 else parts[0]] += 1
        scripts.add(text)
    stats: dict[str, Any] = {
        "verses": len(verses),
        "empty_verses": sum(1 for t in verses.values() if not t.strip()),
        "books": len(books),
        "scripts": scripts.result(),
    }
    if opts["pair"] is not None:
        join = join_verses(verses, read_bible(opts["pair"]))
        stats["join"] = {
            "with": str(opts["pair"]),
            "shared": len(join),
            "only_source": join.n_only_src,
            "only_target": join.n_only_tgt,
            "empty": join.n_empty,
        }
    return stats


def _alignment_stats(aligns: list[Any]) -> dict[str, Any]:
    return {
        "sentences": len(aligns),
        "sure_links": sum(len(a.sure) for a in aligns),
        "possible_links": sum(len(a.possible) for a in aligns),
        "unaligned_sentences": sum(1 for a in aligns if not a.all_links),
    }


def _check_pharaoh(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.files import strip_compression_suffix
    from xlt.io.parallel import iter_parallel
    from xlt.io.pharaoh import read_pharaoh

    one_based = opts["one_based"]
    if one_based is None:  # the NAACL-2003 style ``.gold`` sets are 1-based
        one_based = strip_compression_suffix(path.name).endswith(".gold")
    pairs = list(iter_parallel(opts["pair"])) if opts["pair"] is not None else None
    stats = _alignment_stats(read_pharaoh(path, one_based=one_based, pairs=pairs))
    stats["one_based"] = one_based
    stats["bounds_checked_against"] = str(opts["pair"]) if pairs is not None else None
    return stats


def _check_naacl(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.pharaoh import read_naacl

    return _alignment_stats(read_naacl(path, one_based=bool(opts["one_based"])))


def _check_xlwa(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.pharaoh import read_xlwa

    items = read_xlwa(path)
    stats = _pair_stats(p for p, _ in items)
    stats.update(_alignment_stats([a for _, a in items]))
    return stats


def _check_classification(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.classification import read_classification

    examples = read_classification(path)
    labels = Counter(ex.label for ex in examples if ex.label is not None)
    scripts = _Scripts()
    for ex in examples:
        scripts.add(ex.text)
    return {
        "examples": len(examples),
        "with_text_pair": sum(1 for ex in examples if ex.text_pair is not None),
        "unlabelled": sum(1 for ex in examples if ex.label is None),
        "labels": dict(labels.most_common()),
        "text_length_chars": _lengths([len(ex.text) for ex in examples]),
        "scripts": scripts.result(),
    }


def _check_table(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    from xlt.io.tables import read_transfer_table

    table = read_transfer_table(path)
    values = np.asarray(table.values, dtype=float)
    return {
        "sources": len(table.sources),
        "targets": len(table.targets),
        "table_kind": str(getattr(table.kind, "value", table.kind)),
        "measured_cells": int(np.isfinite(values).sum()),
        "missing_cells": int((~np.isfinite(values)).sum()),
        "source_languages": [str(s) for s in table.sources],
        "target_languages": [str(t) for t in table.targets],
    }


def _check_text(path: Path, opts: dict[str, Any]) -> dict[str, Any]:
    from xlt.io.texts import line_texts

    scripts = _Scripts()
    lines = empty = tokens = 0
    for text in line_texts(path):
        lines += 1
        empty += not text
        tokens += len(text.split())
        scripts.add(text)
    if lines == 0:
        raise DataFormatError(path, None, "the file is empty (expected one text per line)")
    return {"lines": lines, "empty_lines": empty, "tokens": tokens, "scripts": scripts.result()}


#: one checker per kind of :mod:`xlt.io.formats` (a test keeps the two tables in step)
CHECKERS = {
    "conll": _check_conll,
    "conllu": _check_conllu,
    "parallel": _check_parallel,
    "bible": _check_bible,
    "pharaoh": _check_pharaoh,
    "naacl": _check_naacl,
    "xlwa": _check_xlwa,
    "classification": _check_classification,
    "table": _check_table,
    "text": _check_text,
}


def check_file(path: Path, kind: str | None = None, **opts: Any) -> dict[str, Any]:
    """Validate one file and return its statistics (raises an XltError on malformed input)."""
    from xlt.errors import UnknownNameError
    from xlt.io.detect import detect_kind
    from xlt.io.files import resolve_path

    p = resolve_path(path)
    options = {"token_col": None, "label_col": None, "strict": False, "pair": None, "one_based": None}
    options.update(opts)
    use = kind or detect_kind(p)
    if use not in CHECKERS:
        raise UnknownNameError("data kind", use, CHECKERS)
    stats = CHECKERS[use](p, options)
    hint = language_hint(p)
    return {"path": str(p), "kind": use, "detected": kind is None, "ok": True, "language_hint": hint, **stats}


#: files in data folders that are documentation or metadata, not data
_NOT_DATA = re.compile(
    r"^(README|LICEN[CS]E|CHANGELOG|NOTICE|CITATION)|\.(md|stats|py|sh|pdf|html?)$|^stats\.xml$", re.I
)


def check_folder(folder: Path, kind: str | None = None, **opts: Any) -> list[dict[str, Any]]:
    """Check every data file below ``folder``; files whose format cannot be told are listed as skipped."""
    from xlt.errors import DataFormatError
    from xlt.io.detect import UnknownFormatError

    out: list[dict[str, Any]] = []
    for f in sorted(q for q in folder.rglob("*") if q.is_file() and not q.name.startswith(".")):
        if _NOT_DATA.search(f.name):
            continue
        try:
            out.append(check_file(f, kind, **opts))
        except UnknownFormatError:  # only raised by detection, i.e. when no --kind was given
            out.append({"path": str(f), "skipped": "unknown format; pass --kind"})
    if not out:
        raise DataFormatError(folder, None, "no data files found in this folder")
    return out
