"""A Hugging Face fast tokenizer from a SentencePiece Unigram vocabulary and normalisation map.

Reproduces XLM-R-style SentencePiece tokenisation (Kudo 2018, "Subword Regularization";
Conneau et al. 2020 for the XLM-R vocabulary) with ``tokenizers`` parts: the per-code-point
normalisation map compiled into a ``Precompiled`` normalizer, runs of spaces collapsed to
one, Metaspace (``▁``) pre-tokenisation with a prepended space, and Viterbi segmentation
over the Unigram pieces. ``<s> … </s>`` framing as XLM-R (pairs ``<s> A </s></s> B </s>``).

One documented difference from a plain per-character reading: consecutive characters
that no piece covers become a single ``<unk>`` (as SentencePiece and every Hugging Face
Unigram tokenizer do), not one ``<unk>`` each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from xlt.importers.charsmap import compile_charsmap

METASPACE = "▁"


def build_unigram_tokenizer(
    pieces: Sequence[str],
    scores: Sequence[float],
    *,
    normalization: Mapping[int, Sequence[int]],
    bos_id: int,
    eos_id: int,
    pad_id: int,
    unk_id: int,
    mask_token: str | None = "<mask>",
    model_max_length: int = 512,
):
    """A ``transformers`` XLM-R tokenizer (``tokenizers`` backend) for the given vocabulary."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import XLMRobertaTokenizer

    vocab = [(piece, float(score)) for piece, score in zip(pieces, scores, strict=True)]
    backend = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    backend.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(compile_charsmap(normalization)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    backend.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    backend.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = pieces[bos_id], pieces[eos_id]
    backend.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, bos_id), (eos, eos_id)],
    )
    specials = {
        "bos_token": bos,
        "eos_token": eos,
        "sep_token": eos,
        "cls_token": bos,
        "unk_token": pieces[unk_id],
        "pad_token": pieces[pad_id],
    }
    if mask_token is not None and mask_token in set(pieces):
        specials["mask_token"] = mask_token
    return XLMRobertaTokenizer(tokenizer_object=backend, model_max_length=model_max_length, **specials)
