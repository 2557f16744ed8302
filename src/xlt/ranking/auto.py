"""LambdaRank with its feature set chosen by inner cross-validation on the training table."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field

from xlt.errors import XltError
from xlt.io.tables import TransferTable
from xlt.ranking.base import rankers
from xlt.ranking.learned import LambdaRankConfig, LambdaRankRanker
from xlt.types import Lang, LangScore


class AutoLambdaRankConfig(LambdaRankConfig):
    """LambdaRank whose feature set is chosen by inner leave-one-target-out CV on the training table."""

    method: Literal["lambdarank-auto"] = "lambdarank-auto"  # type: ignore[assignment]
    candidate_features: tuple[tuple[str, ...], ...] = Field(
        default=(
            ("uriel",),
            ("uriel", "geography"),
            ("uriel", "geography", "genealogy"),
            ("uriel", "geography", "genealogy", "script", "imputation"),
        ),
        description="Feature sets to choose from (each a list of groups or names).",
    )
    selection_metric: str = Field(default="ndcg@3", description="Inner-CV metric to maximise.")


@rankers.register(
    "lambdarank-auto",
    config=AutoLambdaRankConfig,
    reference="Lin et al. 2019 (LangRank) with feature-set selection by inner cross-validation",
)
class AutoLambdaRankRanker:
    """LambdaRank that picks its feature set by inner leave-one-target-out CV (training targets only)."""

    def __init__(self, config: AutoLambdaRankConfig) -> None:
        self.config = config

    def fit(self, table: TransferTable) -> AutoLambdaRankRanker:
        from xlt.ranking.evaluate import leave_one_target_out

        base = self.config.model_dump(exclude={"method", "candidate_features", "selection_metric"})
        candidates = [tuple(f) for f in self.config.candidate_features]
        scores: dict[tuple[str, ...], float] = {}
        for features in candidates:
            cfg = LambdaRankConfig(**{**base, "features": features})
            result = leave_one_target_out(table, lambda c=cfg: LambdaRankRanker(c), name=",".join(features))
            scores[features] = result.mean.get(self.config.selection_metric, 0.0)
        # the best inner score wins; ties go to the earlier (smaller) candidate
        best = max(candidates, key=lambda f: (scores[f], -candidates.index(f)))
        self.selection_ = {",".join(k): v for k, v in scores.items()}
        self.model_ = LambdaRankRanker(LambdaRankConfig(**{**base, "features": best})).fit(table)
        return self

    def rank(self, target: Lang, candidates: Sequence[Lang]) -> list[LangScore]:
        model = getattr(self, "model_", None)
        if model is None:
            raise XltError("the lambdarank-auto ranker is not trained: call fit() first")
        return model.rank(target, candidates)

    def save(self, directory: str | Path) -> Path:
        """Save the selected model (loads back as a ``lambdarank`` ranker) plus the selection scores."""
        if getattr(self, "model_", None) is None:
            raise XltError("cannot save an untrained ranker")
        return self.model_.save(
            directory, extra={"selected_by": "lambdarank-auto", "selection": self.selection_}
        )
