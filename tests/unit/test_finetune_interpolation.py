"""xlt.finetuning.interpolation: WiSE-FT weight-space ensembles of a tuned model and its start."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")

from xlt.errors import MismatchError  # noqa: E402
from xlt.finetuning.interpolation import interpolate_with_start  # noqa: E402


def tagger(labels: list[str], fill: float) -> SimpleNamespace:
    """A stand-in task model: an encoder layer and a head with one row per label."""
    model = torch.nn.ModuleDict({"encoder": torch.nn.Linear(3, 3), "head": torch.nn.Linear(3, len(labels))})
    for param in model.parameters():
        torch.nn.init.constant_(param, fill)
    model.register_buffer("position_ids", torch.arange(3))
    return SimpleNamespace(model_=model, labels_=labels)


def test_weights_are_mixed_and_appended_head_rows_kept() -> None:
    start = tagger(["NOUN", "VERB"], 1.0)
    tuned = tagger(["NOUN", "VERB", "X"], 3.0)  # continued training appended a label
    counts = interpolate_with_start(tuned, start, 0.25)
    state = tuned.model_.state_dict()
    assert torch.allclose(state["encoder.weight"], torch.full((3, 3), 2.5))  # 0.75 * 3 + 0.25 * 1
    assert torch.allclose(state["head.weight"][:2], torch.full((2, 3), 2.5))
    assert torch.allclose(state["head.weight"][2], torch.full((3,), 3.0))  # only the tuned model has X
    assert torch.equal(state["position_ids"], torch.arange(3))  # integer buffers are kept
    assert counts == {"mixed_parameters": 4, "kept_parameters": 1}


def test_the_ends_and_bad_inputs() -> None:
    tuned = tagger(["NOUN"], 3.0)
    interpolate_with_start(tuned, tagger(["NOUN"], 1.0), 0.0)
    assert torch.allclose(tuned.model_.state_dict()["encoder.weight"], torch.full((3, 3), 3.0))
    interpolate_with_start(tuned, tagger(["NOUN"], 1.0), 1.0)
    assert torch.allclose(tuned.model_.state_dict()["encoder.weight"], torch.full((3, 3), 1.0))
    with pytest.raises(MismatchError, match="do not extend"):
        interpolate_with_start(tagger(["VERB", "NOUN"], 3.0), tagger(["NOUN", "VERB"], 1.0), 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        interpolate_with_start(tuned, tagger(["NOUN"], 1.0), 1.5)
