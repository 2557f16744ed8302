"""Transliteration for script mismatch, and TransMI-style vocabulary merging.

``transliterate`` romanises text with ``unidecode`` (always available) or
``uroman`` (Hermjakob et al. 2018; optional: ``pip install uroman``).
``transmi_tokenizer`` follows TransMI (Liu et al. 2024, "TransMI: A Framework to
Create Strong Baselines from Multilingual Pretrained Language Models for
Transliterated Data"): every vocabulary piece is transliterated and the
romanised pieces that are not yet in the vocabulary are added to it, so
romanised text of the language tokenises into meaningful pieces. The
``transliteration`` initializer then gives each added piece the mean embedding
of the original pieces that transliterate to it.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from functools import lru_cache
from typing import Literal

from xlt.errors import ConfigError, MissingDependencyError

log = logging.getLogger(__name__)

Scheme = Literal["unidecode", "uroman"]


@lru_cache(maxsize=1)
def _uroman():
    try:
        import uroman
    except ImportError:
        raise MissingDependencyError("uroman", purpose="uroman transliteration") from None
    return uroman.Uroman()


def _uroman_safely(text: str) -> str:
    """uroman, word by word where it fails on the whole text (uroman 1.3 raises on some Chinese
    numerals), and unidecode for a word it cannot romanise at all."""
    rom = _uroman()
    try:
        return rom.romanize_string(text)
    except Exception:  # a bug inside uroman, not bad input: degrade, do not stop
        from unidecode import unidecode

        words = []
        for word in text.split(" "):
            try:
                words.append(rom.romanize_string(word))
            except Exception:
                log.debug("uroman failed on %r; unidecode used", word)
                words.append(unidecode(word))
        return " ".join(words)


def transliterate(text: str, scheme: Scheme = "unidecode") -> str:
    """Romanise ``text`` (Latin-script input comes back unchanged apart from diacritics)."""
    if scheme == "unidecode":
        from unidecode import unidecode

        return unidecode(text)
    if scheme == "uroman":
        return _uroman_safely(text)
    raise ConfigError(f"unknown transliteration scheme {scheme!r} (valid: unidecode, uroman)")


def transliterated_forms(tokenizer, scheme: Scheme = "unidecode") -> dict[str, list[int]]:
    """``{romanised canonical form: [ids of the pieces that romanise to it]}`` for pieces that change."""
    from xlt.vocab.tokenizer import canonical_forms, surface

    out: dict[str, list[int]] = defaultdict(list)
    for i, form in canonical_forms(tokenizer).items():
        text = surface(form)
        roman = transliterate(text, scheme).strip()
        if not roman or roman == text or " " in roman:
            continue
        out[("▁" if form.startswith("▁") else "") + roman].append(i)
    return dict(out)


def transmi_tokenizer(
    tokenizer, scheme: Scheme = "unidecode", *, score: Literal["max", "mean", "min"] = "max"
):
    """A copy of ``tokenizer`` with the romanised forms of its pieces added.

    Unigram and WordPiece models get real vocabulary entries (a Unigram piece's
    score is the ``score`` of the scores of the pieces it comes from); other
    models get whole-word added tokens. Returns ``(new_tokenizer, added_pieces)``.
    """
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    from xlt.vocab.tokenizer import extend_tokenizer, special_tokens_of, surface

    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError("TransMI merging needs a fast tokenizer")
    state = json.loads(tokenizer.backend_tokenizer.to_str())
    model = state["model"]
    vocab = tokenizer.get_vocab()
    forms = transliterated_forms(tokenizer, scheme)
    kind = model.get("type")
    model_size = len(model["vocab"])
    added_beyond = any(t["id"] >= model_size for t in state.get("added_tokens", []))
    if kind == "Unigram" and not added_beyond:
        scores = {p: s for p, s in model["vocab"]}
        id_to_tok = {i: t for t, i in vocab.items()}
        new = []
        for form, ids in sorted(forms.items()):
            piece = form  # SentencePiece-style pieces: the canonical form is the piece
            if piece in vocab:
                continue
            vals = [scores.get(id_to_tok[i], -20.0) for i in ids]
            agg = max(vals) if score == "max" else min(vals) if score == "min" else sum(vals) / len(vals)
            model["vocab"].append([piece, agg])
            new.append(piece)
    elif kind == "WordPiece" and not added_beyond:
        new = []
        for form in sorted(forms):
            piece = form[1:] if form.startswith("▁") else "##" + form
            if piece in vocab or piece in model["vocab"]:
                continue
            model["vocab"][piece] = len(model["vocab"])
            new.append(piece)
    else:
        words = [surface(f) for f in sorted(forms) if f.startswith("▁")]
        return extend_tokenizer(tokenizer, words)
    backend = Tokenizer.from_str(json.dumps(state))
    kwargs = {f"{role}_token": t for role, t in special_tokens_of(tokenizer).items()}
    fast = PreTrainedTokenizerFast(
        tokenizer_object=backend, model_max_length=tokenizer.model_max_length, **kwargs
    )
    return fast, new
