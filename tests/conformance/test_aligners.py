"""Every registered aligner honours the WordAligner contract."""

import pytest

from xlt.alignment import WordAligner, aligners
from xlt.config import MethodConfig
from xlt.types import Alignment, SentencePair

PAIRS = [
    SentencePair(("the", "house"), ("das", "haus")),
    SentencePair(("a", "small", "house"), ("ein", "kleines", "haus")),
    SentencePair(("the", "car"), ("das", "auto")),
] * 4


def _config(name, tiny_model_dir):
    if name == "eflomal":
        pytest.importorskip("eflomal")
        return {"rel_iterations": 0.05, "n_samplers": 1}
    if name == "embedding":
        return {"model": str(tiny_model_dir), "layer": -1}
    if name == "hybrid":
        pytest.importorskip("eflomal")
        return {"model": str(tiny_model_dir), "eflomal": {"rel_iterations": 0.05, "n_samplers": 1}}
    return {}


@pytest.mark.parametrize("name", aligners.names())
def test_aligner_contract(name, tiny_model_dir):
    entry = aligners.entry(name)
    assert entry.reference and entry.description
    assert issubclass(entry.config, MethodConfig)
    aligner = aligners.build(name, _config(name, tiny_model_dir))
    assert isinstance(aligner, WordAligner)
    out = aligner.align(PAIRS[:5], extra=PAIRS[5:])
    assert len(out) == 5
    for pair, a in zip(PAIRS[:5], out, strict=True):
        assert isinstance(a, Alignment)
        assert all(0 <= i < len(pair.src) and 0 <= j < len(pair.tgt) for i, j in a.sure)
    assert aligner.align([]) == []


@pytest.mark.parametrize("name", aligners.names())
def test_symmetrize_is_configurable(name):
    cfg = aligners.config_class(name)
    assert "symmetrize" in cfg.model_fields
