"""Choosing transfer languages: features, heuristic and learned rankers, evaluation.

>>> from xlt.ranking import rank_sources
>>> [s.language.given for s in rank_sources("hau", top_k=3)]  # doctest: +SKIP
"""

from xlt.ranking import auto  # noqa: F401  (registers lambdarank-auto)
from xlt.ranking.api import load_ranker, packaged_model_dir, rank_sources, source_weights, vote_weights
from xlt.ranking.base import LanguageRanker, rankers, softmax_weights
from xlt.ranking.evaluate import leave_one_target_out, ranking_metrics
from xlt.ranking.features import ALL_FEATURES, FEATURE_GROUPS, FeatureExtractor, pair_features
from xlt.ranking.heuristic import RankAverageRanker, SingleFeatureRanker
from xlt.ranking.learned import LambdaRankConfig, LambdaRankRanker

__all__ = [
    "ALL_FEATURES",
    "FEATURE_GROUPS",
    "FeatureExtractor",
    "LambdaRankConfig",
    "LambdaRankRanker",
    "LanguageRanker",
    "RankAverageRanker",
    "SingleFeatureRanker",
    "leave_one_target_out",
    "load_ranker",
    "packaged_model_dir",
    "pair_features",
    "rank_sources",
    "rankers",
    "ranking_metrics",
    "softmax_weights",
    "source_weights",
    "vote_weights",
]
