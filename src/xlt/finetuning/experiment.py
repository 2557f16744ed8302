"""The config models of ``xlt finetune`` (a whole transfer experiment: sources, targets, few-shot,
seeds). Plain data, importable without the orchestration in :mod:`xlt.pipeline.finetune` that
runs them (the CLI builds its options from these models at import time)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from xlt.config import XltConfig
from xlt.finetuning.config import FinetuneConfig
from xlt.vocab.transliterate import Scheme


class DataSpec(XltConfig):
    """One language's data files (any may be absent; ``shared:REL`` = under the shared data root)."""

    lang: str = Field(description="Language code (as you want it reported).")
    train: str | None = Field(
        None, description="Training file (CoNLL/CoNLL-U, or TSV/CSV/JSONL for classification)."
    )
    dev: str | None = Field(None, description="Development file.")
    test: str | None = Field(None, description="Test file.")
    limit: int | None = Field(
        None, ge=1, description="Use at most this many training examples (the first ones)."
    )
    dev_limit: int | None = Field(
        None, ge=1, description="Use at most this many dev examples (the first ones)."
    )
    test_limit: int | None = Field(
        None, ge=1, description="Score at most this many test examples (the first ones; a stated subset)."
    )
    language_adapter: str | None = Field(
        None, description="This language's LoRA language adapter (MAD-X style)."
    )
    transliterate: Scheme | Literal["auto"] | None = Field(
        None,
        description="Romanise this language's non-Latin text (every split) before training or scoring "
        "(Muller et al. 2021): unidecode, or uroman (pip install 'xlt[translit]'); auto: uroman when "
        "more than transliterate_max_unknown of its words contain the model tokenizer's unknown token.",
    )


class FewShot(XltConfig):
    """Few-shot target data: ``k`` examples from each target's train file, added to training."""

    k: int = Field(0, ge=0, description="Examples per target (0 = zero-shot).")
    seed: int = Field(0, description="Seed of the sample.")
    mode: Literal["joint", "continue"] = Field(
        "joint",
        description="joint: add every target's shots to the source training data (one model); "
        "continue: train on the sources, then continue that model on each target's shots "
        "separately (Lauscher et al. 2020), one model per target.",
    )
    epochs: float = Field(
        10.0, gt=0, description="mode continue: passes over the shots (the last step is kept)."
    )
    min_steps: int = Field(10, ge=1, description="mode continue: at least this many optimisation steps.")
    learning_rate: float | None = Field(
        None, gt=0, description="mode continue: learning rate (default: the training one)."
    )


class FinetuneRunConfig(XltConfig):
    """The config of ``xlt finetune``."""

    training: FinetuneConfig = Field(
        description="Model, task and training options (the `transformers` backend)."
    )
    sources: list[DataSpec] = Field(description="Source languages (train + dev).")
    targets: list[DataSpec] = Field(
        default_factory=list, description="Target languages (test, optional dev/train)."
    )
    intermediate: DataSpec | None = Field(
        None,
        description="Hierarchical transfer: continue training on this related language after the sources.",
    )
    transliterate_max_unknown: float = Field(
        0.2,
        ge=0,
        le=1,
        description="transliterate: auto romanises a language whose share of words with an unknown "
        "token (in its first split read) is above this.",
    )
    augment: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Augmenters applied in turn to the mixed source training data, e.g. "
        "[{method: codeswitch, languages: [hau, yor], rate: 0.3}] (`xlt methods augmenters`).",
    )
    mixing: Literal["concat", "temperature"] = Field(
        "concat", description="How several sources are combined."
    )
    temperature: float = Field(5.0, gt=0, description="Sampling temperature for mixing: temperature.")
    few_shot: FewShot = Field(default_factory=FewShot, description="Few-shot target examples.")
    seeds: list[int] = Field(
        default_factory=lambda: [0], description="Training seeds; >1 also averages the seeds' models."
    )
    report_variants: bool = Field(
        True,
        description="Also evaluate the other kept models (last, source-dev best, average, target-dev oracle).",
    )
    oracle: bool = Field(
        False, description="Track the best checkpoint per target on target dev (reported as `oracle`)."
    )
    output_dir: str | None = Field(None, description="Where results.json and the final model are written.")


__all__ = ["DataSpec", "FewShot", "FinetuneRunConfig"]
