"""Trans-tokenization (Remy, Delobelle, Avetisyan, Khabibullina, de Lhoneux &
Demeester 2024, "Trans-Tokenization and Cross-lingual Vocabulary Transfers:
Language Adaptation of LLMs for Low-Resource NLP").

A parallel corpus (e.g. the Bible) is tokenised with both tokenizers and aligned
with one of xlt's word aligners (eflomal by default), either directly on the
subword tokens (``level: token``, as in the paper) or on words whose links are
spread over their subwords (``level: word``). Each target token's embedding is
the average of the source tokens it is aligned to, weighted by link counts.
Target tokens never aligned fall back to an exact copy (when the token exists in
the source vocabulary) or to the mean embedding.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from xlt.errors import XltError
from xlt.registry import TINY_MODEL
from xlt.types import SentencePair
from xlt.vocab.configs import TransTokenizeConfig
from xlt.vocab.initializers.base import PlanInitializer, TransferData, copy_overlap, initializers, new_plan
from xlt.vocab.plan import TransferPlan
from xlt.vocab.static_embeddings import words


def _aligner(name: str, options: dict[str, Any]):
    import xlt.alignment  # noqa: F401  (registers the aligners)
    from xlt.registry import stage_registry

    return stage_registry("aligners").build(name, dict(options))


@initializers.register(
    "transtokenize",
    config=TransTokenizeConfig,
    reference="Remy et al. 2024, Trans-Tokenization and Cross-lingual Vocabulary Transfers",
    # the embedding aligner is seeded and needs no extra (the default, eflomal, has no seed)
    example={"aligner": "embedding", "aligner_options": {"model": TINY_MODEL, "layer": -1}},
)
class TransTokenizeInit(PlanInitializer):
    """Target token = link-count-weighted mean of the source tokens aligned to it."""

    def __init__(self, config: TransTokenizeConfig) -> None:
        super().__init__(config)
        #: how many target tokens got at least one alignment link (set by ``plan``)
        self.aligned_tokens_: int | None = None

    def token_counts(self, source_tokenizer, target_tokenizer, parallel) -> dict[int, Counter]:
        """``{target_id: Counter(source_id -> link count)}`` from the aligned corpus."""
        c = self.config
        if c.level == "token":
            seqs = [(source_tokenizer.tokenize(s), target_tokenizer.tokenize(t)) for s, t in parallel]
            pairs = [SentencePair(tuple(a), tuple(b)) for a, b in seqs]
        else:
            pairs = [
                SentencePair(tuple(words(s, lowercase=False)), tuple(words(t, lowercase=False)))
                for s, t in parallel
            ]
        alignments = _aligner(c.aligner, c.aligner_options).align(pairs)
        counts: dict[int, Counter] = defaultdict(Counter)
        s_ids, t_ids = source_tokenizer.convert_tokens_to_ids, target_tokenizer.convert_tokens_to_ids
        s_special = set(source_tokenizer.all_special_ids)
        for pair, al in zip(pairs, alignments, strict=True):
            for i, j in al.links:
                if c.level == "token":
                    srcs, tgts = [s_ids(pair.src[i])], [t_ids(pair.tgt[j])]
                else:
                    srcs = s_ids(source_tokenizer.tokenize(pair.src[i]))
                    tgts = t_ids(target_tokenizer.tokenize(pair.tgt[j]))
                for t in tgts:
                    for s in srcs:
                        if s is not None and s not in s_special:
                            counts[t][s] += 1
        return counts

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        c = self.config
        if data is None or not data.parallel:
            raise XltError("transtokenize needs a parallel corpus (TransferData.parallel / --parallel)")
        plan = new_plan(source_tokenizer, target_tokenizer, seed=c.seed, fill="mean")
        counts = self.token_counts(source_tokenizer, target_tokenizer, data.parallel)
        aligned = 0
        for t in sorted(counts):
            if t is None or t >= plan.target_size or plan.is_set(t):
                continue
            items = [(s, n) for s, n in counts[t].most_common(c.top_k or None) if n >= c.min_count]
            total = sum(n for _, n in items)
            if total:
                plan.set_mix(t, [s for s, _ in items], [n / total for _, n in items], "aligned")
                aligned += 1
        self.aligned_tokens_ = aligned
        copy_overlap(plan, source_tokenizer, target_tokenizer)
        plan.noise_mean_rows(c.noise)
        return plan
