"""Hugging Face encoder-decoder models as a translation backend.

Any ``AutoModelForSeq2SeqLM`` that ``xlt.hub`` can load (a local ``save_pretrained`` directory
or a hub id): NLLB-200 (NLLB Team et al. 2022), M2M-100 (Fan et al. 2021), mBART-50, Marian /
OPUS-MT (Tiedemann & Thottingal 2020), mT5 with a task prefix. Sentences are batched by length
(longest first, so padding is small and memory peaks early), decoded with beam search, and
returned in input order. Language tokens come from :mod:`xlt.translation.codes`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import Field

from xlt.config import MethodConfig
from xlt.errors import ConfigError
from xlt.logs import get_logger
from xlt.translation.base import TranslationError, translators
from xlt.translation.codes import CodeStyle, detect_style, language_token
from xlt.types import Lang

log = get_logger("translation")

#: a factory of ``prefix_allowed_tokens_fn`` for one batch, given the batch's input indices
PrefixFnFactory = Callable[[list[int]], Callable[[int, Any], list[int]]]


class HFSeq2SeqConfig(MethodConfig):
    method: Literal["hf-seq2seq"] = "hf-seq2seq"
    model: str = Field(description="Local directory (save_pretrained) or hub id of a seq2seq MT model.")
    beam_size: int = Field(4, ge=1, description="Beams of the beam search (1: greedy).")
    max_new_tokens: int = Field(256, ge=1, description="Most tokens generated per sentence.")
    max_input_tokens: int = Field(512, ge=1, description="Longer inputs are truncated (and counted).")
    batch_size: int = Field(16, ge=1, description="Sentences per generate call.")
    device: str = Field("auto", description="auto (CUDA when available), cpu, cuda, cuda:1...")
    code_style: CodeStyle = Field(
        "auto",
        description="Language tokens: nllb (eus_Latn), m2m (__eu__), mbart (eu_XX), none (Marian, mT5); "
        "auto reads them off the tokenizer's vocabulary.",
    )
    src_code: str | None = Field(None, description="The model's token for the source language (override).")
    tgt_code: str | None = Field(None, description="The model's token for the target language (override).")
    prefix: str | None = Field(
        None,
        description="Text put before every input (mT5/T5 prompts, e.g. 'translate English to German: ').",
    )
    seed: int = Field(0, description="Torch seed set before decoding.")


@translators.register(
    "hf-seq2seq",
    config=HFSeq2SeqConfig,
    reference="NLLB Team et al. 2022, No Language Left Behind; Tiedemann & Thottingal 2020, OPUS-MT",
)
class HFSeq2SeqTranslator:
    """A Hugging Face seq2seq MT model (NLLB, M2M-100, mBART-50, Marian, mT5), batched beam search."""

    open_ended = True

    def __init__(self, config: HFSeq2SeqConfig) -> None:
        self.config = config
        self.stats_: dict[str, Any] = {}
        self.model_: Any = None
        self.tokenizer_: Any = None
        self.device_: Any = None

    # -- loading ----------------------------------------------------------------------------
    def load(self) -> HFSeq2SeqTranslator:
        """Load the tokenizer and model once (later calls reuse them)."""
        if self.model_ is not None:
            return self
        import torch
        from transformers import AutoModelForSeq2SeqLM

        from xlt.hub import load_model, load_tokenizer

        device = self.config.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self.device_ = torch.device(device)
        except RuntimeError as err:
            raise ConfigError(f"translator hf-seq2seq: device {device!r}: {err}") from None
        self.tokenizer_ = load_tokenizer(self.config.model)
        model = load_model(AutoModelForSeq2SeqLM, self.config.model)
        self.model_ = model.to(self.device_).eval()
        return self

    def style(self) -> CodeStyle:
        self.load()
        if self.config.code_style != "auto":
            return self.config.code_style
        return detect_style(self.tokenizer_.get_vocab(), getattr(self.model_.config, "model_type", None))

    def language_ids(self, src: Lang, tgt: Lang) -> tuple[int | None, int | None]:
        """Token ids of the source and target language tokens (``None`` where the model has none)."""
        self.load()
        vocab = self.tokenizer_.get_vocab()
        style = self.style()
        out: list[int | None] = []
        for lang, override, side in ((src, self.config.src_code, "src"), (tgt, self.config.tgt_code, "tgt")):
            token = override if override is not None else language_token(lang, style, vocab)
            if token is None:
                out.append(None)
                continue
            if token not in vocab:
                raise ConfigError(
                    f"translator hf-seq2seq: {side}_code {token!r} is not a token of {self.config.model}"
                )
            out.append(vocab[token])
        return out[0], out[1]

    def decoder_prefix_length(self, src: Lang, tgt: Lang) -> int:
        """How many tokens every generated sequence starts with before the translation proper
        (the decoder start token, plus the forced target-language token where there is one)."""
        return 1 + (self.language_ids(src, tgt)[1] is not None)

    # -- encoding and generation --------------------------------------------------------------
    def encode(self, texts: Sequence[str], src: Lang, tgt: Lang) -> tuple[list[list[int]], int]:
        """Input ids per text (language token and prefix applied) and how many were truncated."""
        self.load()
        tok = self.tokenizer_
        src_id, _ = self.language_ids(src, tgt)
        prefix = self.config.prefix or ""
        native = src_id is not None and hasattr(tok, "src_lang")
        if native:
            tok.src_lang = tok.convert_ids_to_tokens(src_id)
        limit = self.config.max_input_tokens
        ids: list[list[int]] = []
        truncated = 0
        for text in texts:
            seq = list(tok(prefix + text, add_special_tokens=True)["input_ids"])
            if src_id is not None and not native and (not seq or seq[0] != src_id):
                seq = [src_id, *seq[1:]] if seq and seq[0] == tok.bos_token_id else [src_id, *seq]
            if len(seq) > limit:
                truncated += 1
                seq = [*seq[: limit - 1], seq[-1]]
            ids.append(seq)
        return ids, truncated

    def generate_ids(
        self,
        texts: Sequence[str],
        src: Lang,
        tgt: Lang,
        *,
        prefix_fn: PrefixFnFactory | None = None,
        max_new_tokens: int | None = None,
    ) -> list[list[int]]:
        """Generated token ids per text (decoder prefix included), in input order. ``prefix_fn``
        builds a ``prefix_allowed_tokens_fn`` for each batch from the batch's input indices;
        ``max_new_tokens`` overrides the configured limit (constrained decoding knows its length)."""
        import torch

        self.load()
        cfg = self.config
        tok = self.tokenizer_
        _, tgt_id = self.language_ids(src, tgt)
        ids, n_trunc = self.encode(texts, src, tgt)
        self.stats_["input_truncated"] = n_trunc
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        out: list[list[int]] = [[] for _ in ids]
        pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        torch.manual_seed(cfg.seed)
        for start in range(0, len(order), cfg.batch_size):
            batch = order[start : start + cfg.batch_size]
            width = max(len(ids[i]) for i in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):  # right padding, as the encoders expect
                input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
            kwargs: dict[str, Any] = {
                "num_beams": cfg.beam_size,
                "max_new_tokens": max_new_tokens or cfg.max_new_tokens,
                "do_sample": False,
            }
            if tgt_id is not None:
                kwargs["forced_bos_token_id"] = tgt_id
            if prefix_fn is not None:
                kwargs["prefix_allowed_tokens_fn"] = prefix_fn(batch)
            try:
                with torch.inference_mode():
                    gen = self.model_.generate(
                        input_ids=input_ids.to(self.device_), attention_mask=mask.to(self.device_), **kwargs
                    )
            except (RuntimeError, ValueError) as err:
                raise TranslationError(
                    f"translator hf-seq2seq: generation with {cfg.model} failed: {str(err).splitlines()[0]}"
                ) from None
            for row, i in enumerate(batch):
                seq = gen[row].tolist()
                while len(seq) > 1 and seq[-1] == pad and pad != self._eos():
                    seq.pop()
                out[i] = seq
        return out

    def sequence_log_probs(
        self, sources: Sequence[str], targets: Sequence[str], src: Lang, tgt: Lang
    ) -> list[float]:
        """Mean log-probability per token of translating each source into its target (teacher
        forcing; the decoder prefix is given, not scored; the end token is scored). Used to rank
        projection candidates (T-Projection)."""
        import torch

        self.load()
        if len(sources) != len(targets):
            raise ValueError("sequence_log_probs: as many targets as sources are needed")
        tok = self.tokenizer_
        model = self.model_
        _, tgt_id = self.language_ids(src, tgt)
        start = model.config.decoder_start_token_id
        if start is None:
            start = tok.pad_token_id if tok.pad_token_id is not None else 0
        prefix = [start] + ([tgt_id] if tgt_id is not None else [])
        eos = self._eos()
        ids, _ = self.encode(sources, src, tgt)
        outs = [
            list(tok(t, add_special_tokens=False)["input_ids"]) + ([eos] if eos is not None else [])
            for t in targets
        ]
        pad = tok.pad_token_id if tok.pad_token_id is not None else 0
        result = [0.0] * len(ids)
        order = sorted(range(len(ids)), key=lambda i: -(len(ids[i]) + len(outs[i])))
        for b0 in range(0, len(order), self.config.batch_size):
            batch = order[b0 : b0 + self.config.batch_size]
            width = max(len(ids[i]) for i in batch)
            dec_width = len(prefix) + max(len(outs[i]) for i in batch)
            input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            dec = torch.full((len(batch), dec_width), pad, dtype=torch.long)
            for row, i in enumerate(batch):
                input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
                seq = prefix + outs[i]
                dec[row, : len(seq)] = torch.tensor(seq)
            with torch.inference_mode():
                logits = model(
                    input_ids=input_ids.to(self.device_),
                    attention_mask=mask.to(self.device_),
                    decoder_input_ids=dec.to(self.device_),
                ).logits.float()
            logp = torch.log_softmax(logits, dim=-1).cpu()
            for row, i in enumerate(batch):
                n = len(outs[i])
                if n == 0:
                    result[i] = 0.0
                    continue
                # position t predicts dec[t + 1]: the target tokens sit after the prefix
                steps = torch.arange(len(prefix) - 1, len(prefix) - 1 + n)
                wanted = dec[row, len(prefix) : len(prefix) + n]
                result[i] = float(logp[row, steps, wanted].mean())
        return result

    def _eos(self) -> int | None:
        eos = getattr(self.model_.generation_config, "eos_token_id", None)
        if isinstance(eos, list):
            eos = eos[0] if eos else None
        return eos if eos is not None else self.tokenizer_.eos_token_id

    def is_truncated(self, seq: Sequence[int]) -> bool:
        """Whether generation ran into ``max_new_tokens`` (the decoder start token is not
        generated; models with ``forced_eos_token_id`` end even a cut-off output with EOS, so the
        last token cannot tell)."""
        return len(seq) - 1 >= self.config.max_new_tokens

    def decode(self, seq: Sequence[int]) -> str:
        return " ".join(self.tokenizer_.decode(seq, skip_special_tokens=True).split())

    def translate(self, sentences: Sequence[str], src: Lang, tgt: Lang) -> list[str]:
        """Batched beam-search translation, input order kept; empty inputs give empty outputs."""
        t_load = time.perf_counter()
        self.load()  # once; not part of the translation time
        load_seconds = time.perf_counter() - t_load
        t0 = time.perf_counter()
        todo = [i for i, s in enumerate(sentences) if s.strip()]
        self.stats_ = {}
        seqs = self.generate_ids([sentences[i] for i in todo], src, tgt) if todo else []
        out = [""] * len(sentences)
        truncated = 0
        for i, seq in zip(todo, seqs, strict=True):
            truncated += self.is_truncated(seq)
            out[i] = self.decode(seq)
        seconds = time.perf_counter() - t0
        self.stats_ = {
            "sentences": len(out),
            "empty": sum(1 for x in out if not x),
            "truncated": truncated,
            "input_truncated": self.stats_.get("input_truncated", 0),
            "seconds": round(seconds, 4),
            "load_seconds": round(load_seconds, 4),
            "sentences_per_second": round(len(out) / seconds, 2) if seconds > 0 else None,
        }
        log.info("hf-seq2seq: %d sentences in %.1fs", len(out), seconds)
        return out
