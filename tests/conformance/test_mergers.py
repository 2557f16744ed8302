"""Conformance suite run over every registered merge method."""

from __future__ import annotations

import pytest
import torch

import xlt.merging  # noqa: F401  (registers the built-in methods)
from xlt.config import XltConfig
from xlt.merging.methods import mergers

EXAMPLE_OPTIONS = {"layer_swap": {"layers": ["0"]}, "ties": {"density": 0.5}}


def _state(seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return {
        "encoder.layer.0.weight": torch.randn(3, 4, generator=g),
        "encoder.layer.1.weight": torch.randn(3, 4, generator=g),
        "pooler.bias": torch.randn(4, generator=g),
        "position_ids": torch.arange(4),
    }


def _build(name: str):
    return mergers.build(name, dict(EXAMPLE_OPTIONS.get(name, {})))


@pytest.mark.parametrize("name", mergers.names())
def test_output_keys_shapes_dtypes_and_inputs_untouched(name):
    method = _build(name)
    states = [_state(1), _state(2)]
    copies = [{k: v.clone() for k, v in s.items()} for s in states]
    base = _state(0)
    out = method.merge(states, base=base if method.needs_base else None)
    assert set(out) == set(states[0])
    for k, v in out.items():
        assert v.shape == states[0][k].shape and v.dtype == states[0][k].dtype
    assert torch.equal(out["position_ids"], torch.arange(4))  # integer buffers are not averaged
    for s, c in zip(states, copies, strict=True):
        assert all(torch.equal(s[k], c[k]) for k in s)


@pytest.mark.parametrize("name", mergers.names())
def test_deterministic(name):
    method = _build(name)
    base = _state(0) if method.needs_base else None
    a = method.merge([_state(1), _state(2)], base=base)
    b = _build(name).merge([_state(1), _state(2)], base=base)
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("name", mergers.names())
def test_merging_identical_models_is_identity(name):
    method = _build(name)
    s = _state(3)
    out = method.merge([s, {k: v.clone() for k, v in s.items()}], base=s if method.needs_base else None)
    assert all(torch.allclose(out[k].float(), s[k].float()) for k in s)


@pytest.mark.parametrize("name", mergers.names())
def test_config_yaml_round_trip(name, tmp_path):
    cfg = _build(name).config
    assert isinstance(cfg, XltConfig)
    path = tmp_path / "merge.yaml"
    cfg.save_yaml(path)
    assert type(cfg).from_yaml(path) == cfg


@pytest.mark.parametrize("name", mergers.names())
def test_mismatched_keys_are_rejected(name):
    from xlt.errors import MismatchError

    method = _build(name)
    other = _state(2)
    del other["pooler.bias"]
    with pytest.raises(MismatchError):
        method.merge([_state(1), other], base=_state(0) if method.needs_base else None)


@pytest.fixture(scope="module")
def tiny_pair(tiny_model_dir, tmp_path_factory):
    """Two perturbed copies of the tiny masked LM (the base is the original)."""
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    root = tmp_path_factory.mktemp("mergers")
    out = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        model = AutoModelForMaskedLM.from_pretrained(tiny_model_dir)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.02)
        model.save_pretrained(root / str(seed))
        AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(root / str(seed))
        out.append(root / str(seed))
    return out


@pytest.mark.parametrize("name", mergers.names())
def test_merged_model_saves_and_reloads_identically(name, tiny_pair, tiny_model_dir, tmp_path):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from xlt.merging.models import merge_models

    method = _build(name)
    model, _ = merge_models(
        name,
        tiny_pair,
        config=method.config,
        base=tiny_model_dir if method.needs_base else None,
        out=tmp_path,
    )
    reloaded = AutoModelForMaskedLM.from_pretrained(tmp_path).eval()
    enc = AutoTokenizer.from_pretrained(tmp_path)(["Hitza zen ."], return_tensors="pt")
    with torch.no_grad():
        assert torch.equal(model.eval()(**enc).logits, reloaded(**enc).logits)
