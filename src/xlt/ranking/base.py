"""The ranking stage: protocol, registry, shared helpers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from xlt.errors import DataFormatError, DataNotFoundError
from xlt.io.files import iter_lines, resolve_path
from xlt.io.tables import TransferTable
from xlt.languages.codes import resolve as resolve_language
from xlt.registry import stage_registry
from xlt.types import Lang, LangScore

#: every transfer-language ranker (heuristics and learned models)
rankers = stage_registry(
    "rankers", builtins=("xlt.ranking.heuristic", "xlt.ranking.learned", "xlt.ranking.auto")
)


@runtime_checkable
class LanguageRanker(Protocol):
    """Ranks candidate source languages for a target language, best first."""

    config: Any

    def fit(self, table: TransferTable) -> LanguageRanker: ...

    def rank(self, target: Lang, candidates: Sequence[Lang]) -> list[LangScore]: ...


def sort_scores(scores: Sequence[LangScore]) -> list[LangScore]:
    """Best first; ties broken by the code (deterministic)."""
    return sorted(scores, key=lambda s: (-_finite(s.score), s.language.code, str(s.language)))


def _finite(x: float) -> float:
    return x if not math.isnan(x) else -math.inf


def softmax_weights(scores: Sequence[float], temperature: float = 1.0) -> list[float]:
    """Weights that sum to 1 for a selected set of sources: ``softmax(score / temperature)``.

    For the LambdaRank ranker, scores are pairwise log-odds (P(a above b) = σ(s_a − s_b)), so
    the weights are Plackett–Luce probabilities of each source being the best of the set.
    """
    if not scores:
        return []
    vals = [(_finite(s) if not math.isnan(s) else -math.inf) / temperature for s in scores]
    top = max(vals)
    if math.isinf(top):
        return [1.0 / len(vals)] * len(vals)
    exps = [math.exp(v - top) if not math.isinf(v) else 0.0 for v in vals]
    total = sum(exps)
    return [e / total for e in exps]


def exclude_target(target: Lang, candidates: Sequence[Lang]) -> list[Lang]:
    """Candidates minus the target itself and duplicates (first spelling kept)."""
    seen: set[Lang] = set()
    out = []
    for cand in candidates:
        if cand != target and cand not in seen:
            seen.add(cand)
            out.append(cand)
    return out


def load_samples(directory: str | Path, *, max_lines: int | None = None) -> dict[Lang, list[str]]:
    """Text samples per language from ``DIR/<code>.txt`` files (plain or compressed).

    File names are language codes as :func:`xlt.languages.resolve` accepts them (``wol.txt``,
    ``wol_Latn.txt.gz``). One sentence per line; at most ``max_lines`` lines per file are read.
    """
    from xlt.io.files import strip_compression_suffix

    root = Path(directory)
    if not root.is_dir():
        raise DataNotFoundError(f"{root}: samples directory not found (expected DIR/<code>.txt files)")
    samples: dict[Lang, list[str]] = {}
    for path in sorted(root.iterdir()):
        name = strip_compression_suffix(path.name)
        if not name.endswith(".txt"):
            continue
        try:
            lang = resolve_language(name[: -len(".txt")])
        except Exception as err:
            raise DataFormatError(path, None, f"file name is not a language code: {err}") from None
        lines = []
        for n, line in iter_lines(resolve_path(path)):
            if max_lines is not None and n > max_lines:
                break
            if line.strip():
                lines.append(line)
        samples[lang] = lines
    return samples


def sample_stats(directory: str | Path) -> dict[Lang, Any]:
    """:class:`~xlt.ranking.features.TextStats` of every sample file in ``directory``
    (computed once per process and directory state)."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise DataNotFoundError(f"{root}: samples directory not found (expected DIR/<code>.txt files)")
    state = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in root.iterdir()))
    return _sample_stats(str(root), state)


@lru_cache(maxsize=8)
def _sample_stats(root: str, state: tuple[tuple[str, int, int], ...]) -> dict[Lang, Any]:
    from xlt.ranking.features import TextStats

    return {lang: TextStats.from_texts(texts) for lang, texts in load_samples(root).items()}


def as_langs(codes: Sequence[str | Lang]) -> list[Lang]:
    return [c if isinstance(c, Lang) else resolve_language(c) for c in codes]


def explanation_dict(names: Sequence[str], values: Sequence[float]) -> dict[str, float]:
    return {name: float(v) for name, v in zip(names, values, strict=True)}


def features_dict(row: Mapping[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in row.items()}
