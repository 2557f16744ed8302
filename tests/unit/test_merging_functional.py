"""Golden tests for the tensor-level merge operations on tiny hand-computed tensors."""

from __future__ import annotations

import pytest
import torch

from xlt.errors import ConfigError, MismatchError
from xlt.merging import linear_combination, task_arithmetic, ties_merge, trim_top_k
from xlt.merging.methods import LayerSwap, LayerSwapConfig, parse_layers


def test_linear_combination_golden():
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    b = torch.tensor([[5.0, 6.0], [7.0, 8.0]])
    assert torch.equal(linear_combination([a, b], [0.5, 2.0]), torch.tensor([[10.5, 13.0], [15.5, 18.0]]))
    assert torch.allclose(
        linear_combination([a, b], [1.0, 3.0], normalize=True), torch.tensor([[4.0, 5.0], [6.0, 7.0]])
    )


def test_task_arithmetic_golden():
    base = torch.tensor([1.0, 1.0, 1.0])
    t1 = torch.tensor([2.0, 1.0, 0.0])  # delta (1, 0, -1)
    t2 = torch.tensor([1.0, 3.0, 1.0])  # delta (0, 2, 0)
    out = task_arithmetic(base, [t1, t2], [1.0, 0.5])
    assert torch.allclose(out, torch.tensor([2.0, 2.0, 0.0]))
    # λ = 1 for a single model gives that model back
    assert torch.allclose(task_arithmetic(base, [t1], [1.0]), t1)


def test_trim_top_k_keeps_largest_magnitudes():
    d = torch.tensor([0.1, -3.0, 0.5, 2.0, -0.2])
    assert torch.equal(trim_top_k(d, 0.4), torch.tensor([0.0, -3.0, 0.0, 2.0, 0.0]))
    assert torch.equal(trim_top_k(d, 1.0), d)
    with pytest.raises(MismatchError):
        trim_top_k(d, 0.0)


def test_ties_golden():
    base = torch.zeros(4)
    # task vectors (base is zero): trimmed to the top 50% by magnitude each
    t1 = torch.tensor([3.0, -1.0, 2.0, 0.1])  # trimmed -> [3, 0, 2, 0]
    t2 = torch.tensor(
        [-1.0, 4.0, 1.0, 0.2]
    )  # trimmed -> [0, 4, 1, 0]   (|-1| = |1| tie: both kept, 3 entries)
    t3 = torch.tensor([-2.0, -5.0, 0.0, 0.3])  # trimmed -> [-2, -5, 0, 0]
    out = ties_merge(base, [t1, t2, t3], [1.0, 1.0, 1.0], density=0.5)
    # t2 keeps [-1, 4, 1, 0] (tie at threshold 1). entry 0: sum 3-1-2=0 -> sign 0 -> nothing agrees -> 0
    # entry 1: sum 4-5=-1 -> negative: mean of {-5} = -5; entry 2: 2+1 -> positive: mean(2,1) = 1.5; entry 3: 0
    assert torch.allclose(out, torch.tensor([0.0, -5.0, 1.5, 0.0]))
    # count majority: entry 0 has signs (+, -, -) -> negative: mean(-1, -2) = -1.5;
    # entry 1 has one + and one - -> sign 0 -> 0
    out_count = ties_merge(base, [t1, t2, t3], [1.0, 1.0, 1.0], density=0.5, majority="count")
    assert torch.allclose(out_count, torch.tensor([-1.5, 0.0, 1.5, 0.0]))


def test_ties_density_one_and_agreeing_signs_is_mean_of_deltas():
    base = torch.tensor([1.0, 1.0])
    t1 = torch.tensor([2.0, 3.0])
    t2 = torch.tensor([4.0, 1.0])
    out = ties_merge(base, [t1, t2], [1.0, 1.0], density=1.0)
    # deltas (1,2),(3,0): entry0 mean(1,3)=2; entry1 only t1 non-zero -> 2
    assert torch.allclose(out, torch.tensor([3.0, 3.0]))


def test_shape_mismatch_is_clear():
    with pytest.raises(MismatchError, match="shapes"):
        task_arithmetic(torch.zeros(2), [torch.zeros(3)], [1.0])


def test_parse_layers():
    assert parse_layers(["0-2", "7"]) == {0, 1, 2, 7}
    with pytest.raises(ConfigError):
        parse_layers(["3-1"])
    with pytest.raises(ConfigError):
        parse_layers(["top"])


def test_layer_swap_golden():
    recv = {
        "emb.weight": torch.zeros(2),
        "encoder.layer.0.w": torch.zeros(2),
        "encoder.layer.1.w": torch.zeros(2),
        "encoder.layer.11.w": torch.zeros(2),
        "head.w": torch.zeros(2),
    }
    donor = {k: torch.ones(2) for k in recv}
    out = LayerSwap(LayerSwapConfig(layers=["1"], include=["emb.*"])).merge([recv, donor])
    taken = {k for k, v in out.items() if v.sum() == 2}
    assert taken == {"emb.weight", "encoder.layer.1.w"}  # layer 11 is not layer 1
    with pytest.raises(ConfigError, match="selected no parameters"):
        LayerSwap(LayerSwapConfig(layers=["5"])).merge([recv, donor])
