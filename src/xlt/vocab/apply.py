"""Build the adapted model: new vocabulary, initialised embeddings, consistent config.

``transfer_model`` resizes the input embeddings and, where the model has them,
the output embeddings and output bias, filling all of them from one
:class:`~xlt.vocab.plan.TransferPlan`; tied weights stay tied; ``vocab_size`` and
the pad / bos / eos / sep / cls ids in the config follow the target tokenizer.
``save_transferred`` writes a directory that ``AutoModel*`` and ``AutoTokenizer``
load directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from xlt.config import atomic_write_text
from xlt.errors import XltError
from xlt.vocab.initializers.base import TransferData


@dataclass
class TransferReport:
    """What a vocabulary transfer did."""

    method: str
    config: dict[str, Any]
    source_vocab_size: int
    target_vocab_size: int
    rows: dict[str, int] = field(default_factory=dict)
    tied: bool = False
    seconds: float = 0.0


def _tied(model) -> bool:
    out = model.get_output_embeddings()
    return out is not None and out.weight.data_ptr() == model.get_input_embeddings().weight.data_ptr()


def transfer_model(
    source_model,
    source_tokenizer,
    target_tokenizer,
    initializer,
    data: TransferData | None = None,
):
    """Give ``source_model`` the vocabulary of ``target_tokenizer`` (in place; returns
    ``(model, TransferReport)``)."""
    start = time.perf_counter()
    old_in = source_model.get_input_embeddings().weight.detach().clone()
    out_layer = source_model.get_output_embeddings()
    tied = _tied(source_model)
    old_out = None if out_layer is None or tied else out_layer.weight.detach().clone()
    old_bias = None
    if out_layer is not None and getattr(out_layer, "bias", None) is not None:
        old_bias = out_layer.bias.detach().clone()
    if hasattr(initializer, "plan"):
        plan = initializer.plan(source_tokenizer, target_tokenizer, data)
        plan.source_size = old_in.shape[0]
        new_in = plan.apply(old_in)
        rows = plan.summary()
    else:  # a third-party initializer following only the protocol
        plan = None
        new_in = initializer.initialize(source_model, source_tokenizer, target_tokenizer, data)
        rows = {"initialized": int(new_in.shape[0])}
    n = len(target_tokenizer)
    if tuple(new_in.shape) != (n, old_in.shape[1]):
        raise XltError(f"initializer returned shape {tuple(new_in.shape)}, expected {(n, old_in.shape[1])}")
    source_model.resize_token_embeddings(n, mean_resizing=False)
    with torch.no_grad():
        source_model.get_input_embeddings().weight.copy_(new_in)
        out_layer = source_model.get_output_embeddings()
        if old_out is not None and out_layer is not None:
            out_layer.weight.copy_(plan.apply(old_out) if plan is not None else new_in)
        if old_bias is not None and out_layer is not None and getattr(out_layer, "bias", None) is not None:
            new_bias = plan.apply(old_bias) if plan is not None else torch.zeros(n, dtype=old_bias.dtype)
            out_layer.bias.copy_(new_bias)
    _resize_leftovers(source_model, old_in.shape[0], plan, n)
    if tied:
        source_model.tie_weights()
    _sync_config(source_model, target_tokenizer)
    cfg = getattr(initializer, "config", None)
    report = TransferReport(
        method=getattr(cfg, "method", type(initializer).__name__),
        config=cfg.to_dict() if hasattr(cfg, "to_dict") else {},
        source_vocab_size=int(old_in.shape[0]),
        target_vocab_size=n,
        rows=rows,
        tied=tied,
        seconds=time.perf_counter() - start,
    )
    return source_model, report


def _resize_leftovers(model, old_rows: int, plan, new_rows: int) -> None:
    """Vocabulary-sized parameters of the output head that ``resize_token_embeddings`` missed
    (e.g. XLM-R's ``lm_head.bias`` when the embeddings are untied) are rebuilt from the plan."""
    out_layer = model.get_output_embeddings()
    if out_layer is None or old_rows == new_rows:
        return
    names = {id(m): n for n, m in model.named_modules()}
    head = names.get(id(out_layer), "").rpartition(".")[0]
    if not head:
        return
    module = model.get_submodule(head)
    for attr, param in list(module.named_parameters(recurse=False)):
        if param.shape[0] == old_rows:
            old = param.detach()
            new = (
                plan.apply(old)
                if plan is not None
                else torch.zeros((new_rows, *old.shape[1:]), dtype=old.dtype)
            )
            setattr(module, attr, torch.nn.Parameter(new, requires_grad=param.requires_grad))


def _sync_config(model, tokenizer) -> None:
    """vocab_size and special-token ids in the config (and generation config) follow the tokenizer."""
    config = model.config
    config.vocab_size = len(tokenizer)
    for role in ("pad", "bos", "eos", "sep", "cls", "mask", "unk"):
        attr = f"{role}_token_id"
        value = getattr(tokenizer, attr, None)
        if value is not None and (hasattr(config, attr) or role in ("pad", "bos", "eos")):
            setattr(config, attr, int(value))
        gen = getattr(model, "generation_config", None)
        if gen is not None and value is not None and hasattr(gen, attr):
            setattr(gen, attr, int(value))
    text = config.get_text_config() if hasattr(config, "get_text_config") else None
    if text is not None and text is not config:
        text.vocab_size = len(tokenizer)


def save_transferred(model, tokenizer, out: str | Path, report: TransferReport | None = None) -> Path:
    """save_pretrained (safetensors) of model and tokenizer, plus ``vocab_transfer.yaml``."""
    import yaml

    from xlt.io.jsonio import to_jsonable

    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(path)
    if report is not None:
        atomic_write_text(
            path / "vocab_transfer.yaml",
            yaml.safe_dump(to_jsonable(report), sort_keys=False, allow_unicode=True),
        )
    return path
