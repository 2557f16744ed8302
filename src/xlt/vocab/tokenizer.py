"""Target tokenizers: train BPE / Unigram / WordPiece on target text, or extend one.

Trained tokenizers are ``transformers.PreTrainedTokenizerFast`` objects with the
special tokens (and the ``<s> A </s>`` / ``[CLS] A [SEP]`` template) of a
reference tokenizer when one is given, so a source model's special-token rows
map onto them one to one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from xlt.errors import ConfigError
from xlt.vocab.configs import TokenizerKind

XLMR_SPECIALS = {
    "bos": "<s>",
    "pad": "<pad>",
    "eos": "</s>",
    "unk": "<unk>",
    "mask": "<mask>",
    "cls": "<s>",
    "sep": "</s>",
}
BERT_SPECIALS = {"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]", "mask": "[MASK]"}
ROLES = ("bos", "eos", "unk", "sep", "pad", "cls", "mask")

_WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def special_tokens_of(tokenizer) -> dict[str, str]:
    """``{role: token}`` for the roles a tokenizer defines (bos, eos, unk, sep, pad, cls, mask)."""
    out = {}
    for role in ROLES:
        tok = getattr(tokenizer, f"{role}_token", None)
        if tok:
            out[role] = str(tok)
    return out


def _ordered_specials(specials: dict[str, str]) -> list[str]:
    order = ("cls", "bos", "pad", "eos", "sep", "unk", "mask")
    seen: list[str] = []
    for role in order:
        t = specials.get(role)
        if t and t not in seen:
            seen.append(t)
    return seen


def train_tokenizer(
    texts: Iterable[str],
    *,
    kind: TokenizerKind = "unigram",
    vocab_size: int = 8000,
    like=None,
    lowercase: bool = False,
    min_frequency: int = 2,
    model_max_length: int | None = None,
):
    """Train a tokenizer on ``texts``.

    ``kind="same"`` retrains ``like``'s own pipeline (``train_new_from_iterator``);
    otherwise a fresh Unigram / BPE (both with SentencePiece-style ``▁`` word
    marks) or WordPiece (``##`` continuations) model is trained, using the special
    tokens of ``like`` (XLM-R style ``<s> </s>`` by default; BERT style for WordPiece).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    texts = [t for t in texts if t and t.strip()]
    if not texts:
        raise ConfigError("no text to train a tokenizer on (all inputs are empty)")
    if vocab_size < 10:
        raise ConfigError(f"vocab_size {vocab_size} is too small")
    if kind == "same":
        if like is None or not getattr(like, "is_fast", False):
            raise ConfigError("kind='same' needs a fast reference tokenizer (like=...)")
        return like.train_new_from_iterator(texts, vocab_size=vocab_size)
    if kind not in ("unigram", "bpe", "wordpiece"):
        raise ConfigError(f"unknown tokenizer kind {kind!r} (valid: unigram, bpe, wordpiece, same)")
    specials = (
        special_tokens_of(like)
        if like is not None
        else dict(BERT_SPECIALS if kind == "wordpiece" else XLMR_SPECIALS)
    )
    unk = specials.get("unk", "<unk>")
    special_list = _ordered_specials(specials)
    norm = [normalizers.NFKC()] + ([normalizers.Lowercase()] if lowercase else [])
    if kind == "unigram":
        tok = Tokenizer(models.Unigram())
        trainer = trainers.UnigramTrainer(vocab_size=vocab_size, special_tokens=special_list, unk_token=unk)
    elif kind == "bpe":
        tok = Tokenizer(models.BPE(unk_token=unk))
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, special_tokens=special_list, min_frequency=min_frequency
        )
    else:
        tok = Tokenizer(models.WordPiece(unk_token=unk))
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size, special_tokens=special_list, min_frequency=min_frequency
        )
    tok.normalizer = normalizers.Sequence(norm)
    if kind == "wordpiece":
        tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tok.decoder = decoders.WordPiece()
    else:
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
    tok.train_from_iterator(texts, trainer=trainer)
    cls, sep = specials.get("cls") or specials.get("bos"), specials.get("sep") or specials.get("eos")
    if cls and sep:
        ids = [(cls, tok.token_to_id(cls)), (sep, tok.token_to_id(sep))]
        roberta_pairs = sep == specials.get("eos") and cls == specials.get("bos")
        pair = f"{cls} $A {sep} {sep} $B {sep}" if roberta_pairs else f"{cls} $A:0 {sep}:0 $B:1 {sep}:1"
        tok.post_processor = processors.TemplateProcessing(
            single=f"{cls} $A {sep}", pair=pair, special_tokens=list(dict(ids).items())
        )
    kwargs = {f"{role}_token": t for role, t in specials.items()}
    max_len = (
        model_max_length or (getattr(like, "model_max_length", None) if like is not None else None) or 512
    )
    if max_len > 1_000_000:
        max_len = 512
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=max_len, **kwargs)


