"""The recipe model behind ``xlt run``: what to train, from which data, for which target.

The contract keys (``task``, ``method``, ``model``, ``source.language/train/parallel``,
``target.language/parallel/test``, ``output_dir``) are stable; multi-source
projection lists several sources under ``sources:``. Data references are plain
paths (relative to the recipe file, ``.gz`` found automatically) or catalog ids
such as ``ud:Basque-BDT:test`` resolved under the data root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from xlt.config import XltConfig, apply_overrides, load_yaml
from xlt.errors import ConfigError
from xlt.vocab.transliterate import Scheme

Task = Literal["pos", "ner", "classification"]
Method = Literal["projection", "zero-shot", "supervised", "translate-train", "translate-test"]


#: a language's romanisation scheme in a recipe (the same field on the source and the target)
Romanisation = Annotated[
    Scheme | None,
    Field(
        description="Romanise this language's labelled data (train, dev, test) before use "
        "(methods zero-shot and supervised): unidecode, or uroman (pip install 'xlt[translit]')."
    ),
]


class SourceSpec(XltConfig):
    """One source language and its data."""

    language: str = Field(description="Source language code (e.g. eng).")
    train: str | None = Field(None, description="Labelled source data (CoNLL-U, CoNLL, TSV) or catalog id.")
    dev: str | None = Field(
        None, description="Optional labelled source dev data (reported; used for selection)."
    )
    parallel: str | None = Field(
        None, description="Source side of the parallel text (Bible XML, verse TSV) or catalog id."
    )
    tagger: str | None = Field(None, description="A saved source tagger to load instead of training one.")
    weight: float | None = Field(None, gt=0, description="Voting weight of this source (multi-source).")
    max_train: int | None = Field(None, ge=1, description="Use at most this many training sentences.")
    transliterate: Romanisation = None


class TargetSpec(XltConfig):
    """The target language and its data."""

    language: str = Field(description="Target language code (e.g. eus).")
    parallel: str | None = Field(None, description="Target side of the parallel text (joined by verse id).")
    train: str | None = Field(None, description="Labelled target training data (method: supervised).")
    dev: str | None = Field(None, description="Optional labelled target dev data (reported only).")
    test: str | None = Field(None, description="Optional labelled target test set.")
    transliterate: Romanisation = None


class AlignSpec(XltConfig):
    """Word alignment of the parallel text (any registered aligner and its options)."""

    method: str = Field("eflomal", description="Registered aligner (see `xlt methods aligners`).")
    options: dict[str, Any] = Field(
        default_factory=lambda: {"symmetrize": "intersection"},
        description="Aligner config (e.g. symmetrize: intersection).",
    )


class ProjectSpec(XltConfig):
    """Label projection, multi-source voting and filtering of the projected data."""

    method: str | None = Field(
        None, description="Registered projector (default: tokens for pos, spans for ner)."
    )
    options: dict[str, Any] = Field(default_factory=dict, description="Projector config.")
    voting: Literal["uniform", "rank", "weights"] = Field(
        "uniform",
        description="Multi-source vote weights: equal, from `xlt rank` scores, or from each source's weight.",
    )
    source_top_k: int | None = Field(
        None,
        ge=1,
        description="Project from only the k listed sources that source_ranker rates closest to the "
        "target (the others are neither tagged nor aligned); unset: every listed source.",
    )
    source_keep: list[str] = Field(
        default_factory=list,
        description="With source_top_k: sources (by language) kept whatever the ranker says, e.g. the "
        "best-resourced one; source_top_k more are chosen among the others.",
    )
    source_ranker: str = Field(
        "syntactic",
        description="The ranker that picks source_top_k: a registered ranker that needs no training "
        "(`xlt methods rankers`: syntactic, genetic, geographic, ...) or a saved `xlt rank fit` directory.",
    )
    multiword_split: str | None = Field(
        None,
        description="Split the target's parallel-text tokens the way its UD treebank splits multiword "
        "tokens (`del` -> `de el`), before alignment, so the tagger trains on the words it is tested on; "
        "learned from multiword-token lines (their forms, never tags) of: `target` (the target's own "
        "CoNLL-U dev/test files, the tokenization its tagger is given), or a CoNLL-U file or catalog id; "
        "unset: no splitting.",
    )
    match_tokenization: str | None = Field(
        None,
        description="Tokenize the target's parallel text the way its UD treebank tokenizes apostrophes "
        "and hyphens (French `l'homme` -> `l' homme`, Welsh `sy'n` -> `sy 'n`, Afrikaans `'n` whole), "
        "learned from the surface tokens (forms and SpaceAfter, never tags) of: `target` (the target's "
        "own CoNLL-U dev/test files), or a CoNLL-U file or catalog id; unset: the standard tokenizer.",
    )
    min_coverage: float = Field(
        0.5, ge=0, le=1, description="Keep target sentences with at least this share of labelled tokens."
    )
    min_confidence: float = Field(
        0.0, ge=0, le=1, description="Unlabel projected tokens whose confidence is below this."
    )
    min_source_confidence: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Token projection: project only source tags whose tagger marginal probability is at "
        "least this (the source tagger's uncertain tags stay unlabelled on the target). Chosen on UD dev data.",
    )
    min_length: int = Field(3, ge=1, description="Drop target sentences shorter than this (tokens).")
    max_sentences: int | None = Field(None, ge=1, description="Use at most this many verse pairs per source.")
    type_constraints: bool = Field(
        True,
        description="Relabel projected tokens with their word type's majority projected tag where the "
        "type is frequent and unambiguous enough (Täckström et al. 2013 type constraints).",
    )
    zero_shot_weight: float = Field(
        1.0,
        ge=0,
        description="Vote weight of the zero-shot model's labels (with zero_shot_model), relative to the "
        "mean weight of one projecting source; each vote is also scaled by its confidence.",
    )
    zero_shot_min_confidence: float = Field(
        0.0,
        ge=0,
        le=1,
        description="The zero-shot model abstains on tokens whose label probability is below this.",
    )
    zero_shot_interpolation: float = Field(
        0.0,
        ge=0,
        le=1,
        description="With target_init: zero-shot: mix this share of the zero-shot encoder's weights back "
        "into the trained target tagger (WiSE-FT, Wortsman et al. 2022: (1 - w) * target + w * zero-shot), "
        "so the source-trained weights temper what noisy projected labels taught; 0: off (the default: "
        "0.5 lost 0.3 dev points on the mean of eleven dev languages, gaining only where the encoder "
        "alone beats the projection).",
    )
    self_training_rounds: int = Field(
        0,
        ge=0,
        le=5,
        description="Self-training: after the target tagger is trained, tag the target text with it, keep "
        "its confident labels and train a new target tagger on them from the same start; this many rounds.",
    )
    self_training_min_confidence: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Self-training keeps only the tagger's labels whose probability is at least this "
        "(the others are unlabelled, ignored in the loss).",
    )
    self_training_top_share: float = Field(
        0.8,
        gt=0,
        le=1,
        description="Self-training keeps, for each predicted label, this share of its target tokens, those "
        "the tagger is surest of (class-balanced: a quantile of its own probabilities per label, so rare "
        "or uncertain labels are not filtered away, and the bar adapts to the tagger's calibration).",
    )
    encoder_max_unknown: float = Field(
        0.2,
        ge=0,
        le=1,
        description="With zero_shot_model: if more than this share of the target text's words contain "
        "the encoder tokenizer's unknown token (a script it has no pieces for, e.g. Coptic or Cherokee "
        "with multilingual-e5-small), the encoder cannot read the target; it is not used (no zero-shot "
        "voter) and a transformers target tagger is replaced by a CRF. Set 1 to always use the encoder.",
    )


class TranslateSpec(XltConfig):
    """``translate-train`` from the source training data: machine-translate it and project its
    labels (see docs/translation.md)."""

    translator: str | dict[str, Any] = Field(
        description="Registered translator (`xlt methods translators`) or a mapping {method: hf-seq2seq, "
        "model: DIR, ...} with its options."
    )
    projection: Literal["alignment", "markers", "constrained", "candidates"] = Field(
        "markers",
        description="How labels reach the translation: word alignment (the recipe's align / projection "
        "sections), markers (EasyProject), constrained decoding (Codec) or scored candidates "
        "(T-Projection). Classification keeps labels.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="Options of the markers / constrained / candidates projector."
    )


class Recipe(XltConfig):
    """A runnable recipe (``xlt run recipe.yaml``)."""

    task: Task = Field(description="pos | ner | classification")
    method: Method = Field(
        description="projection | zero-shot | supervised | translate-train | translate-test"
    )
    model: str | dict[str, Any] = Field(
        "crf",
        description="Task backend: crf | linear | a HF model id or path (transformers), or a mapping "
        "{method: crf, c2: 0.1, ...} with backend options.",
    )
    source: SourceSpec | None = Field(None, description="The source language (single source).")
    sources: list[SourceSpec] | None = Field(None, description="Several source languages (multi-source).")
    target: TargetSpec = Field(description="The target language.")
    output_dir: str = Field(description="Where every artifact, metrics.json and the log are written.")
    align: AlignSpec = Field(default_factory=AlignSpec, description="Word alignment (projection).")
    projection: ProjectSpec = Field(default_factory=ProjectSpec, description="Projection options.")
    translate: TranslateSpec | None = Field(
        None,
        description="translate-train: translate source.train with this translator and project its labels "
        "(instead of reading pre-translated target.train).",
    )
    augment: list[dict[str, Any]] = Field(
        default_factory=list,
        description="zero-shot: augmenters applied in turn to the source training data, e.g. "
        "[{method: codeswitch, languages: [eus], rate: 0.3}, {method: transliterate}] (`xlt methods augmenters`).",
    )
    source_model: str | dict[str, Any] | None = Field(
        None, description="Backend of the source tagger in projection (default: same as model)."
    )
    zero_shot_model: str | dict[str, Any] | None = Field(
        None,
        description="Projection: a model (typically a multilingual encoder) trained on the sources' "
        "labelled train data that tags the target side of the parallel text directly; its labels join "
        "the projected ones in the vote as one more voter (weight projection.zero_shot_weight).",
    )
    zero_shot_sources: list[SourceSpec] = Field(
        default_factory=list,
        description="Projection with zero_shot_model: more labelled languages (language + train, optional "
        "dev and max_train; no parallel text needed) that the zero-shot model is also trained on "
        "(multi-source fine-tuning). An entry in the target's own language is left out with a warning.",
    )
    target_init: Literal["base", "zero-shot"] = Field(
        "base",
        description="Projection with a transformers target model: start from the encoder named in "
        "`model` (base) or continue training the zero-shot model on the projected data (zero-shot).",
    )
    share_steps: bool = Field(
        True,
        description="Keep target-independent steps (source models) in xlt's cache ($XLT_CACHE/steps, "
        "default ~/.cache/xlt/steps) and reuse them across runs and output directories.",
    )
    data_root: str | None = Field(
        None, description="Where catalog ids resolve (default: XLT_DATA / shared data)."
    )
    seed: int = Field(0, description="Random seed passed to every stage.")
    name: str | None = Field(None, description="A short name for reports.")

    @model_validator(mode="after")
    def _check(self) -> Recipe:
        if self.source is not None and self.sources is not None:
            raise ValueError("give either 'source' or 'sources', not both")
        if self.method in ("projection", "zero-shot") and not self.all_sources:
            raise ValueError(f"method {self.method!r} needs 'source' (or 'sources')")
        if self.method == "projection":
            if self.task == "classification":
                raise ValueError("method 'projection' supports the token tasks pos and ner only")
            if self.target.parallel is None:
                raise ValueError("target.parallel is required for method 'projection'")
            for i, s in enumerate(self.all_sources):
                if s.parallel is None:
                    raise ValueError(f"{self._src_key(i)}.parallel is required for method 'projection'")
                if s.train is None and s.tagger is None:
                    raise ValueError(
                        f"{self._src_key(i)}: give 'train' (labelled data) or 'tagger' (a saved model)"
                    )
        if self.zero_shot_model is not None:
            if self.method != "projection":
                raise ValueError("zero_shot_model is an option of method 'projection'")
            for i, s in enumerate(self.all_sources):
                if s.train is None:
                    raise ValueError(f"{self._src_key(i)}.train is required for zero_shot_model")
        if self.zero_shot_sources:
            if self.zero_shot_model is None:
                raise ValueError("zero_shot_sources needs zero_shot_model")
            for i, s in enumerate(self.zero_shot_sources):
                if s.train is None:
                    raise ValueError(f"zero_shot_sources.{i}.train is required")
        if self.target_init == "zero-shot" and self.zero_shot_model is None:
            raise ValueError("target_init: zero-shot needs zero_shot_model")
        if self.projection.zero_shot_interpolation > 0 and self.target_init != "zero-shot":
            raise ValueError(
                "projection.zero_shot_interpolation mixes the zero-shot encoder back into the target "
                "tagger trained from it: it needs target_init: zero-shot"
            )
        if self.method == "zero-shot":
            for i, s in enumerate(self.all_sources):
                if s.train is None:
                    raise ValueError(f"{self._src_key(i)}.train is required for method 'zero-shot'")
        if self.augment and self.method != "zero-shot":
            raise ValueError("'augment' is an option of method 'zero-shot'")
        romanised = [self._src_key(i) for i, s in enumerate(self.all_sources) if s.transliterate]
        romanised += ["target"] if self.target.transliterate else []
        if romanised and self.method not in ("zero-shot", "supervised"):
            raise ValueError(
                f"{romanised[0]}.transliterate romanises labelled data: an option of methods "
                f"'zero-shot' and 'supervised' (not {self.method!r}, whose text is aligned or translated)"
            )
        if self.method == "translate-test":
            if self.translate is None:
                raise ValueError("method 'translate-test' needs 'translate' (translate.translator)")
            if len(self.all_sources) != 1 or self.all_sources[0].train is None:
                raise ValueError("method 'translate-test' needs one source with source.train")
            if self.target.test is None:
                raise ValueError("method 'translate-test' needs target.test (the data it translates)")
        elif self.translate is not None:
            if self.method != "translate-train":
                raise ValueError("'translate' is an option of methods 'translate-train' and 'translate-test'")
            if not self.all_sources or any(s.train is None for s in self.all_sources):
                raise ValueError(
                    "translate-train with 'translate' needs source.train (the data to translate)"
                )
            if self.translate.projection != "alignment" and self.task == "pos":
                raise ValueError(
                    "translate.projection markers / constrained / candidates carry spans (ner); use alignment for pos"
                )
        elif self.method in ("supervised", "translate-train") and self.target.train is None:
            raise ValueError(
                f"target.train is required for method {self.method!r}"
                + (
                    " (or give 'translate' to translate source.train)"
                    if self.method == "translate-train"
                    else ""
                )
            )
        return self

    def _src_key(self, i: int) -> str:
        return "source" if self.source is not None else f"sources.{i}"

    @property
    def all_sources(self) -> list[SourceSpec]:
        if self.source is not None:
            return [self.source]
        return list(self.sources or [])

    def source_key(self, i: int) -> str:
        """The recipe key of source ``i`` (for error messages)."""
        return self._src_key(i)


def load_recipe(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> tuple[Recipe, Path]:
    """Read, override and validate a recipe; returns it and the directory relative paths start from."""
    p = Path(path)
    data = load_yaml(p)
    data = apply_overrides(data, overrides)
    if "output_dir" not in data:
        raise ConfigError(f"{p}: output_dir: required key missing (where the run writes its results)")
    return Recipe.from_dict(data, source=str(p)), p.resolve().parent
