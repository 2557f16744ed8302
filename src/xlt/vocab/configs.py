"""The config models of the vocabulary stage: tokenizer training and the embedding initializers.

They are kept apart from the implementations (which import torch, numpy, gensim and tokenizers),
so that ``xlt vocab`` builds its options from them at start-up cheaply.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from xlt.config import MethodConfig, XltConfig

#: the tokenizer models :func:`xlt.vocab.tokenizer.train_tokenizer` trains
TokenizerKind = Literal["unigram", "bpe", "wordpiece", "same"]

__all__ = [
    "INITIALIZER_CONFIGS",
    "CopyOverlapConfig",
    "FocusConfig",
    "MeanConfig",
    "RandomConfig",
    "TokenizerKind",
    "TokenizerTrainingConfig",
    "TransTokenizeConfig",
    "TransliterationConfig",
    "WechselConfig",
]


class TokenizerTrainingConfig(XltConfig):
    """How ``xlt vocab train-tokenizer`` trains (Kudo 2018 Unigram; Sennrich et al. 2016 BPE;
    Schuster & Nakajima 2012 WordPiece)."""

    kind: TokenizerKind = Field(
        "unigram", description="Tokenizer model; `same` retrains the --like tokenizer's own pipeline."
    )
    vocab_size: int = Field(8000, ge=10, description="Vocabulary size, special tokens included.")
    lowercase: bool = Field(False, description="Lowercase (after NFKC) before tokenizing.")
    min_frequency: int = Field(
        2, ge=1, description="BPE / WordPiece: merges seen fewer times are not learned."
    )
    model_max_length: int | None = Field(
        None, ge=1, description="Longest input the tokenizer admits (default: --like's, else 512)."
    )


class RandomConfig(MethodConfig):
    method: Literal["random"] = "random"
    seed: int = Field(0, description="Random seed.")


class MeanConfig(MethodConfig):
    method: Literal["mean"] = "mean"
    noise: float = Field(
        0.1, ge=0, description="Gaussian noise std as a fraction of the source embeddings' std."
    )
    seed: int = Field(0, description="Random seed for the noise.")


class CopyOverlapConfig(MethodConfig):
    method: Literal["copy_overlap"] = "copy_overlap"
    fallback: Literal["random", "mean"] = Field(
        "mean", description="How tokens not in the source vocabulary start."
    )
    noise: float = Field(
        0.1, ge=0, description="Noise (fraction of source std) added to fallback `mean` rows."
    )
    seed: int = Field(0, description="Random seed.")


class FocusConfig(MethodConfig):
    method: Literal["focus"] = "focus"
    temperature: float = Field(0.1, gt=0, description="Similarities are divided by this before sparsemax.")
    dim: int = Field(100, ge=8, description="Dimension of the auxiliary fastText space.")
    epochs: int = Field(5, ge=1, description="fastText training epochs.")
    min_count: int = Field(1, ge=1, description="Tokens rarer than this get no trained vector of their own.")
    fallback: Literal["mean", "random"] = Field(
        "mean", description="Start of tokens absent from the target corpus (no auxiliary vector)."
    )
    noise: float = Field(
        0.1, ge=0, description="Noise (fraction of source std) added to fallback `mean` rows."
    )
    seed: int = Field(0, description="Random seed (fastText and fallback rows).")


class FallbackRowsConfig(MethodConfig):
    """Options of the initializers whose unmatched tokens start as the source mean plus noise."""

    noise: float = Field(0.1, ge=0, description="Noise (fraction of source std) added to fallback mean rows.")
    seed: int = Field(0, description="Random seed (fallback rows).")


class TransliterationConfig(FallbackRowsConfig):
    method: Literal["transliteration"] = "transliteration"
    scheme: Literal["unidecode", "uroman"] = Field("unidecode", description="Romanisation scheme.")


class TransTokenizeConfig(FallbackRowsConfig):
    method: Literal["transtokenize"] = "transtokenize"
    aligner: str = Field("eflomal", description="Registered word aligner (see `xlt methods aligners`).")
    aligner_options: dict[str, Any] = Field(
        default_factory=dict, description="Options of the aligner's config, e.g. {symmetrize: intersection}."
    )
    level: Literal["token", "word"] = Field("token", description="Align subword tokens directly, or words.")
    min_count: int = Field(1, ge=1, description="Ignore source tokens linked fewer times than this.")
    top_k: int = Field(
        0, ge=0, description="Keep only the k most-linked source tokens per target token (0 = all)."
    )


class WechselConfig(FallbackRowsConfig):
    method: Literal["wechsel"] = "wechsel"
    k: int = Field(10, ge=1, description="Number of nearest source tokens mixed into each target token.")
    temperature: float = Field(0.1, gt=0, description="Softmax temperature over cosine similarities.")
    dim: int = Field(100, ge=8, description="Dimension of the fastText spaces.")
    epochs: int = Field(10, ge=1, description="fastText training epochs.")
    min_count: int = Field(2, ge=1, description="fastText minimum word count.")
    min_pairs: int = Field(10, ge=2, description="Fewest usable dictionary pairs before failing.")
    lowercase: bool = Field(
        True, description="Lowercase corpora, dictionary and tokens for the static spaces."
    )
    copy_overlap: bool = Field(False, description="Copy tokens shared with the source vocabulary exactly.")
    noise: float = Field(0.1, ge=0, description="Noise (fraction of source std) added to fallback mean rows.")
    seed: int = Field(0, description="Random seed (fastText and fallback rows).")


#: the built-in initializers' configs (``xlt vocab transfer`` / ``extend`` make options of them)
INITIALIZER_CONFIGS: tuple[type[MethodConfig], ...] = (
    WechselConfig,
    FocusConfig,
    TransTokenizeConfig,
    TransliterationConfig,
    CopyOverlapConfig,
    MeanConfig,
    RandomConfig,
)
