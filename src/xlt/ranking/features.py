"""Features of a (source, target) language pair for transfer-language ranking.

Feature groups (names are stable: saved rankers list them):

* ``uriel``: ``syntactic``, ``phonological``, ``inventory``, ``featural``, ``genetic`` — URIEL
  cosine distances (Littell et al. 2017), computed from lang2vec's vectors;
* ``geography``: ``geographic`` — great-circle km between Glottolog/WALS coordinates;
* ``genealogy``: ``genealogical`` — distance in the Glottolog classification tree;
* ``script``: ``script_match`` — 1 when both languages are (usually) written in the same script;
* ``imputation``: ``typology_imputed`` — share of URIEL values imputed by kNN for the pair
  (1.0 when a language is missing from URIEL: every URIEL distance is then ``nan``);
* ``dataset`` (needs text samples): ``word_overlap``, ``subword_overlap``, ``size_ratio``,
  ``ttr_distance`` — LangRank's data-dependent features (Lin et al. 2019, *Choosing Transfer
  Languages for Cross-Lingual Learning*);
* ``text`` (precomputed from FLORES-200/Bible text, or a target's own text): ``char_cosine``,
  ``char_overlap``, ``word_overlap_text``, ``subword_coverage``, ``script_overlap`` — see
  :mod:`xlt.ranking.text`;
* ``model`` (precomputed with an encoder on parallel FLORES sentences, or live from
  ``similarity_model``): ``model_similarity`` — mean cosine similarity of sentence embeddings of
  parallel sentences at the middle layer (mPLM-Sim, Lin et al. 2024); ``model_similarity_mean``
  (over all layers); ``mexa_pair`` and ``mexa_target_en`` (MEXA alignment, Kargaran et al. 2024) —
  see :mod:`xlt.ranking.langsim`.

Missing values are ``nan``: LightGBM routes them natively, heuristic rankers skip them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from xlt.languages import typology
from xlt.types import Lang

URIEL_FEATURES = ("syntactic", "phonological", "inventory", "featural", "genetic")
DATASET_FEATURES = ("word_overlap", "subword_overlap", "size_ratio", "ttr_distance")
MODEL_FEATURES = ("model_similarity", "model_similarity_mean", "mexa_pair", "mexa_target_en")
TEXT_FEATURES = ("char_cosine", "char_overlap", "word_overlap_text", "subword_coverage", "script_overlap")
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "uriel": URIEL_FEATURES,
    "geography": ("geographic",),
    "genealogy": ("genealogical",),
    "script": ("script_match",),
    "imputation": ("typology_imputed",),
    "dataset": DATASET_FEATURES,
    "text": TEXT_FEATURES,
    "model": MODEL_FEATURES,
}
TYPOLOGY_FEATURES: tuple[str, ...] = (
    *URIEL_FEATURES,
    "geographic",
    "genealogical",
    "script_match",
    "typology_imputed",
)
ALL_FEATURES: tuple[str, ...] = (*TYPOLOGY_FEATURES, *DATASET_FEATURES, *TEXT_FEATURES, *MODEL_FEATURES)
#: features looked up in (or computed into) a :class:`~xlt.ranking.langsim.LanguageSimilarity`
LANGSIM_FEATURES: tuple[str, ...] = (*TEXT_FEATURES, *MODEL_FEATURES)
#: features where larger means *more* similar (all others are distances)
SIMILARITIES = frozenset(
    {
        "script_match",
        "word_overlap",
        "subword_overlap",
        *TEXT_FEATURES,
        "model_similarity",
        "model_similarity_mean",
        "mexa_pair",
        "mexa_target_en",
    }
)
#: features with a known sign for transfer: +1 = larger is better, -1 = larger is worse
#: (LightGBM monotone constraints); unlisted features (imputation share, sizes, the target's
#: own MEXA score, which is the same for every candidate) are left free
MONOTONE: dict[str, int] = {
    **dict.fromkeys(URIEL_FEATURES, -1),
    "geographic": -1,
    "genealogical": -1,
    "script_match": 1,
    "word_overlap": 1,
    "subword_overlap": 1,
    **dict.fromkeys(TEXT_FEATURES, 1),
    "model_similarity": 1,
    "model_similarity_mean": 1,
    "mexa_pair": 1,
    "source_prior": 1,
}


def expand_features(names: Iterable[str]) -> tuple[str, ...]:
    """Expand group names (``uriel``) and feature names into a deduplicated feature tuple."""
    from xlt.errors import UnknownNameError

    out: list[str] = []
    for name in names:
        name = name.strip()
        if name in FEATURE_GROUPS:
            out.extend(FEATURE_GROUPS[name])
        elif name in ALL_FEATURES:
            out.append(name)
        elif name:
            raise UnknownNameError("ranking feature", name, [*FEATURE_GROUPS, *ALL_FEATURES])
    return tuple(dict.fromkeys(out))


def _script(lang: Lang) -> str | None:
    from xlt.languages.info import likely_script

    script = lang.script or likely_script(lang.code)
    # Hans/Hant are both Han for matching purposes
    return "Hani" if script in ("Hans", "Hant") else script


@lru_cache(maxsize=100_000)
def _typology_features(
    target_code: str,
    target_script: str | None,
    source_code: str,
    source_script: str | None,
    vectors: str = "average",
) -> tuple[tuple[str, float], ...]:
    feats: dict[str, float] = {}
    imputed = []
    for group in ("syntactic", "phonological", "inventory", "featural"):
        dist, share = typology.typological_distance(source_code, target_code, group, vectors)
        feats[group] = dist
        imputed.append(share)
    feats["genetic"] = typology.genetic_distance(source_code, target_code)
    feats["geographic"] = typology.geographic_distance(source_code, target_code)
    feats["genealogical"] = typology.genealogical_distance(source_code, target_code)
    s_script = _script(Lang(source_code, source_script))
    t_script = _script(Lang(target_code, target_script))
    feats["script_match"] = math.nan if s_script is None or t_script is None else float(s_script == t_script)
    feats["typology_imputed"] = float(sum(imputed) / len(imputed))
    return tuple(feats.items())


def pair_features(target: Lang, source: Lang, *, uriel_vectors: str = "average") -> dict[str, float]:
    """The typology features (every group except ``dataset`` and ``model``) of one pair.

    ``uriel_vectors``: ``average`` (observed values, gaps filled by kNN) or ``knn`` (see
    :func:`xlt.languages.typology.typological_vector`).
    """
    return dict(_typology_features(target.code, target.script, source.code, source.script, uriel_vectors))


@dataclass(frozen=True)
class TextStats:
    """What the dataset features need from a language's text sample."""

    words: frozenset[str]
    subwords: frozenset[str]
    n_tokens: int
    ttr: float

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, ngram: int = 3) -> TextStats:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w.casefold() for w in text.split())
        n_tokens = sum(counts.values())
        subwords: set[str] = set()
        for word in counts:
            padded = f"▁{word}▁"
            subwords.update(padded[i : i + ngram] for i in range(max(1, len(padded) - ngram + 1)))
        return cls(
            frozenset(counts), frozenset(subwords), n_tokens, len(counts) / n_tokens if n_tokens else 0.0
        )


