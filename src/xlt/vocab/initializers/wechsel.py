"""WECHSEL (Minixhofer, Paischer & Rekabsaz 2022, "WECHSEL: Effective
initialization of subword embeddings for cross-lingual transfer of monolingual
language models").

fastText spaces are trained here on the source and target corpora; the target
space is rotated onto the source space by orthogonal Procrustes on the pairs of
a bilingual dictionary. Subword tokens of both vocabularies get fastText vectors
(from their character n-grams); each target token becomes the
``softmax(similarity / temperature)``-weighted mix of its ``k`` nearest source
tokens' model embeddings.
"""

from __future__ import annotations

import numpy as np
import torch

from xlt.errors import XltError
from xlt.vocab.configs import WechselConfig
from xlt.vocab.initializers.base import PlanInitializer, TransferData, copy_overlap, initializers, new_plan
from xlt.vocab.plan import TransferPlan
from xlt.vocab.procrustes import orthogonal_procrustes
from xlt.vocab.static_embeddings import train_fasttext, unit_rows, vectors_for, words
from xlt.vocab.tokenizer import canonical_forms, surface


def space_mean(wv) -> np.ndarray:
    """Mean of the unit-length word vectors of a fastText space."""
    return unit_rows(np.asarray(wv.vectors, dtype=np.float32)).mean(0)


def centered(vecs: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Unit length, minus the space's mean direction, unit length again (Artetxe et al. 2018):
    small fastText spaces share a strong common direction that drowns out similarities."""
    out = unit_rows(vecs) - mean
    out[np.linalg.norm(vecs, axis=1) == 0] = 0.0
    return unit_rows(out)


@initializers.register(
    "wechsel",
    config=WechselConfig,
    reference="Minixhofer et al. 2022, WECHSEL: Effective initialization of subword embeddings for cross-lingual transfer",
    example={"min_count": 1, "min_pairs": 3, "dim": 16, "epochs": 3},
)
class WechselInit(PlanInitializer):
    """Softmax-weighted top-k source tokens in dictionary-aligned fastText spaces."""

    def __init__(self, config: WechselConfig) -> None:
        super().__init__(config)
        #: number of dictionary pairs used for the alignment (set by ``plan``)
        self.dictionary_pairs_: int | None = None

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        c = self.config
        if data is None or not data.source_texts or not data.target_texts:
            raise XltError("wechsel needs source and target text (--source-corpus, --target-corpus)")
        if not data.dictionary:
            raise XltError(
                "wechsel needs a bilingual dictionary (--dictionary FILE or --dictionary-language)"
            )
        plan = new_plan(source_tokenizer, target_tokenizer, seed=c.seed, fill="mean")
        if c.copy_overlap:
            copy_overlap(plan, source_tokenizer, target_tokenizer)
        src_wv = train_fasttext(
            [words(t, lowercase=c.lowercase) for t in data.source_texts],
            dim=c.dim, epochs=c.epochs, min_count=c.min_count, seed=c.seed,
        )  # fmt: skip
        tgt_wv = train_fasttext(
            [words(t, lowercase=c.lowercase) for t in data.target_texts],
            dim=c.dim, epochs=c.epochs, min_count=c.min_count, seed=c.seed,
        )  # fmt: skip
        src_mean, tgt_mean = space_mean(src_wv), space_mean(tgt_wv)
        rotation = self._align(src_wv, tgt_wv, data.dictionary, src_mean, tgt_mean)

        def forms(tok) -> tuple[list[int], list[str]]:
            items = sorted(canonical_forms(tok).items())
            texts = [surface(f).lower() if c.lowercase else surface(f) for _, f in items]
            return [i for i, _ in items], texts

        src_ids, src_texts = forms(source_tokenizer)
        src_vecs = centered(vectors_for(src_wv, src_texts), src_mean)
        usable = np.linalg.norm(src_vecs, axis=1) > 0
        src_ids = [i for i, u in zip(src_ids, usable, strict=True) if u]
        src_mat = torch.from_numpy(src_vecs[usable])
        tgt_ids, tgt_texts = forms(target_tokenizer)
        todo = [(i, t) for i, t in zip(tgt_ids, tgt_texts, strict=True) if not plan.is_set(i) and t]
        k = min(c.k, len(src_ids))
        for start in range(0, len(todo), 256):  # 256 x |V_source| similarities at a time
            batch = todo[start : start + 256]
            vecs = centered(vectors_for(tgt_wv, [t for _, t in batch]), tgt_mean) @ rotation
            sims = torch.from_numpy(unit_rows(vecs)) @ src_mat.T
            top, idx = sims.topk(k, dim=1)
            weights = torch.softmax(top / c.temperature, dim=1)
            for (tid, _), w, ix, s in zip(batch, weights, idx, top, strict=True):
                if float(s.abs().max()) == 0.0:
                    continue  # no static vector: keep the fallback
                plan.set_mix(tid, [src_ids[j] for j in ix.tolist()], w.tolist(), "wechsel")
        plan.noise_mean_rows(c.noise)
        return plan

    def _align(self, src_wv, tgt_wv, dictionary, src_mean, tgt_mean) -> np.ndarray:
        """Rotation mapping the target space onto the source space."""
        c = self.config
        pairs = []
        for s, t in dictionary:
            s, t = (s.lower(), t.lower()) if c.lowercase else (s, t)
            if s in src_wv.key_to_index and t in tgt_wv.key_to_index:
                pairs.append((s, t))
        self.dictionary_pairs_ = len(pairs)
        if len(pairs) < c.min_pairs:
            raise XltError(
                f"only {len(pairs)} dictionary pairs have both words in the corpora (need {c.min_pairs})",
                hint="use a larger dictionary or corpora, or lower min_pairs / min_count",
            )
        x = centered(vectors_for(tgt_wv, [t for _, t in pairs]), tgt_mean)
        y = centered(vectors_for(src_wv, [s for s, _ in pairs]), src_mean)
        return orthogonal_procrustes(x, y)
