"""Encoding for fine-tuning: subword label alignment, chunking, batching, source mixing, few-shot.

Token tasks use first-subword labelling: the first subword of each word carries
the word's label, every other subword (and every special token) gets ``-100``
and is ignored by the loss; predictions are read back at first subwords, so one
label comes out per input word. A sentence longer than ``max_length`` subwords
is split into word chunks that fit (never cut silently), and the chunk
predictions are joined again.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from xlt.errors import ConfigError
from xlt.types import LabeledSentence, Sentence, TextExample

T = TypeVar("T")
IGNORE = -100


@dataclass
class Encoded:
    """Encoded features plus the map back to input items (``(item index, first word)`` per feature)."""

    features: list[dict[str, Any]]
    origin: list[tuple[int, int]]
    n_items: int
    word_counts: list[int] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)


def _tokens_of(item: LabeledSentence | Sentence | Sequence[str]) -> tuple[str, ...]:
    if isinstance(item, (LabeledSentence, Sentence)):
        return item.tokens
    return tuple(item)


def _word_chunks(word_lens: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """Split words into consecutive ``[start, end)`` chunks of at most ``budget`` subwords."""
    chunks, start, used = [], 0, 0
    for i, n in enumerate(word_lens):
        n = max(n, 1)
        if used + n > budget and i > start:
            chunks.append((start, i))
            start, used = i, 0
        used += n
    chunks.append((start, len(word_lens)))
    return chunks


def encode_token_data(
    tokenizer,
    items: Sequence[LabeledSentence | Sentence | Sequence[str]],
    label2id: Mapping[str, int] | None,
    max_length: int,
) -> Encoded:
    """Tokenise words (``is_split_into_words``), align labels to first subwords, chunk long sentences.

    ``label2id=None`` encodes without labels (prediction). Gold labels unknown to
    ``label2id`` and ``None`` labels become ``-100`` (counted in ``stats``).
    """
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(
            "token tasks need a fast tokenizer (word_ids()); this model's tokenizer is not fast"
        )
    specials = tokenizer.num_special_tokens_to_add(pair=False)
    budget = max(1, max_length - specials)
    words = [list(_tokens_of(x)) for x in items]
    out = Encoded(features=[], origin=[], n_items=len(items), word_counts=[len(w) for w in words])
    nonempty = [i for i, w in enumerate(words) if w]
    out.stats["empty_sentences"] = len(words) - len(nonempty)
    if not nonempty:
        return out
    # one pass encodes every sentence; only those longer than max_length are encoded again, in chunks
    full = tokenizer([words[i] for i in nonempty], is_split_into_words=True)
    pieces: list[tuple[int, int, int | None]] = []  # (item, word start, row in `full` or None = chunk)
    chunks: list[list[str]] = []
    for row, i in enumerate(nonempty):
        wids = full.word_ids(row)
        if len(wids) <= max_length:
            pieces.append((i, 0, row))
            continue
        lens = Counter(w for w in wids if w is not None)
        out.stats["chunked_sentences"] += 1
        for a, b in _word_chunks([lens.get(j, 0) for j in range(len(words[i]))], budget):
            pieces.append((i, a, None))
            chunks.append(words[i][a:b])
    enc = (
        tokenizer(chunks, is_split_into_words=True, truncation=True, max_length=max_length)
        if chunks
        else None
    )
    n_chunks = 0
    for i, a, row in pieces:
        if row is None:
            src, row, n_chunks = enc, n_chunks, n_chunks + 1
        else:
            src = full
        feat = {"input_ids": src["input_ids"][row], "attention_mask": src["attention_mask"][row]}
        wids = src.word_ids(row)
        feat["word_ids"] = [None if w is None else w + a for w in wids]
        if label2id is not None:
            labels = getattr(items[i], "labels", None)
            feat["labels"] = _first_subword_labels(wids, a, labels, label2id, out.stats)
        out.features.append(feat)
        out.origin.append((i, a))
    return out


def _first_subword_labels(
    wids: Sequence[int | None],
    offset: int,
    labels: Sequence[str | None] | None,
    label2id: Mapping[str, int],
    stats: Counter,
) -> list[int]:
    out, prev = [], None
    for w in wids:
        if w is None or w == prev or labels is None:
            out.append(IGNORE)
        else:
            lab = labels[w + offset]
            if lab is None:
                stats["unlabelled_tokens"] += 1
                out.append(IGNORE)
            elif lab not in label2id:
                stats["unknown_label_tokens"] += 1
                out.append(IGNORE)
            else:
                out.append(label2id[lab])
        prev = w
    return out


def encode_text_data(
    tokenizer,
    items: Sequence[TextExample | str],
    label2id: Mapping[str, int] | None,
    max_length: int,
) -> Encoded:
    """Tokenise single texts or text pairs (NLI: premise, hypothesis), truncating the longer first."""
    texts = [x.text if isinstance(x, TextExample) else str(x) for x in items]
    pairs = [x.text_pair if isinstance(x, TextExample) else None for x in items]
    has_pair = any(p is not None for p in pairs)
    if has_pair and any(p is None for p in pairs):
        raise ConfigError("mixing single texts and text pairs in one dataset is not supported")
    kwargs: dict[str, Any] = {"truncation": True, "max_length": max_length}
    enc = tokenizer(texts, pairs, **kwargs) if has_pair else tokenizer(texts, **kwargs)
    out = Encoded(features=[], origin=[], n_items=len(items))
    for i in range(len(items)):
        feat = {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i]}
        if "token_type_ids" in enc:
            feat["token_type_ids"] = enc["token_type_ids"][i]
        if label2id is not None:
            lab = getattr(items[i], "label", None)
            if lab is None or lab not in label2id:
                out.stats["unlabelled_examples" if lab is None else "unknown_label_examples"] += 1
                continue
            feat["labels"] = label2id[lab]
        out.features.append(feat)
        out.origin.append((i, 0))
    return out


class TrainFeatures(list):
    """Training features (a plain list) minus the bookkeeping keys the model must not see."""

    @classmethod
    def of(cls, encoded: Encoded) -> TrainFeatures:
        return cls({k: v for k, v in f.items() if k != "word_ids"} for f in encoded.features)


def collator(tokenizer, task: str, *, pad_to_multiple_of: int | None = None):
    """Dynamic padding to the longest sequence of each batch (labels padded with -100)."""
    from transformers import DataCollatorForTokenClassification, DataCollatorWithPadding

    if task == "classification":
        return DataCollatorWithPadding(tokenizer, pad_to_multiple_of=pad_to_multiple_of)
    return DataCollatorForTokenClassification(tokenizer, pad_to_multiple_of=pad_to_multiple_of)


def length_sorted_batches(features: Sequence[Mapping[str, Any]], batch_size: int) -> list[list[int]]:
    """Index batches of similar lengths (for inference: minimal padding, same results)."""
    order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def labels_of(items: Sequence[LabeledSentence | TextExample]) -> list[str]:
    """Sorted label inventory of the data (``O`` first for BIO tag sets)."""
    seen: set[str] = set()
    for x in items:
        if isinstance(x, TextExample):
            if x.label is not None:
                seen.add(x.label)
        else:
            seen.update(lab for lab in x.labels if lab is not None)
    return sorted(seen, key=lambda s: (s != "O", s))


# ---- transfer settings -------------------------------------------------------------------------

Mixing = Literal["concat", "temperature"]


def mix_sources(
    groups: Mapping[str, Sequence[T]],
    *,
    strategy: Mixing = "concat",
    temperature: float = 1.0,
    size: int | None = None,
    seed: int = 0,
) -> tuple[list[T], dict[str, int]]:
    """Combine several sources' training data.

    ``concat`` keeps everything. ``temperature`` draws ``size`` examples (default:
    the total) with language probabilities ``q_i ∝ (n_i / N) ** (1 / T)``
    (Conneau & Lample 2019; Arivazhagan et al. 2019): ``T=1`` is proportional,
    larger ``T`` up-samples small sources towards uniform. Within a language,
    examples are drawn without replacement and reshuffled when exhausted.
    Returns the mixed list and how many examples each language contributed.
    """
    groups = {k: list(v) for k, v in groups.items() if len(v)}
    if not groups:
        return [], {}
    if strategy == "concat":
        mixed = [x for v in groups.values() for x in v]
        return mixed, {k: len(v) for k, v in groups.items()}
    if temperature <= 0:
        raise ConfigError(f"temperature must be > 0, got {temperature}")
    rng = random.Random(seed)
    total = sum(len(v) for v in groups.values())
    weights = {k: (len(v) / total) ** (1.0 / temperature) for k, v in groups.items()}
    norm = sum(weights.values())
    names = list(groups)
    probs = [weights[k] / norm for k in names]
    n = size if size is not None else total
    draws = Counter(rng.choices(names, weights=probs, k=n))
    mixed: list[T] = []
    for k in names:
        pool: list[T] = []
        for _ in range(draws[k]):
            if not pool:
                pool = list(groups[k])
                rng.shuffle(pool)
            mixed.append(pool.pop())
    rng.shuffle(mixed)
    return mixed, {k: draws[k] for k in names}


def temperature_probabilities(sizes: Mapping[str, int], temperature: float) -> dict[str, float]:
    """The sampling probabilities :func:`mix_sources` uses (for reports)."""
    total = sum(sizes.values())
    w = {k: (n / total) ** (1.0 / temperature) for k, n in sizes.items() if n}
    norm = sum(w.values())
    return {k: v / norm for k, v in w.items()}


def few_shot_sample(items: Sequence[T], k: int, seed: int) -> list[T]:
    """``k`` labelled examples drawn with ``random.Random(seed)`` (all of them if fewer)."""
    labelled = [x for x in items if _is_labelled(x)]
    if k >= len(labelled):
        return list(labelled)
    return random.Random(seed).sample(labelled, k)


def _is_labelled(x: Any) -> bool:
    if isinstance(x, TextExample):
        return x.label is not None
    labels = getattr(x, "labels", None)
    return labels is not None and any(lab is not None for lab in labels)
