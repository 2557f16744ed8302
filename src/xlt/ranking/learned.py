"""LambdaRank transfer-language ranker (LangRank, Lin et al. 2019), trainable from any table.

Training data: every (target, candidate source) pair of a transfer table, grouped by target,
labelled with LangRank's graded relevance (top-10 sources get 10..1, the rest 0). The model is
a LightGBM LambdaRank ensemble saved as LightGBM's text format plus JSON metadata (feature names,
training-table SHA-256, xlt version, sources seen) — never a pickle. Every prediction carries
per-feature contributions (LightGBM ``pred_contrib``, TreeSHAP) that sum to its score.

Besides the pair features, the ranker can learn a ``source_prior``: the mean relevance a source
reached over the *training* targets (how generally useful it is as a source, e.g. a large,
cleanly annotated dataset). It is computed inside ``fit`` from the training table only, and is
``nan`` for sources the table never measured.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from xlt.config import MethodConfig, atomic_write_text
from xlt.errors import ConfigError, DataFormatError, DataNotFoundError, XltError
from xlt.io.tables import TransferTable
from xlt.ranking.base import as_langs, exclude_target, rankers, sample_stats, sort_scores
from xlt.ranking.features import (
    LANGSIM_FEATURES,
    MONOTONE,
    SIMILARITIES,
    FeatureExtractor,
    expand_features,
)
from xlt.ranking.learned_terms import relative_rank, source_level_terms, source_prior, zscore
from xlt.ranking.similarity import ModelSimilarity
from xlt.types import Lang, LangScore

logger = logging.getLogger(__name__)
PRIOR = "source_prior"
MODEL_FILE = "model.txt"
META_FILE = "ranker.json"
FALLBACK_PREFIX = "text-model"
#: features of the companion model for targets URIEL does not know (text and model similarity)
FALLBACK_GROUPS = ("text", "model")
FORMAT_VERSION = 1
#: features whose within-target rank carries no extra information
RELATIVE_SKIP = frozenset({"script_match", "typology_imputed"})


class LambdaRankConfig(MethodConfig):
    """LightGBM LambdaRank over pair features (hyperparameters as in LangRank)."""

    method: Literal["lambdarank"] = "lambdarank"
    features: tuple[str, ...] = Field(
        default=("uriel", "geography", "genealogy", "script", "imputation"),
        description="Feature groups or names (see `xlt rank features`).",
    )
    uriel_vectors: Literal["average", "knn"] = Field(
        default="average",
        description="URIEL vectors: observed averages with kNN-filled gaps, or kNN predictions throughout.",
    )
    source_prior: bool = Field(default=True, description="Learn each source's mean training relevance.")
    relative: bool = Field(
        default=False,
        description="Also give each feature's within-target rank (0 = nearest candidate ... 1 = farthest).",
    )
    top: int = Field(
        default=10, ge=1, le=30, description="Relevance grades: the best `top` sources get top..1."
    )
    n_estimators: int = Field(default=100, ge=1, description="Boosting rounds (LangRank: 100).")
    learning_rate: float = Field(default=0.1, gt=0, description="Shrinkage (LangRank: 0.1).")
    num_leaves: int = Field(default=16, ge=2, description="Leaves per tree (LangRank: 16).")
    min_data_in_leaf: int = Field(default=5, ge=1, description="Minimum pairs per leaf (LangRank: 5).")
    ensemble: int = Field(
        default=1,
        ge=1,
        le=50,
        description="Models averaged; above 1 each uses its own seed with 80% row/feature bagging.",
    )
    samples_dir: Path | None = Field(
        default=None, description="Directory of <code>.txt text samples (dataset features)."
    )
    similarity_model: str | None = Field(
        default=None, description="HF encoder (hub id or path) for the model_similarity feature."
    )
    parallel_dir: Path | None = Field(
        default=None,
        description="SIB-200-style DIR/<code>_<Script>/*.tsv parallel text for model_similarity.",
    )
    similarity_layer: int | None = Field(default=None, description="Hidden layer to pool (default: middle).")
    langsim: Path | None = Field(
        default=None,
        description="Language-similarity file for the text/model features (default: the packaged one).",
    )
    monotone: bool = Field(
        default=False,
        description="Monotone constraints where the sign is known (closer / more similar -> not worse).",
    )
    lambda_l2: float = Field(default=0.0, ge=0, description="L2 regularisation of leaf values.")
    blend: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="Weight of an unsupervised similarity (blend_feature) mixed into the score, by "
        "within-target z-scores (0: the learned model alone). The default, 0.2 of syntactic, was "
        "chosen by leave-one-target-out over all 38 targets of the MasakhaNER 2.0 rank table.",
    )
    blend_feature: str = Field(
        default="syntactic",
        description="The similarity blended in (see blend); several joined by '+' are averaged "
        "(mean of their within-target z-scores), e.g. syntactic+mexa_pair.",
    )
    text_fallback: bool = Field(
        default=True,
        description="Also learn a model on the text/model features (+ prior) alone, used for targets URIEL does not know.",
    )
    seed: int = Field(default=0, description="Seed of LightGBM's randomness.")


@rankers.register(
    "lambdarank",
    config=LambdaRankConfig,
    reference="Lin et al. 2019, Choosing Transfer Languages for Cross-Lingual Learning (LangRank)",
)
class LambdaRankRanker:
    """Learned ranker: LightGBM LambdaRank on typology (and optional data) features."""

    def __init__(self, config: LambdaRankConfig) -> None:
        self.config = config

    # -- training -----------------------------------------------------------------------------
    def _langsim(self, also: Sequence[str] = ()) -> Any:
        override = getattr(self, "langsim_override_", None)
        if override is not None:
            return override
        wanted = set(expand_features(self.config.features)) | set(also)
        if self.config.blend > 0:
            wanted.update(self.blend_features)
        if not wanted & set(LANGSIM_FEATURES):
            return None
        from xlt.ranking.langsim import load_langsim

        sim = load_langsim(self.config.langsim)
        if sim is None:
            logger.warning("no language-similarity file is packaged: text/model features are missing")
        return sim

    def use_target_text(
        self, target: Lang, texts: Sequence[str], *, tokenizer_dir: str | Path | None
    ) -> None:
        """Compute the target's ``text`` features from ``texts`` (a user's own sample) for the
        next :meth:`rank` calls; model features of that target are then missing."""
        from xlt.ranking.langsim import LanguageSimilarity, load_langsim

        base = self._langsim(LANGSIM_FEATURES) or load_langsim(self.config.langsim)
        sim = LanguageSimilarity(base.pairs, base.profiles, base.meta) if base is not None else None
        if sim is None or not sim.profiles:
            raise XltError("--target-text needs a language-similarity file with source text profiles")
        sim.add_target_text(target, texts, tokenizer_dir=tokenizer_dir)
        self.langsim_override_ = sim

    def _extractor(self, extra: Sequence[str] = (), *, fallback_only: bool = False) -> FeatureExtractor:
        if fallback_only:
            names = [n for n in self.fallback_features if n != PRIOR]
            return FeatureExtractor(names, langsim=self._langsim(names))
        samples = sample_stats(self.config.samples_dir) if self.config.samples_dir else None
        similarity = None
        # model_similarity comes from the language-similarity file unless a live encoder is named
        if "model_similarity" in expand_features(self.config.features) and self.config.similarity_model:
            if not self.config.parallel_dir:
                raise ConfigError("a live similarity_model needs parallel_dir (SIB-200-style text)")
            similarity = shared_similarity(
                self.config.similarity_model, str(self.config.parallel_dir), self.config.similarity_layer
            )
        return FeatureExtractor(
            (*self.config.features, *extra),
            stats=samples,
            similarity=similarity,
            langsim=self._langsim(),
            uriel_vectors=self.config.uriel_vectors,
        )

    @property
    def blend_features(self) -> tuple[str, ...]:
        """The similarities averaged into the blend term (``blend_feature`` split at '+')."""
        names = tuple(n.strip() for n in self.config.blend_feature.split("+") if n.strip())
        return expand_features(names)

    @property
    def base_features(self) -> list[str]:
        return list(expand_features(self.config.features))

    @property
    def feature_names(self) -> list[str]:
        names = self.base_features
        if self.config.relative:
            names = [*names, *(f"{n}_rank" for n in names if n not in RELATIVE_SKIP)]
        return [*names, PRIOR] if self.config.source_prior else names

    @property
    def fallback_features(self) -> list[str]:
        """Features of the text-only companion model (for targets URIEL does not know)."""
        if not self.config.text_fallback:
            return []
        names = list(expand_features(FALLBACK_GROUPS))
        return [*names, PRIOR] if self.config.source_prior else names

    def _params(self, names: Sequence[str]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "objective": "lambdarank",
            "n_estimators": self.config.n_estimators,
            "learning_rate": self.config.learning_rate,
            "num_leaves": self.config.num_leaves,
            "min_data_in_leaf": self.config.min_data_in_leaf,
            "min_sum_hessian_in_leaf": 0.0,
            "lambda_l2": self.config.lambda_l2,
            "label_gain": [float(2**i - 1) for i in range(self.config.top + 1)],
            "seed": self.config.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,
            "verbose": -1,
        }
        if self.config.monotone:
            params["monotone_constraints"] = [MONOTONE.get(n, 0) for n in names]
        return params

    def _boost(
        self, features: np.ndarray, labels: np.ndarray, groups: list[int], names: list[str]
    ) -> list[Any]:
        import lightgbm as lgb

        params = self._params(names)
        boosters = []
        for member in range(self.config.ensemble):
            if self.config.ensemble > 1:
                params.update(
                    seed=self.config.seed + member,
                    bagging_fraction=0.8,
                    bagging_freq=1,
                    feature_fraction=0.8,
                )
            model = lgb.LGBMRanker(**params)
            model.fit(features, labels, group=groups, feature_name=names)
            boosters.append(model.booster_)
        return boosters

    def fit(self, table: TransferTable) -> LambdaRankRanker:
        """Train on every target column of ``table`` (LangRank's graded relevance)."""
        if not isinstance(table, TransferTable):
            raise TypeError(f"fit expects a TransferTable, got {type(table).__name__}")
        extractor = self._extractor()
        self.missing_ = extractor.missing_report(list(dict.fromkeys([*table.sources, *table.targets])))
        for what, langs in self.missing_.items():
            logger.warning("no %s for %s: their features are imputed", what, ", ".join(langs))
        prior = source_prior(table, self.config.top) if self.config.source_prior else {}
        blocks: list[np.ndarray] = []
        labels: list[int] = []
        groups: list[int] = []
        pair_sources: list[str] = []
        for target in table.targets:
            relevance = table.relevance(target, top=self.config.top)
            if len(relevance) < 2:
                continue
            blocks.append(self._matrix(extractor, target, list(relevance), prior))
            labels.extend(relevance.values())
            groups.append(len(relevance))
            pair_sources.extend(s.code for s in relevance)
        if not groups:
            raise DataFormatError(table.path, None, "no target has two or more measured sources to rank")
        features, targets = np.vstack(blocks), np.array(labels)
        self.boosters_ = self._boost(features, targets, groups, self.feature_names)
        self.source_level_ = source_level_terms(self.boosters_, features, pair_sources, self.feature_names)
        fallback = self.fallback_features
        self.fallback_boosters_ = []
        if fallback and self._langsim(fallback) is not None:
            fb_extractor = self._extractor(fallback_only=True)
            fb = np.vstack(
                [
                    self._matrix(
                        fb_extractor, t, list(table.relevance(t, top=self.config.top)), prior, fallback
                    )
                    for t in table.targets
                    if len(table.relevance(t, top=self.config.top)) >= 2
                ]
            )
            self.fallback_boosters_ = self._boost(fb, targets, groups, fallback)
        self.prior_ = prior
        self.sources_ = [str(s) for s in table.sources]
        self.table_digest_ = table.digest
        self.table_path_ = table.path
        self.n_targets_ = len(groups)
        return self

    def _matrix(
        self,
        extractor: FeatureExtractor,
        target: Lang,
        sources: Sequence[Lang],
        prior: dict[str, float],
        fallback: Sequence[str] | None = None,
    ) -> np.ndarray:
        """Feature rows of one query (a target and its candidate sources); ``fallback``: the
        text-only companion model's features instead."""
        if fallback is not None:
            names = [n for n in fallback if n != PRIOR]
            base = np.array([[extractor.pair(target, s)[n] for n in names] for s in sources], dtype=float)
            if PRIOR in fallback:
                base = np.hstack([base, np.array([[prior.get(s.code, math.nan)] for s in sources])])
            return base
        names = self.base_features
        base = np.array([[extractor.pair(target, s)[n] for n in names] for s in sources], dtype=float)
        columns = [base]
        if self.config.relative:
            keep = [i for i, n in enumerate(names) if n not in RELATIVE_SKIP]
            columns.append(np.column_stack([relative_rank(base[:, i]) for i in keep]))
        if self.config.source_prior:
            columns.append(np.array([[prior.get(s.code, math.nan)] for s in sources], dtype=float))
        return np.hstack(columns)

    # -- prediction ---------------------------------------------------------------------------
    def rank(self, target: Lang, candidates: Sequence[Lang]) -> list[LangScore]:
        """Candidates best first. The score is the LambdaRank score (pairwise log-odds), blended
        with the within-target z-score of ``blend_feature`` when ``blend`` > 0; ``explanation``
        holds per-feature TreeSHAP contributions (plus ``bias`` and the blend term) summing to it.
        A target that URIEL does not know is ranked by the text-only companion model."""
        from xlt.languages import typology

        boosters = getattr(self, "boosters_", None)
        if not boosters:
            raise XltError("the lambdarank ranker is not trained: call fit() or load() first")
        extra = self.blend_features if self.config.blend > 0 else ()
        extractor = self._extractor(extra)
        cands = exclude_target(target, candidates)
        if not cands:
            return []
        matrix = self._matrix(extractor, target, cands, self.prior_)
        names = self.feature_names
        fallback = getattr(self, "fallback_boosters_", [])
        if fallback and typology.uriel_code(target.code) is None:
            logger.warning(
                "%s is not in URIEL: ranking with the text/model features only (%s)",
                target,
                ", ".join(self.fallback_features),
            )
            names, boosters = self.fallback_features, fallback
            fb_extractor = self._extractor(fallback_only=True)
            matrix = self._matrix(fb_extractor, target, cands, self.prior_, names)
        # the ensemble's score and contributions are means over its members (still additive)
        scores = np.mean([b.predict(matrix, num_threads=1) for b in boosters], axis=0)
        contrib = np.mean([b.predict(matrix, pred_contrib=True, num_threads=1) for b in boosters], axis=0)
        blend_term = np.zeros(len(cands))
        per_feature: dict[str, np.ndarray] = {}
        if self.config.blend > 0:
            w = self.config.blend
            pairs = [extractor.pair(target, s) for s in cands]
            for f in self.blend_features:
                raw = np.array([p[f] for p in pairs], dtype=float)
                per_feature[f] = zscore(raw if f in SIMILARITIES else -raw) / len(self.blend_features)
            sim = np.sum(list(per_feature.values()), axis=0)
            mean, std = float(scores.mean()), float(scores.std()) or 1.0
            contrib = contrib * (1 - w) / std
            contrib[:, -1] -= (1 - w) * mean / std
            blend_term = w * sim
            scores = (1 - w) * (scores - mean) / std + blend_term
        out = []
        for i, source in enumerate(cands):
            explanation = {n: float(c) for n, c in zip(names, contrib[i][:-1], strict=True)}
            if self.config.blend > 0:
                for f, z in per_feature.items():
                    explanation[f"{f} (blend)"] = float(w * z[i])
            explanation["bias"] = float(contrib[i][-1])
            feats = {n: float(v) for n, v in zip(names, matrix[i], strict=True)}
            out.append(LangScore(source, float(scores[i]), explanation, feats))
        return sort_scores(out)

    def vote_scores(self, scores: Sequence[LangScore]) -> list[float]:
        """The *pair* part of each score, for weighting sources that label the same sentences
        (multi-source annotation projection, Agić et al. 2016).

        A ranker's score adds up per-term TreeSHAP contributions (Lundberg et al. 2020). Terms
        found at training time to vary mostly between sources (:data:`SOURCE_LEVEL_SHARE`, e.g.
        ``source_prior``: how well a source's own *dataset* transferred) rate the source's
        training data, which projection does not use: every source labels the same parallel
        sentences. They are subtracted; what is left ranks the language pair.
        """
        drop = [t for t in getattr(self, "source_level_", []) if t]
        return [float(s.score - sum(s.explanation.get(t, 0.0) for t in drop)) for s in scores]

    def vote_weights(self, scores: Sequence[LangScore], temperature: float | None = None) -> list[float]:
        """Voting weights summing to 1 for the sources of ``scores`` (their :meth:`vote_scores`).

        With a relevance calibration (``vote_calibration_``, fitted out of fold on the rank table
        by :func:`~xlt.ranking.evaluate.calibrate_relevance`) and no ``temperature``, each weight
        is proportional to the source's *expected* graded relevance (how good a source it is
        expected to be): a weighted vote should weight voters by their expected quality
        (Nitzan & Paroush 1982), and the expected relevance of near-equal sources is near-equal,
        so one confidently ranked source no longer outvotes the others. Otherwise (or when a
        temperature is given): ``softmax(vote_scores / T)``, T the calibrated
        ``vote_temperature_`` (Plackett 1975, Luce 1959). Use :meth:`vote_weights_for` so that the
        scores are on the scale the calibration saw (all training sources as candidates).
        """
        from xlt.ranking.base import softmax_weights

        values = self.vote_scores(scores)
        curve = getattr(self, "vote_calibration_", None)
        if curve and temperature is None:
            expected = np.interp(values, curve[0], curve[1])
            expected = np.maximum(np.nan_to_num(expected, nan=0.0), 0.0)
            total = float(expected.sum())
            if total <= 0:
                return [1.0 / len(values)] * len(values) if values else []
            return [float(e / total) for e in expected]
        t = float(getattr(self, "vote_temperature_", 1.0)) if temperature is None else temperature
        return softmax_weights(values, t)

    def vote_weights_for(
        self, target: Lang, sources: Sequence[Lang], temperature: float | None = None
    ) -> list[float]:
        """:meth:`vote_weights` of ``sources`` (in their order; 0 for the target itself), scored
        among every training source as well, so that within-target terms (the blend's z-score)
        are on the scale the calibration was fitted on."""
        pool = exclude_target(target, [*sources, *as_langs(getattr(self, "sources_", []))])
        ranked = self.rank(target, pool)
        by_lang = dict(zip([s.language for s in ranked], self.vote_weights(ranked, temperature), strict=True))
        wanted = [by_lang.get(s, 0.0) for s in sources]
        total = sum(wanted)
        return [w / total for w in wanted] if total > 0 else [1.0 / len(sources)] * len(sources)

    def feature_importance(self) -> dict[str, float]:
        """Total gain of each feature in the trained model."""
        gains = np.sum([b.feature_importance(importance_type="gain") for b in self.boosters_], axis=0)
        return {n: float(g) for n, g in zip(self.feature_names, gains, strict=True)}

    # -- persistence --------------------------------------------------------------------------
    def save(self, directory: str | Path, *, extra: dict[str, Any] | None = None) -> Path:
        """Write ``model.txt`` (LightGBM text) and ``ranker.json`` (metadata) into ``directory``."""
        from xlt import __version__

        if not getattr(self, "boosters_", None):
            raise XltError("cannot save an untrained ranker")
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        files = model_files(len(self.boosters_))
        fallback = getattr(self, "fallback_boosters_", [])
        files_fb = model_files(len(fallback), FALLBACK_PREFIX) if fallback else []
        for name, booster in zip([*files, *files_fb], [*self.boosters_, *fallback], strict=True):
            atomic_write_text(out / name, booster.model_to_string())
        meta = {
            "format_version": FORMAT_VERSION,
            "xlt_version": __version__,
            "ranker": "lambdarank",
            "config": self.config.to_dict(),
            "feature_names": self.feature_names,
            "fallback_features": self.fallback_features if fallback else [],
            "temperature": float(getattr(self, "temperature_", 1.0)),
            "vote_temperature": float(getattr(self, "vote_temperature_", 1.0)),
            "source_level_terms": list(getattr(self, "source_level_", [])),
            "vote_calibration": getattr(self, "vote_calibration_", None),
            "training_table": {
                "path": self.table_path_,
                "sha256": self.table_digest_,
                "targets": self.n_targets_,
            },
            "sources": self.sources_,
            "source_prior": self.prior_,
            "missing": getattr(self, "missing_", {}),
            **(extra or {}),
        }
        atomic_write_text(out / META_FILE, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
        for name in (*files, *files_fb, META_FILE):
            (out / name).chmod(0o644)  # temp files are created private; a model is shareable
        return out

    @classmethod
    def load(cls, directory: str | Path) -> LambdaRankRanker:
        """Load a ranker saved by :meth:`save` (no pickle: LightGBM text + JSON)."""
        import lightgbm as lgb

        root = Path(directory)
        meta_path, model_path = root / META_FILE, root / MODEL_FILE
        if not meta_path.is_file() or not model_path.is_file():
            raise DataNotFoundError(f"{root}: not a saved ranker (expected {META_FILE} and {MODEL_FILE})")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise DataFormatError(meta_path, err.lineno, f"invalid JSON: {err.msg}") from None
        if meta.get("format_version") != FORMAT_VERSION:
            raise ConfigError(f"{meta_path}: unsupported ranker format {meta.get('format_version')!r}")
        ranker = cls(LambdaRankConfig.from_dict(meta["config"], source=str(meta_path)))
        if ranker.feature_names != meta["feature_names"]:
            raise ConfigError(f"{meta_path}: feature names do not match the config")
        ranker.boosters_ = []
        for name in model_files(ranker.config.ensemble):
            if not (root / name).is_file():
                raise DataNotFoundError(f"{root}: ensemble member {name} is missing")
            ranker.boosters_.append(lgb.Booster(model_str=(root / name).read_text(encoding="utf-8")))
        ranker.fallback_boosters_ = []
        if meta.get("fallback_features"):
            if list(meta["fallback_features"]) != ranker.fallback_features:
                raise ConfigError(f"{meta_path}: fallback feature names do not match the config")
            for name in model_files(ranker.config.ensemble, FALLBACK_PREFIX):
                if not (root / name).is_file():
                    raise DataNotFoundError(f"{root}: text-only model {name} is missing")
                text = (root / name).read_text(encoding="utf-8")
                ranker.fallback_boosters_.append(lgb.Booster(model_str=text))
        ranker.temperature_ = float(meta.get("temperature", 1.0))
        ranker.vote_temperature_ = float(meta.get("vote_temperature", ranker.temperature_))
        # rankers saved before the source-level analysis: the prior is source-level by definition
        default_level = [PRIOR] if ranker.config.source_prior else []
        ranker.source_level_ = list(meta.get("source_level_terms", default_level))
        curve = meta.get("vote_calibration")
        if curve is not None:
            if len(curve) != 2 or len(curve[0]) != len(curve[1]) or len(curve[0]) < 1:
                raise DataFormatError(
                    meta_path, None, "vote_calibration must be [scores, relevance] of equal length"
                )
            ranker.vote_calibration_ = [[float(x) for x in curve[0]], [float(y) for y in curve[1]]]
        ranker.prior_ = {k: float(v) for k, v in meta.get("source_prior", {}).items()}
        ranker.sources_ = list(meta.get("sources", []))
        ranker.table_digest_ = meta["training_table"]["sha256"]
        ranker.table_path_ = meta["training_table"].get("path")
        ranker.n_targets_ = int(meta["training_table"].get("targets", 0))
        ranker.missing_ = dict(meta.get("missing", {}))
        ranker.meta_ = meta
        return ranker


@lru_cache(maxsize=2)
def shared_similarity(model: str, parallel_dir: str, layer: int | None) -> ModelSimilarity:
    """One :class:`ModelSimilarity` per (model, text, layer) per process (embeddings are cached)."""
    return ModelSimilarity(model, directory=parallel_dir, layer=layer)


def model_files(n: int, prefix: str = "model") -> list[str]:
    """``model.txt``, then ``model-1.txt`` ... for the other members of an ensemble."""
    return [f"{prefix}.txt", *(f"{prefix}-{i}.txt" for i in range(1, n))]
