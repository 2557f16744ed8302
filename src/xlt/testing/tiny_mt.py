"""A tiny encoder-decoder translation model built in-process, offline, for tests and benchmarks.

The tokenizer is the Unigram tokenizer of :mod:`xlt.testing.tiny` plus language tokens in the
NLLB (``eng_Latn``) and M2M-100 (``__en__``) styles; the model is a 1-layer Marian
encoder-decoder with random weights. Its "translations" are noise, but every code path of the
translation backends and projectors (batching, language tokens, constrained decoding, length
limits) runs exactly as with a real model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from xlt.testing.tiny import DEFAULT_TEXTS

#: language tokens the tiny tokenizer knows
LANGUAGE_TOKENS: tuple[str, ...] = ("eng_Latn", "eus_Latn", "swh_Latn", "__en__", "__eu__", "__sw__")


def build_tiny_seq2seq(
    out_dir: str | Path,
    texts: Sequence[str] = DEFAULT_TEXTS,
    *,
    vocab_size: int = 300,
    d_model: int = 32,
    seed: int = 0,
    max_len: int = 256,
) -> Path:
    """Save a tiny tokenizer and Marian seq2seq model to ``out_dir``; returns the path."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, MarianConfig

    from xlt.testing.tiny import train_tiny_tokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = train_tiny_tokenizer([*texts, "[ ] { } < > ( )"], vocab_size=vocab_size, model_max_length=max_len)
    tok.add_special_tokens({"additional_special_tokens": list(LANGUAGE_TOKENS)})
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(tok),
        d_model=d_model,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=d_model * 2,
        decoder_ffn_dim=d_model * 2,
        max_position_embeddings=max_len,
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        bos_token_id=tok.bos_token_id,
        decoder_start_token_id=tok.pad_token_id,
        forced_eos_token_id=tok.eos_token_id,
        share_encoder_decoder_embeddings=True,
    )
    model = AutoModelForSeq2SeqLM.from_config(config)
    model.save_pretrained(out, safe_serialization=True)
    tok.save_pretrained(out)
    return out


_CACHE: dict[str, Path] = {}


def shared_tiny_seq2seq() -> Path:
    """:func:`build_tiny_seq2seq` with the default texts, built once per process into a temporary
    directory (tests in several files share it; read it, never write into it)."""
    if "default" not in _CACHE:
        import atexit
        import shutil
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="xlt-tiny-mt-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _CACHE["default"] = build_tiny_seq2seq(root / "model")
    return _CACHE["default"]
