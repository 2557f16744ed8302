"""Tiny tokenizers and models built in-process, offline, for tests and examples.

Nothing here touches the network: the tokenizer is trained with ``tokenizers``
on a handful of sentences and the model is an XLM-R-style encoder built from a
config (random weights), saved with ``save_pretrained``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

#: a few sentences in several languages and scripts (enough to train a tiny vocabulary)
DEFAULT_TEXTS: tuple[str, ...] = (
    "The quick brown fox jumps over the lazy dog .",
    "In the beginning was the Word , and the Word was with God .",
    "Mary went to Nairobi with John on Monday .",
    "El rápido zorro marrón salta sobre el perro perezoso .",
    "Der schnelle braune Fuchs springt über den faulen Hund .",
    "Le renard brun rapide saute par-dessus le chien paresseux .",
    "Mbweha mwepesi wa kahawia anaruka juu ya mbwa mvivu .",
    "Ka fara akwai Kalma , Kalman kuma tana tare da Allah .",
    "Ci njëlbéen ga, Kàddu gi am na .",
    "Швидка бура лисиця стрибає через ледачого пса .",
    "Hasieran Hitza zen , eta Hitza Jainkoarekin zen .",
    "Alguses oli Sõna , ja Sõna oli Jumala juures .",
    "Սկզբից էր Բանը , և Բանը Աստծու մոտ էր .",
    "1 2 3 4 5 6 7 8 9 10 100 2024",
)

SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def train_tiny_tokenizer(
    texts: Iterable[str] = DEFAULT_TEXTS,
    *,
    vocab_size: int = 400,
    model_max_length: int = 128,
):
    """Train a SentencePiece-style Unigram tokenizer (XLM-R special tokens) in memory.

    Returns a ``transformers.PreTrainedTokenizerFast`` with ``word_ids()`` support.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS), unk_token="<unk>", shrinking_factor=0.75
    )
    tok.train_from_iterator(list(texts), trainer=trainer)
    bos, eos = tok.token_to_id("<s>"), tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=model_max_length,
    )


def tiny_config(
    vocab_size: int, *, hidden_size: int = 32, layers: int = 2, heads: int = 2, max_len: int = 130
):
    """An XLM-R-style config with 2 layers and 32-dim hidden states."""
    from transformers import XLMRobertaConfig

    return XLMRobertaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden_size * 2,
        max_position_embeddings=max_len + 2,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        type_vocab_size=1,
    )


def build_tiny_model(
    out_dir: str | Path,
    texts: Sequence[str] = DEFAULT_TEXTS,
    *,
    vocab_size: int = 400,
    hidden_size: int = 32,
    layers: int = 2,
    seed: int = 0,
) -> Path:
    """Save a tiny tokenizer and masked-LM encoder to ``out_dir`` and return the path.

    ``AutoTokenizer.from_pretrained(out_dir)`` and any ``AutoModelFor*`` load it.
    """
    import torch
    from transformers import AutoModelForMaskedLM

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tiny_tokenizer(texts, vocab_size=vocab_size)
    torch.manual_seed(seed)
    config = tiny_config(len(tokenizer), hidden_size=hidden_size, layers=layers)
    model = AutoModelForMaskedLM.from_config(config)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return out