def dataset_features(target: TextStats, source: TextStats) -> dict[str, float]:
    """LangRank's data-dependent features of a pair (cached; see :func:`_dataset_features`)."""
    return dict(_dataset_features(target, source))


@lru_cache(maxsize=100_000)
def _dataset_features(target: TextStats, source: TextStats) -> tuple[tuple[str, float], ...]:
    """LangRank's data-dependent features (Lin et al. 2019).

    ``word_overlap`` = |V_s ∩ V_t| / (|V_s| + |V_t|) over word types; ``subword_overlap`` the same
    over character trigrams of words (a tokenizer-free stand-in for LangRank's BPE units);
    ``size_ratio`` = source tokens / target tokens; ``ttr_distance`` = (1 − TTR_s / TTR_t)².
    """

    def overlap(a: frozenset[str], b: frozenset[str]) -> float:
        return len(a & b) / (len(a) + len(b)) if a or b else math.nan

    return (
        ("word_overlap", overlap(source.words, target.words)),
        ("subword_overlap", overlap(source.subwords, target.subwords)),
        ("size_ratio", source.n_tokens / target.n_tokens if target.n_tokens else math.nan),
        ("ttr_distance", (1 - source.ttr / target.ttr) ** 2 if target.ttr else math.nan),
    )


class FeatureExtractor:
    """Computes the requested features for (target, candidate) pairs.

    ``samples`` maps languages to text samples (or ``stats`` to their precomputed
    :class:`TextStats`) for the ``dataset`` group; ``similarity``
    is a :class:`~xlt.ranking.similarity.ModelSimilarity` (for the ``model`` group). Features
    whose inputs are missing for a language are ``nan``.
    """

    def __init__(
        self,
        features: Sequence[str],
        *,
        samples: Mapping[Lang, Sequence[str]] | None = None,
        stats: Mapping[Lang, TextStats] | None = None,
        similarity: object | None = None,
        langsim: object | None = None,
        uriel_vectors: str = "average",
    ) -> None:
        self.features = expand_features(features)
        self.uriel_vectors = uriel_vectors
        self._stats = dict(stats or {})
        self._stats.update({lang: TextStats.from_texts(texts) for lang, texts in (samples or {}).items()})
        self.similarity = similarity
        self.langsim = langsim

    def pair(self, target: Lang, source: Lang) -> dict[str, float]:
        values: dict[str, float] = {}
        wanted = set(self.features)
        if wanted & set(TYPOLOGY_FEATURES):
            values.update(pair_features(target, source, uriel_vectors=self.uriel_vectors))
        if wanted & set(DATASET_FEATURES):
            ts, ss = self._stats.get(target), self._stats.get(source)
            if ts is not None and ss is not None:
                values.update(dataset_features(ts, ss))
        looked_up = [f for f in LANGSIM_FEATURES if f in wanted]
        if looked_up and self.langsim is not None:
            values.update(self.langsim.pair(target, source, looked_up))  # type: ignore[attr-defined]
        if "model_similarity" in wanted and self.similarity is not None:
            values["model_similarity"] = self.similarity.similarity(target, source)  # type: ignore[attr-defined]
        return {name: float(values.get(name, math.nan)) for name in self.features}

    def rows(self, target: Lang, candidates: Sequence[Lang]) -> list[dict[str, float]]:
        return [self.pair(target, source) for source in candidates]

    def missing_report(self, languages: Iterable[Lang]) -> dict[str, list[str]]:
        """Which languages lack URIEL vectors, coordinates, classification or samples."""
        report: dict[str, list[str]] = {
            "uriel": [],
            "coordinates": [],
            "classification": [],
            "samples": [],
            "text": [],
        }
        known = self.langsim.known_targets() if self.langsim is not None else set()  # type: ignore[attr-defined]
        for lang in languages:
            if typology.uriel_code(lang.code) is None:
                report["uriel"].append(str(lang))
            if typology.coordinates(lang.code) is None:
                report["coordinates"].append(str(lang))
            if typology.classification_path(lang.code) is None:
                report["classification"].append(str(lang))
            if set(self.features) & set(DATASET_FEATURES) and lang not in self._stats:
                report["samples"].append(str(lang))
            if set(self.features) & set(LANGSIM_FEATURES) and lang.code not in known:
                report["text"].append(str(lang))
        return {k: v for k, v in report.items() if v}
