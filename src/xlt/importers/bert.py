"""Convert an E5S1 image into a Hugging Face ``BertModel`` directory (safetensors + tokenizer).

The image's tensors map one to one onto ``transformers``' BERT (Devlin et al. 2019):
embeddings (word, position, token type, LayerNorm) and per layer query/key/value,
attention output, intermediate and output dense layers with their two LayerNorms.
Q4_0 weights are dequantized exactly into float32. The image has no pooler, so none is
written (``AutoModel`` initialises one and says so; token classification never uses it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlt.errors import XltError
from xlt.importers.e5s1 import E5S1Image, read_image
from xlt.importers.unigram import build_unigram_tokenizer

IMPORT_FILE = "xlt_import.json"

#: (image name, BERT module path, "square" | "up" | "down") per layer
_LAYER_LINEAR = (
    ("q", "attention.self.query", "square"),
    ("k", "attention.self.key", "square"),
    ("v", "attention.self.value", "square"),
    ("ao", "attention.output.dense", "square"),
    ("fi", "intermediate.dense", "up"),
    ("fo", "output.dense", "down"),
)
_LAYER_NORMS = (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm"))


class OutputExistsError(XltError):
    """The output directory already exists and overwriting was not asked for."""


@dataclass
class ConversionResult:
    """What :func:`convert_image` wrote."""

    out_dir: Path
    image: Path
    sha256: str
    config: dict[str, Any]
    vocab_size: int
    parameters: int
    checks: dict[str, Any] = field(default_factory=dict)


def bert_state_dict(image: E5S1Image) -> dict[str, Any]:
    """The image's tensors under ``BertModel`` state-dict names (float32 torch tensors)."""
    import torch

    h = image.header
    hidden, ffn = h.hidden_size, h.intermediate_size
    shapes = {"square": (hidden, hidden), "up": (ffn, hidden), "down": (hidden, ffn)}
    named = {
        "embeddings.word_embeddings.weight": ("emb.word", (h.vocab_rows, hidden)),
        "embeddings.position_embeddings.weight": ("emb.pos", (h.max_positions, hidden)),
        "embeddings.token_type_embeddings.weight": ("emb.type", (h.type_vocab_size, hidden)),
        "embeddings.LayerNorm.weight": ("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": ("emb.ln.b", (hidden,)),
    }
    for layer in range(h.num_layers):
        prefix = f"encoder.layer.{layer}."
        for short, module, kind in _LAYER_LINEAR:
            shape = shapes[kind]
            named[f"{prefix}{module}.weight"] = (f"l{layer}.{short}.w", shape)
            named[f"{prefix}{module}.bias"] = (f"l{layer}.{short}.b", (shape[0],))
        for short, module in _LAYER_NORMS:
            named[f"{prefix}{module}.weight"] = (f"l{layer}.{short}.w", (hidden,))
            named[f"{prefix}{module}.bias"] = (f"l{layer}.{short}.b", (hidden,))
    return {key: torch.from_numpy(image.tensor(name, shape).copy()) for key, (name, shape) in named.items()}


def bert_config(image: E5S1Image):
    from transformers import BertConfig

    h = image.header
    return BertConfig(
        vocab_size=h.vocab_rows,
        hidden_size=h.hidden_size,
        num_hidden_layers=h.num_layers,
        num_attention_heads=h.num_heads,
        intermediate_size=h.intermediate_size,
        hidden_act="gelu",
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab_size,
        layer_norm_eps=h.layer_norm_eps,
        pad_token_id=image.pad_id,
        bos_token_id=image.bos_id,
        eos_token_id=image.eos_id,
        architectures=["BertModel"],
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def convert_image(
    image_path: str | Path,
    out_dir: str | Path,
    *,
    overwrite: bool = False,
    card: str | None = None,
    provenance: dict[str, Any] | None = None,
    finish: Callable[[ConversionResult], None] | None = None,
) -> ConversionResult:
    """Write the image at ``image_path`` as a ``save_pretrained`` directory ``out_dir``.

    The directory is built beside ``out_dir`` and renamed into place, so an interrupted
    conversion never leaves a half-written model. ``card`` is the model card (README.md);
    ``provenance`` is stored in ``xlt_import.json`` with the image's sha256. ``finish`` is
    called on the complete staging directory before it is moved into place (checks, card).
    """
    from transformers import BertModel

    out = Path(out_dir).expanduser()
    if out.exists() and not overwrite:
        raise OutputExistsError(
            f"{out} already exists", hint="choose another --out, or pass --overwrite to replace it"
        )
    image = read_image(image_path)
    sha = file_sha256(image.path)
    config = bert_config(image)
    model = BertModel(config, add_pooling_layer=False)
    state = bert_state_dict(image)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:  # a mapping bug, not a user error
        raise XltError(f"state dict mismatch: missing {missing[:5]}, unexpected {unexpected[:5]}")
    tokenizer = build_unigram_tokenizer(
        image.pieces,
        image.scores,
        normalization=image.normalization,
        bos_id=image.bos_id,
        eos_id=image.eos_id,
        pad_id=image.pad_id,
        unk_id=image.unk_id,
        model_max_length=image.header.max_positions,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        params = sum(p.numel() for p in model.parameters())
        meta = {
            "image": str(image.path),
            "image_sha256": sha,
            "image_version": image.header.version,
            "dequantized_from": "Q4_0 (4-bit) weights, float32 layer norms, biases and position embeddings",
            "parameters": params,
            **(provenance or {}),
        }
        (staging / IMPORT_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
        if card:
            (staging / "README.md").write_text(card, encoding="utf-8")
        result = ConversionResult(
            out_dir=staging,
            image=image.path,
            sha256=sha,
            config=config.to_dict(),
            vocab_size=len(image.pieces),
            parameters=params,
        )
        if finish is not None:
            finish(result)
        apply_umask(staging)
        move_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.out_dir = out
    return result


def apply_umask(root: Path) -> None:
    """Give ``root`` and its files the modes a plain mkdir/open would (mkdtemp uses 0700)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    root.chmod(0o777 & ~mask)
    for path in root.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)


def move_into_place(staging: Path, out: Path) -> None:
    """Rename the finished ``staging`` directory to ``out`` (replacing an old ``out``)."""
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
