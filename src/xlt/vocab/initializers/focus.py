"""FOCUS (Dobler & de Melo 2023, "FOCUS: Effective Embedding Initialization for
Monolingual Specialization of Multilingual Models").

Tokens shared by the source and target vocabularies copy their source
embedding. Every other target token becomes a sparse combination of the shared
tokens' embeddings, weighted by ``sparsemax(similarity / temperature)`` where the
similarities come from an auxiliary fastText space trained here on the target
corpus tokenised with the target tokenizer.
"""

from __future__ import annotations

import torch

from xlt.errors import XltError
from xlt.vocab.configs import FocusConfig
from xlt.vocab.initializers.base import PlanInitializer, TransferData, copy_overlap, initializers, new_plan
from xlt.vocab.plan import TransferPlan
from xlt.vocab.static_embeddings import train_fasttext, unit_rows, vectors_for


def sparsemax(z: torch.Tensor) -> torch.Tensor:
    """Sparsemax over the last dimension (Martins & Astudillo 2016): the Euclidean
    projection onto the probability simplex; many outputs are exactly zero."""
    zs, _ = torch.sort(z, dim=-1, descending=True)
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    cums = zs.cumsum(-1)
    support = (1 + k * zs) > cums
    k_z = support.sum(-1, keepdim=True).clamp(min=1)
    tau = (cums.gather(-1, k_z - 1) - 1) / k_z.to(z.dtype)
    return torch.clamp(z - tau, min=0)


@initializers.register(
    "focus",
    config=FocusConfig,
    reference="Dobler & de Melo 2023, FOCUS: Effective Embedding Initialization for Monolingual Specialization",
    example={"dim": 16, "epochs": 3},
)
class FocusInit(PlanInitializer):
    """Copy overlapping tokens; the rest = sparsemax-weighted mix of overlapping tokens."""

    def plan(self, source_tokenizer, target_tokenizer, data: TransferData | None = None) -> TransferPlan:
        c = self.config
        if data is None or not data.target_texts:
            raise XltError("focus needs target-language text (TransferData.target_texts / --target-corpus)")
        plan = new_plan(source_tokenizer, target_tokenizer, seed=c.seed, fill=c.fallback)
        shared = copy_overlap(plan, source_tokenizer, target_tokenizer)
        todo = [i for i in range(plan.target_size) if not plan.is_set(i)]
        if shared and todo:
            self._combine(plan, target_tokenizer, data, shared, todo)
        if c.fallback == "mean":
            plan.noise_mean_rows(c.noise)
        return plan

    def _combine(self, plan, target_tokenizer, data, shared: dict[int, int], todo: list[int]) -> None:
        c = self.config
        id_to_tok = {i: t for t, i in target_tokenizer.get_vocab().items()}
        corpus = [target_tokenizer.tokenize(t) for t in data.target_texts]
        wv = train_fasttext(corpus, dim=c.dim, epochs=c.epochs, min_count=c.min_count, seed=c.seed)
        seen = [i for i in todo if id_to_tok.get(i) in wv.key_to_index]
        if not seen:
            return
        anchors = sorted(shared)
        anchor_vecs = torch.from_numpy(unit_rows(vectors_for(wv, [id_to_tok[i] for i in anchors])))
        for start in range(0, len(seen), 256):
            batch = seen[start : start + 256]
            vecs = torch.from_numpy(unit_rows(vectors_for(wv, [id_to_tok[i] for i in batch])))
            weights = sparsemax(vecs @ anchor_vecs.T / c.temperature)
            for row, t in zip(weights, batch, strict=True):
                nz = torch.nonzero(row).flatten().tolist()
                plan.set_mix(t, [shared[anchors[j]] for j in nz], [float(row[j]) for j in nz], "focus")
