"""Golden checkpoint / seed averaging with known tensors, and the oracle label."""

from __future__ import annotations

import pytest
import torch

from xlt.finetuning.averaging import average_saved_models, checkpoint_averaging_callback, load_weights
from xlt.finetuning.selection import best_checkpoint_callback, load_trainable_state, selection_label


class _State:
    def __init__(self, step: int, max_steps: int) -> None:
        self.global_step, self.max_steps = step, max_steps


def _model_with(value: float) -> torch.nn.Module:
    m = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        m.weight.fill_(value)
    return m


@pytest.mark.parametrize(("mode", "expected"), [("all", 2.5), ("last-k", 3.5)])
def test_checkpoint_average_golden(mode, expected):
    cb = checkpoint_averaging_callback(mode, every=1, k=2)
    model = torch.nn.Linear(2, 2, bias=False)
    for step, value in enumerate([1.0, 2.0, 3.0, 4.0], start=1):
        with torch.no_grad():
            model.weight.fill_(value)
        cb.on_step_end(None, _State(step, 4), None, model=model)
    avg = cb.average()
    assert torch.equal(avg["weight"], torch.full((2, 2), expected))
    assert list(cb.steps) == ([1, 2, 3, 4] if mode == "all" else [3, 4])


def test_average_known_matrices_exactly():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = torch.tensor([[3.0, 2.0], [1.0, 0.0]])
    cb = checkpoint_averaging_callback("all", every=None)
    m = torch.nn.Linear(2, 2, bias=False)
    for t in (a, b):
        with torch.no_grad():
            m.weight.copy_(t)
        cb.on_save(None, _State(1 if t is a else 2, 2), None, model=m)
    assert torch.equal(cb.average()["weight"], torch.tensor([[2.0, 2.0], [2.0, 2.0]]))


def test_best_checkpoint_keeps_best_snapshot():
    scores = iter([0.2, 0.9, 0.5])
    cb = best_checkpoint_callback("source-dev", lambda model: next(scores), every=2)
    model = torch.nn.Linear(2, 2, bias=False)
    for step in range(1, 7):
        with torch.no_grad():
            model.weight.fill_(float(step))
        cb.on_step_end(None, _State(step, 6), None, model=model)
    assert cb.best_step == 4 and cb.history == [(2, 0.2), (4, 0.9), (6, 0.5)]
    load_trainable_state(model, cb.best_state)
    assert torch.equal(model.weight, torch.full((2, 2), 4.0))


def test_selection_labels():
    assert selection_label("target-dev") == "oracle"
    assert selection_label("target-dev:swa") == "oracle"
    assert selection_label("source-dev") == "source-dev"


def test_average_saved_models_across_seeds(tmp_path):
    from safetensors.torch import save_file

    dirs = []
    for i, value in enumerate((1.0, 3.0)):
        d = tmp_path / f"seed{i}"
        d.mkdir()
        save_file({"w": torch.full((2, 2), value), "pos": torch.arange(3)}, str(d / "model.safetensors"))
        (d / "config.json").write_text("{}")
        dirs.append(d)
    out = average_saved_models(dirs, tmp_path / "avg")
    weights = load_weights(out)
    assert torch.equal(weights["w"], torch.full((2, 2), 2.0))
    assert torch.equal(weights["pos"], torch.arange(3))  # integer buffers are copied, not averaged
    assert (out / "config.json").exists()
