"""Text-based language similarity from (ideally parallel) text samples.

A language is summarised by a :class:`TextProfile` of a few hundred sentences: the relative
frequencies of its most frequent character trigrams, words, and subword tokens under a real
model's tokenizer, plus its distribution over scripts. Every profile keeps only its ``top``
most frequent items, so profiles are small enough to ship with the packaged ranker and a new
target's text (``--target-text FILE``) can be compared with every source offline.

Pair features (larger = more similar), after Lin et al. 2019 (LangRank's word/subword overlap),
Gamallo et al. 2017 (character n-gram perplexity/overlap as language distance) and
Wu & Dredze 2019 / Pires et al. 2019 (shared wordpieces explain mBERT transfer):

* ``char_cosine``: cosine of the two character-trigram frequency vectors;
* ``char_overlap``: histogram intersection Σ min(p_s, p_t) of the same vectors;
* ``word_overlap_text``: share of the target's word occurrences whose word the source also uses;
* ``subword_coverage``: share of the target's subword-token occurrences (model tokenizer)
  covered by the source's tokens — how much of the target the source's vocabulary covers;
* ``script_overlap``: histogram intersection of the two script distributions.

The best text comes from the same sentences in both languages (FLORES-200 via SIB-200, or
Bible verses); then the overlaps measure the languages, not the topics of two corpora.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlt.errors import DataFormatError, DataNotFoundError
from xlt.types import Lang

TEXT_FEATURES = ("char_cosine", "char_overlap", "word_overlap_text", "subword_coverage", "script_overlap")
#: items kept per profile part (the same at training and prediction time)
DEFAULT_TOP = 800


def _normalise(counts: Counter[str], top: int) -> dict[str, float]:
    """The ``top`` most frequent items (ties by item) as shares of the *whole* count."""
    total = sum(counts.values())
    if not total:
        return {}
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return {k: round(v / total, 6) for k, v in best}


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for raw in text.split():
        word = "".join(ch for ch in raw if ch.isalnum() or unicodedata.category(ch).startswith("M"))
        if word and not word.isdigit():
            out.append(word)
    return out


@dataclass(frozen=True)
class TextProfile:
    """Truncated frequency profiles of one language's text (see the module docstring)."""

    chars: Mapping[str, float]
    words: Mapping[str, float]
    tokens: Mapping[str, float]
    scripts: Mapping[str, float]
    n_sentences: int
    tokenizer: str | None = None

    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str],
        *,
        tokenizer: Any | None = None,
        tokenizer_name: str | None = None,
        top: int = DEFAULT_TOP,
        ngram: int = 3,
    ) -> TextProfile:
        """Profile ``texts``; ``tokenizer`` is a ``tokenizers.Tokenizer`` (or anything with
        ``encode(text).tokens``) or a HF tokenizer with ``tokenize``; None leaves ``tokens`` empty."""
        from xlt.languages.scripts import char_script

        chars: Counter[str] = Counter()
        words: Counter[str] = Counter()
        tokens: Counter[str] = Counter()
        scripts: Counter[str] = Counter()
        n = 0
        for text in texts:
            if not text.strip():
                continue
            n += 1
            ws = _words(text)
            words.update(ws)
            for w in ws:
                padded = f"_{w}_"
                chars.update(padded[i : i + ngram] for i in range(max(1, len(padded) - ngram + 1)))
                for ch in w:
                    script = char_script(ch)
                    if script is not None:
                        scripts[script] += 1
            if tokenizer is not None:
                tokens.update(t for t in _tokenize(tokenizer, text) if t not in ("▁", "<unk>"))
        return cls(
            _normalise(chars, top),
            _normalise(words, top),
            _normalise(tokens, top),
            _normalise(scripts, 20),
            n,
            tokenizer_name if tokenizer is not None else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_sentences": self.n_sentences,
            "tokenizer": self.tokenizer,
            "chars": dict(self.chars),
            "words": dict(self.words),
            "tokens": dict(self.tokens),
            "scripts": dict(self.scripts),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TextProfile:
        return cls(
            dict(d["chars"]),
            dict(d["words"]),
            dict(d.get("tokens", {})),
            dict(d["scripts"]),
            int(d["n_sentences"]),
            d.get("tokenizer"),
        )


def _tokenize(tokenizer: Any, text: str) -> list[str]:
    if hasattr(tokenizer, "tokenize"):
        return list(tokenizer.tokenize(text))
    return list(tokenizer.encode(text, add_special_tokens=False).tokens)


def load_tokenizer(model_dir: str | Path) -> Any:
    """The fast tokenizer of a local HF model directory (``tokenizer.json``)."""
    from tokenizers import Tokenizer

    path = Path(model_dir) / "tokenizer.json"
    if not path.is_file():
        raise DataNotFoundError(f"{path}: no tokenizer.json in the model directory")
    return Tokenizer.from_file(str(path))


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if not a or not b:
        return math.nan
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else math.nan


def _intersection(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Σ min(a_k, b_k) over items both keep, relative to the mass both profiles kept."""
    if not a or not b:
        return math.nan
    shared = sum(min(v, b[k]) for k, v in a.items() if k in b)
    return shared / min(sum(a.values()), sum(b.values()))


def _coverage(target: Mapping[str, float], source: Mapping[str, float]) -> float:
    """Share of the target's (kept) mass on items the source also has."""
    if not target or not source:
        return math.nan
    total = sum(target.values())
    return sum(v for k, v in target.items() if k in source) / total if total else math.nan


def text_features(target: TextProfile, source: TextProfile) -> dict[str, float]:
    """The five text similarities of a (target, source) pair (``nan`` where a part is empty).

    ``subword_coverage`` is ``nan`` unless both profiles used the same tokenizer.
    """
    same_tok = target.tokenizer is not None and target.tokenizer == source.tokenizer
    return {
        "char_cosine": _cosine(target.chars, source.chars),
        "char_overlap": _intersection(target.chars, source.chars),
        "word_overlap_text": _coverage(target.words, source.words),
        "subword_coverage": _coverage(target.tokens, source.tokens) if same_tok else math.nan,
        "script_overlap": _intersection(target.scripts, source.scripts),
    }


# --------------------------------------------------------------------------- finding text


def sib200_dir(root: str | Path, lang: Lang) -> Path | None:
    """The SIB-200 ``annotated/<code>_<Script>`` directory of ``lang`` (macrolanguage members
    and the language's usual script tried), or None."""
    from xlt.languages.codes import alternates
    from xlt.languages.info import likely_script

    base = Path(root)
    if (base / "annotated").is_dir():
        base = base / "annotated"
    if not base.is_dir():
        return None
    script = lang.script or likely_script(lang.code)
    for code in alternates(lang.code):
        found = sorted(d for d in base.glob(f"{code}_*") if d.is_dir())
        if not found:
            continue
        if script:
            pick = [d for d in found if d.name.endswith(f"_{script}")]
            if script in ("Hans", "Hant", "Hani") and not pick:
                pick = [d for d in found if d.name.endswith("_Hans")]
            if pick:
                return pick[0]
        return found[0]
    return None


def read_sib200_lang(directory: Path) -> dict[str, str]:
    """``index_id`` → text over the train/dev/test files of one SIB-200 language directory."""
    from xlt.io.files import iter_lines

    rows: dict[str, str] = {}
    for split in ("train", "dev", "test"):
        try:
            lines = iter_lines(directory / f"{split}.tsv")
            header: list[str] | None = None
            for lineno, line in lines:
                cells = line.split("\t")
                if header is None:
                    header = cells
                    if "index_id" not in header or "text" not in header:
                        raise DataFormatError(
                            directory / f"{split}.tsv",
                            lineno,
                            f"expected index_id and text columns, got {header}",
                        )
                    continue
                if len(cells) != len(header):
                    raise DataFormatError(
                        directory / f"{split}.tsv",
                        lineno,
                        f"expected {len(header)} columns, found {len(cells)}",
                    )
                rows[cells[header.index("index_id")]] = cells[header.index("text")]
        except DataNotFoundError:
            continue
    return rows


def bible_file(root: str | Path, lang: Lang) -> Path | None:
    """A Bible of ``lang`` in a christos-c ``bible`` directory (by ``metadata.csv``'s ISO code)."""
    import csv

    from xlt.languages.codes import alternates

    base = Path(root)
    meta = base / "metadata.csv"
    if not meta.is_file():
        return None
    codes = set(alternates(lang.code))
    with meta.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("ISO_639-3") in codes:
                name = row["Filename"]
                for cand in (base / name, base / f"{name}.gz"):
                    if cand.is_file():
                        return cand
    return None


def find_text(
    lang: Lang, *, sib200: str | Path | None, bible: str | Path | None
) -> tuple[str, dict[str, str]]:
    """(provenance, id → sentence) for ``lang``: FLORES-200 via SIB-200 first, then the Bible."""
    if sib200 is not None:
        d = sib200_dir(sib200, lang)
        if d is not None:
            rows = read_sib200_lang(d)
            if rows:
                return f"sib200:{d.name}", rows
    if bible is not None:
        path = bible_file(bible, lang)
        if path is not None:
            from xlt.io.parallel import read_bible

            verses = {k: v for k, v in dict(read_bible(path)).items() if v.strip()}
            if verses:
                return f"bible:{path.name}", verses
    return "", {}


def read_text_file(path: str | Path, *, max_lines: int = 5000) -> list[str]:
    """Sentences of a user's text file (one per line, plain or compressed; TSV: last column)."""
    from xlt.io.files import iter_lines, resolve_path

    out: list[str] = []
    for n, line in iter_lines(resolve_path(Path(path))):
        if n > max_lines:
            break
        text = line.rsplit("\t", 1)[-1].strip()
        if text:
            out.append(text)
    if not out:
        raise DataFormatError(Path(path), None, "no text lines found (expected one sentence per line)")
    return out


def save_profiles(path: str | Path, profiles: Mapping[str, TextProfile], meta: Mapping[str, Any]) -> None:
    import gzip

    from xlt.config import atomic_write_bytes

    payload = {"meta": dict(meta), "profiles": {k: p.to_dict() for k, p in sorted(profiles.items())}}
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    atomic_write_bytes(Path(path), gzip.compress(data, mtime=0))


def load_profiles(path: str | Path) -> tuple[dict[str, Any], dict[str, TextProfile]]:
    import gzip

    raw = Path(path).read_bytes()
    try:
        payload = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (OSError, json.JSONDecodeError) as err:
        raise DataFormatError(Path(path), None, f"not a profiles file: {err}") from None
    return payload["meta"], {k: TextProfile.from_dict(v) for k, v in payload["profiles"].items()}


__all__ = [
    "DEFAULT_TOP",
    "TEXT_FEATURES",
    "TextProfile",
    "find_text",
    "load_profiles",
    "load_tokenizer",
    "read_text_file",
    "save_profiles",
    "sib200_dir",
    "text_features",
]
