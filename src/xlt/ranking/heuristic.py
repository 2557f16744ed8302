"""Unsupervised rankers: one per single feature, and a rank-average of several.

They need no training table (``fit`` only checks its argument), so they are the baselines of
``xlt rank evaluate`` and the fallback when no learned model fits a task.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from xlt.config import MethodConfig
from xlt.io.tables import TransferTable, average_positions
from xlt.ranking.base import exclude_target, rankers, sample_stats, sort_scores
from xlt.ranking.features import SIMILARITIES, TYPOLOGY_FEATURES, FeatureExtractor, expand_features
from xlt.types import Lang, LangScore

SingleFeature = Literal[
    "syntactic",
    "phonological",
    "inventory",
    "featural",
    "genetic",
    "geographic",
    "genealogical",
    "script_match",
    "char_cosine",
    "char_overlap",
    "word_overlap_text",
    "subword_coverage",
    "script_overlap",
    "model_similarity",
    "model_similarity_mean",
    "mexa_pair",
]

_REFERENCES = {
    "syntactic": "Littell et al. 2017, URIEL and lang2vec",
    "phonological": "Littell et al. 2017, URIEL and lang2vec",
    "inventory": "Littell et al. 2017, URIEL and lang2vec",
    "featural": "Littell et al. 2017, URIEL and lang2vec",
    "genetic": "Littell et al. 2017, URIEL and lang2vec",
    "geographic": "Lin et al. 2019, Choosing Transfer Languages for Cross-Lingual Learning",
    "genealogical": "Hammarström et al., Glottolog 5.1",
    "script_match": "Lin et al. 2019, Choosing Transfer Languages for Cross-Lingual Learning",
    "char_cosine": "Gamallo et al. 2017, From language identification to language distance (character n-grams)",
    "char_overlap": "Gamallo et al. 2017, From language identification to language distance (character n-grams)",
    "word_overlap_text": "Lin et al. 2019 (LangRank word overlap), on parallel FLORES-200 text",
    "subword_coverage": "Pires et al. 2019 / Wu & Dredze 2019: shared wordpieces and mBERT transfer",
    "script_overlap": "Lin et al. 2019 (script), as a character-script distribution overlap",
    "model_similarity": "Lin et al. 2024, mPLM-Sim (middle layer)",
    "model_similarity_mean": "Lin et al. 2024, mPLM-Sim (mean over layers)",
    "mexa_pair": "Kargaran et al. 2024, MEXA (source-target alignment)",
}


def _langsim_for(features: Sequence[str]) -> object | None:
    """The packaged language-similarity table when any text/model feature is asked for."""
    from xlt.ranking.features import LANGSIM_FEATURES

    if not set(features) & set(LANGSIM_FEATURES):
        return None
    from xlt.ranking.langsim import load_langsim

    return load_langsim()


class SingleFeatureConfig(MethodConfig):
    """Rank by one feature: nearest (or most similar) first."""

    method: SingleFeature = Field(description="The feature to rank by (also the ranker's name).")


class _UnsupervisedRanker:
    """Base of the rankers that learn nothing: ``fit`` only checks its argument."""

    def __init__(self, config: SingleFeatureConfig | RankAverageConfig) -> None:
        self.config = config

    def fit(self, table: TransferTable) -> _UnsupervisedRanker:
        if not isinstance(table, TransferTable):
            raise TypeError(f"fit expects a TransferTable, got {type(table).__name__}")
        return self


class SingleFeatureRanker(_UnsupervisedRanker):
    """Ranks candidates by one typology feature (smaller distance / larger similarity first)."""

    config: SingleFeatureConfig

    def rank(self, target: Lang, candidates: Sequence[Lang]) -> list[LangScore]:
        feature = self.config.method
        extractor = FeatureExtractor([feature], langsim=_langsim_for([feature]))
        out = []
        for source in exclude_target(target, candidates):
            value = extractor.pair(target, source)[feature]
            score = value if feature in SIMILARITIES else -value
            out.append(LangScore(source, score, {feature: score}, {feature: value}))
        return sort_scores(out)


for _name in SingleFeature.__args__:  # type: ignore[attr-defined]
    rankers.register(
        _name,
        config=SingleFeatureConfig,
        description=f"Rank source languages by {_name.replace('_', ' ')} (unsupervised baseline).",
        reference=_REFERENCES[_name],
    )(SingleFeatureRanker)


class RankAverageConfig(MethodConfig):
    """Average of per-feature ranks (no training)."""

    method: Literal["rank-average"] = "rank-average"
    features: tuple[str, ...] = Field(
        default=("uriel", "geography", "genealogy"),
        description="Feature groups or names to combine (each contributes its within-target rank).",
    )
    samples_dir: Path | None = Field(
        default=None, description="Directory of <code>.txt text samples, for the dataset features."
    )


@rankers.register(
    "rank-average",
    config=RankAverageConfig,
    reference="Unsupervised combination of URIEL/Glottolog distances (cf. Lin et al. 2019 baselines)",
)
class RankAverageRanker(_UnsupervisedRanker):
    """Unsupervised combination: mean of each feature's normalised within-target rank."""

    config: RankAverageConfig

    def rank(self, target: Lang, candidates: Sequence[Lang]) -> list[LangScore]:
        import numpy as np

        features = [f for f in expand_features(self.config.features) if f != "typology_imputed"]
        samples = sample_stats(self.config.samples_dir) if self.config.samples_dir else None
        extractor = FeatureExtractor(features, stats=samples, langsim=_langsim_for(features))
        cands = exclude_target(target, candidates)
        rows = extractor.rows(target, cands)
        # per feature: 1 for the best candidate ... 0 for the worst; nan stays nan
        per_feature: dict[str, np.ndarray] = {}
        for name in features:
            vals = np.array([r[name] for r in rows], dtype=float)
            ok = ~np.isnan(vals)
            norm = np.full(len(vals), math.nan)
            if ok.sum() >= 2:
                keyed = -vals[ok] if name in SIMILARITIES else vals[ok]
                pos = average_positions(keyed)
                norm[ok] = 1 - (pos - 1) / (ok.sum() - 1)
            elif ok.sum() == 1:
                norm[ok] = 1.0
            per_feature[name] = norm
        out = []
        for i, source in enumerate(cands):
            parts = {n: float(v[i]) for n, v in per_feature.items() if not math.isnan(v[i])}
            score = sum(parts.values()) / len(parts) if parts else math.nan
            explanation = {n: v / len(parts) for n, v in parts.items()}
            out.append(LangScore(source, score, explanation, rows[i]))
        return sort_scores(out)


__all__ = ["TYPOLOGY_FEATURES", "RankAverageRanker", "SingleFeatureRanker"]