def new_words(
    texts: Iterable[str], tokenizer, *, num_tokens: int, min_count: int = 3, min_pieces: int = 2
) -> list[str]:
    """The most frequent words of ``texts`` that ``tokenizer`` splits into ≥ ``min_pieces`` pieces."""
    vocab = tokenizer.get_vocab()
    counts = Counter(w for t in texts for w in _WORD_RE.findall(t))
    out = []
    for word, c in counts.most_common():
        if c < min_count or len(out) >= num_tokens:
            break
        if word in vocab or f"▁{word}" in vocab:
            continue
        if len(tokenizer.tokenize(word)) >= min_pieces:
            out.append(word)
    return out


def extend_tokenizer(tokenizer, tokens: Sequence[str]):
    """A copy of ``tokenizer`` with ``tokens`` added as whole-word tokens.

    Returns ``(new_tokenizer, added)`` with the tokens actually added (those not
    already in the vocabulary), in order.
    """
    import copy

    from tokenizers import AddedToken

    new = copy.deepcopy(tokenizer)
    vocab = new.get_vocab()
    todo = [t for t in dict.fromkeys(tokens) if t and t not in vocab]
    new.add_tokens([AddedToken(t, single_word=True, normalized=True) for t in todo])
    return new, todo


# --- token surface forms (shared by every initializer) ---------------------------------


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """Inverse of GPT-2's byte-to-unicode table (byte-level BPE vocabularies)."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs, strict=True)}


def token_style(tokenizer) -> str:
    """``metaspace`` (▁word), ``bytelevel`` (Ġword), ``wordpiece`` (##piece) or ``plain``."""
    vocab = tokenizer.get_vocab()
    sample = list(vocab)[:5000]
    if sum(t.startswith("▁") for t in sample) > 0.05 * len(sample):
        return "metaspace"
    if sum(t.startswith("Ġ") for t in sample) > 0.05 * len(sample):
        return "bytelevel"
    if sum(t.startswith("##") for t in sample) > 0.05 * len(sample):
        return "wordpiece"
    return "plain"


def canonical_forms(tokenizer) -> dict[int, str]:
    """``{id: form}`` for every non-special token: ``▁text`` for word-initial pieces,
    ``text`` for word-internal ones, comparable across tokenizer families."""
    style = token_style(tokenizer)
    specials = set(tokenizer.all_special_tokens)
    added = set(tokenizer.get_added_vocab())
    out: dict[int, str] = {}
    for tok, i in tokenizer.get_vocab().items():
        if tok in specials:
            continue
        if tok in added:
            out[i] = "▁" + tok.lstrip("▁")
        elif style == "wordpiece":
            out[i] = tok[2:] if tok.startswith("##") else "▁" + tok
        elif style == "bytelevel":
            dec = _byte_decoder()
            try:
                text = bytes(dec[c] for c in tok).decode("utf-8")
            except (KeyError, UnicodeDecodeError):
                text = tok
            out[i] = "▁" + text[1:] if text.startswith(" ") else text
        else:
            out[i] = tok
    return out


def surface(form: str) -> str:
    """The text of a canonical form, without the word mark."""
    return form[1:] if form.startswith("▁") else form
