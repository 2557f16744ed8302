"""Precomputed text- and model-based language similarities, packaged with the ranker.

The packaged ranker must predict with no model and no data at hand, so the similarities of
every language that has FLORES-200 text (SIB-200) or a Bible to every language of the training
table are computed once (``scripts/build_language_similarity.py``) and shipped as
``resources/rankers/langsim.json.gz``:

* ``text`` group — :mod:`xlt.ranking.text` features of the two languages' text profiles;
* ``model`` group — from an encoder's mean-pooled hidden states of the same FLORES sentences
  in both languages: ``model_similarity`` (mean cosine of parallel sentences at the middle
  layer, mPLM-Sim, Lin et al. 2024), ``model_similarity_mean`` (the same averaged over layers),
  ``mexa_pair`` (MEXA alignment, Kargaran et al. 2024: share of sentences whose translation is
  their mutual nearest neighbour, averaged over layers) and ``mexa_target_en`` (the target's
  MEXA alignment with English: how well the model knows the target at all);
* the text profiles of the table's languages, so a user's own target text
  (``--target-text FILE``) gets the ``text`` features offline.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from xlt.errors import DataFormatError, DataNotFoundError
from xlt.ranking.text import TEXT_FEATURES, TextProfile, load_tokenizer, text_features
from xlt.types import Lang

logger = logging.getLogger(__name__)

MODEL_FEATURES_SIM = ("model_similarity", "model_similarity_mean", "mexa_pair", "mexa_target_en")
RESOURCE = "langsim.json.gz"


def packaged_langsim_path() -> Path:
    return Path(str(resources.files("xlt.resources.rankers").joinpath(RESOURCE)))


def lang_key(lang: Lang) -> str:
    """The key of a language in the similarity table: its canonical ISO 639-3 code."""
    return lang.code


class LanguageSimilarity:
    """Lookup of precomputed pair similarities, plus on-the-fly text features for new targets.

    ``pairs[feature][target][source]``; ``profiles`` are the text profiles of the sources.
    """

    def __init__(
        self,
        pairs: Mapping[str, Mapping[str, Mapping[str, float]]],
        profiles: Mapping[str, TextProfile],
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.pairs = {f: {t: dict(row) for t, row in m.items()} for f, m in pairs.items()}
        self.profiles = dict(profiles)
        self.meta = dict(meta or {})
        self._tokenizer: Any = None

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        from xlt.config import atomic_write_bytes

        payload = {
            "meta": self.meta,
            "pairs": {
                f: {t: {s: _round(v) for s, v in sorted(row.items())} for t, row in sorted(m.items())}
                for f, m in sorted(self.pairs.items())
            },
            "profiles": {k: p.to_dict() for k, p in sorted(self.profiles.items())},
        }
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        atomic_write_bytes(Path(path), gzip.compress(data.encode("utf-8"), mtime=0))
        Path(path).chmod(0o644)

    @classmethod
    def load(cls, path: str | Path) -> LanguageSimilarity:
        p = Path(path)
        if not p.is_file():
            raise DataNotFoundError(f"{p}: language-similarity file not found")
        raw = p.read_bytes()
        try:
            payload = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        except (OSError, json.JSONDecodeError) as err:
            raise DataFormatError(p, None, f"not a language-similarity file: {err}") from None
        pairs = {
            f: {t: {s: (math.nan if v is None else float(v)) for s, v in row.items()} for t, row in m.items()}
            for f, m in payload["pairs"].items()
        }
        profiles = {k: TextProfile.from_dict(v) for k, v in payload.get("profiles", {}).items()}
        return cls(pairs, profiles, payload.get("meta", {}))

    # -- lookups ----------------------------------------------------------------------------
    def known_targets(self) -> set[str]:
        return set().union(*(m.keys() for m in self.pairs.values())) if self.pairs else set()

    def pair(self, target: Lang, source: Lang, features: Sequence[str]) -> dict[str, float]:
        t, s = lang_key(target), lang_key(source)
        return {f: float(self.pairs.get(f, {}).get(t, {}).get(s, math.nan)) for f in features}

    def add_target_text(
        self, target: Lang, texts: Sequence[str], *, tokenizer_dir: str | Path | None
    ) -> None:
        """Compute the ``text`` features of ``target`` (from ``texts``) against every source
        profile, replacing any stored ones. ``subword_coverage`` needs the tokenizer the
        profiles were built with (``tokenizer_dir``); without it that feature is ``nan``."""
        tok_name = self.meta.get("tokenizer")
        tokenizer = None
        if tok_name and tokenizer_dir is not None and Path(tokenizer_dir, "tokenizer.json").is_file():
            tokenizer = load_tokenizer(tokenizer_dir)
        elif tok_name:
            logger.warning(
                "no tokenizer for %s at hand (give the model directory): subword_coverage is missing",
                tok_name,
            )
        profile = TextProfile.from_texts(
            texts,
            tokenizer=tokenizer,
            tokenizer_name=tok_name if tokenizer is not None else None,
            top=int(self.meta.get("top", 800)),
        )
        key = lang_key(target)
        for name, src_profile in self.profiles.items():
            for f, v in text_features(profile, src_profile).items():
                self.pairs.setdefault(f, {}).setdefault(key, {})[name] = v
        # the model group cannot be computed without the model: drop stale values
        for f in MODEL_FEATURES_SIM:
            self.pairs.get(f, {}).pop(key, None)


def _round(v: float) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 5)


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: int) -> LanguageSimilarity:
    return LanguageSimilarity.load(path)


def load_langsim(path: str | Path | None = None) -> LanguageSimilarity | None:
    """The language-similarity table at ``path`` (default: the packaged one; None if absent)."""
    p = Path(path) if path is not None else packaged_langsim_path()
    if not p.is_file():
        if path is not None:
            raise DataNotFoundError(f"{p}: language-similarity file not found")
        return None
    return _load_cached(str(p.resolve()), p.stat().st_mtime_ns)


# --------------------------------------------------------------------------- building


def model_pair_features(
    emb: Mapping[str, np.ndarray], targets: Sequence[str], sources: Sequence[str], *, pivot: str = "eng"
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, Any]]:
    """Model features from per-language embeddings ``(layers, n, dim)`` of the *same* n
    sentences. Returns ``pairs`` plus per-layer details (mean cosine per layer) for reports."""
    from xlt.evaluation.mexa import alignment_score

    norm = {k: v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12) for k, v in emb.items()}
    out: dict[str, dict[str, dict[str, float]]] = {f: {} for f in MODEL_FEATURES_SIM}
    per_layer: dict[str, dict[str, list[float]]] = {}
    for t in targets:
        if t not in norm:
            continue
        et = norm[t]
        n_layers = et.shape[0]
        mid = n_layers // 2
        mexa_en = (
            float(np.mean([alignment_score(emb[t][i], emb[pivot][i]) for i in range(n_layers)]))
            if pivot in emb and t != pivot
            else (1.0 if t == pivot else math.nan)
        )
        for s in sources:
            if s not in norm:
                continue
            es = norm[s]
            cos = (et * es).sum(-1).mean(-1)  # (layers,)
            out["model_similarity"].setdefault(t, {})[s] = float(cos[mid])
            out["model_similarity_mean"].setdefault(t, {})[s] = float(cos.mean())
            out["mexa_pair"].setdefault(t, {})[s] = (
                float(np.mean([alignment_score(emb[t][i], emb[s][i]) for i in range(n_layers)]))
                if s != t
                else 1.0
            )
            out["mexa_target_en"].setdefault(t, {})[s] = mexa_en
            per_layer.setdefault(t, {})[s] = [round(float(c), 5) for c in cos]
    return out, {"per_layer_cosine": per_layer}


def text_pair_features(
    profiles: Mapping[str, TextProfile], targets: Sequence[str], sources: Sequence[str]
) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {f: {} for f in TEXT_FEATURES}
    for t in targets:
        if t not in profiles:
            continue
        for s in sources:
            if s not in profiles:
                continue
            for f, v in text_features(profiles[t], profiles[s]).items():
                out[f].setdefault(t, {})[s] = v
    return out


__all__ = [
    "MODEL_FEATURES_SIM",
    "LanguageSimilarity",
    "load_langsim",
    "model_pair_features",
    "packaged_langsim_path",
    "text_pair_features",
]
