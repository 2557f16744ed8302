"""The one-call API: rank source languages for a target with a saved or packaged ranker."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

from xlt.errors import UnknownNameError
from xlt.languages.codes import resolve as resolve_language
from xlt.ranking.base import as_langs, softmax_weights
from xlt.ranking.learned import META_FILE, LambdaRankRanker
from xlt.types import Lang, LangScore

#: tasks with a packaged pretrained ranker -> resource directory name
PACKAGED_TASKS: dict[str, str] = {"ner": "ner"}


def packaged_model_dir(task: str) -> Path:
    """Directory of the pretrained ranker shipped with xlt for ``task``."""
    if task not in PACKAGED_TASKS:
        raise UnknownNameError("ranking task", task, PACKAGED_TASKS, hint="or pass a trained --model DIR")
    root = resources.files("xlt.resources.rankers").joinpath(PACKAGED_TASKS[task])
    return Path(str(root))


def load_ranker(model_dir: str | Path | None = None, *, task: str = "ner") -> LambdaRankRanker:
    """A saved ranker from ``model_dir``, or the packaged one for ``task`` (cached while the
    directory's files are unchanged)."""
    root = Path(model_dir if model_dir is not None else packaged_model_dir(task)).resolve()
    state = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in root.iterdir())) if root.is_dir() else ()
    return _load(str(root), state)


@lru_cache(maxsize=4)
def _load(root: str, state: tuple[tuple[str, int], ...]) -> LambdaRankRanker:
    return LambdaRankRanker.load(root)


def rank_sources(
    target: str | Lang,
    candidates: Sequence[str | Lang] | None = None,
    *,
    task: str = "ner",
    model_dir: str | Path | None = None,
    top_k: int | None = None,
) -> list[LangScore]:
    """Rank candidate source languages for ``target``, best first.

    ``candidates`` defaults to every source language the ranker was trained on. Codes keep the
    user's spelling in ``LangScore.language.given``; each score carries per-feature
    contributions in ``explanation``. Use :func:`source_weights` for multi-source weights.
    """
    ranker = load_ranker(model_dir, task=task)
    tgt = target if isinstance(target, Lang) else resolve_language(target)
    cands = as_langs(candidates if candidates is not None else ranker.sources_)
    ranked = ranker.rank(tgt, cands)
    return ranked[:top_k] if top_k is not None else ranked


def source_weights(scores: Sequence[LangScore], temperature: float = 1.0) -> list[float]:
    """Weights summing to 1 for a selected set of sources (softmax of the scores): with the
    ranker's calibrated temperature, the Plackett–Luce probability that each is the best
    (Plackett 1975; Luce 1959). For voting use :func:`vote_weights`."""
    return softmax_weights([s.score for s in scores], temperature)


def vote_weights(
    target: str | Lang,
    sources: Sequence[str | Lang],
    *,
    task: str = "ner",
    model_dir: str | Path | None = None,
    temperature: float | None = None,
) -> list[float]:
    """Voting weights for ``sources`` (in their order, summing to 1) when every source labels the
    same sentences (multi-source projection, Agić et al. 2016): each source's expected relevance
    given the pair part of its score, calibrated out of fold on the ranker's table (see
    :meth:`~xlt.ranking.learned.LambdaRankRanker.vote_weights`)."""
    ranker = load_ranker(model_dir, task=task)
    tgt = target if isinstance(target, Lang) else resolve_language(target)
    return ranker.vote_weights_for(tgt, as_langs(sources), temperature)


__all__ = ["META_FILE", "load_ranker", "packaged_model_dir", "rank_sources", "source_weights", "vote_weights"]
