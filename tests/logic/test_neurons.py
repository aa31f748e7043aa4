"""Logic semantics of the neurons and the network (eq-06-literal, eq-06-and, eq-06-or, eq-06-st)."""

import itertools

import numpy as np
import pytest
import torch

from paperbook.logic.network import NRN, layer_kinds
from paperbook.logic.neurons import LogicLayer, literals, neuron, st_clamp01


def boolean_inputs(k: int) -> torch.Tensor:
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=k)), dtype=torch.float64)  # (2^k, k)


@pytest.mark.parametrize("k", range(1, 7))
def test_unit_weights_give_boolean_and_or(k):
    x = boolean_inputs(k)
    w = torch.ones(k, dtype=torch.float64)
    lit = literals(x, w)
    assert torch.equal(neuron(lit, w, "and"), torch.tensor(np.all(x.numpy() == 1, 1), dtype=torch.float64))
    assert torch.equal(neuron(lit, w, "or"), torch.tensor(np.any(x.numpy() == 1, 1), dtype=torch.float64))


def test_negative_weight_reads_the_negated_input():
    x = torch.rand(100, 5, dtype=torch.float64)
    w = torch.randn(5, dtype=torch.float64)
    for kind in ("and", "or"):
        assert torch.allclose(neuron(literals(x, -w), -w, kind), neuron(literals(1 - x, w), w, kind), atol=1e-12)


def test_de_morgan():
    x = torch.rand(200, 6, dtype=torch.float64)
    w = torch.randn(6, dtype=torch.float64) * 2
    or_x = neuron(literals(x, w), w, "or")
    and_not_x = neuron(literals(1 - x, w), w, "and")
    assert torch.allclose(or_x, 1 - and_not_x, atol=1e-12)


def test_zero_weights_and_range():
    x = torch.rand(50, 4, dtype=torch.float64)
    zero = torch.zeros(4, dtype=torch.float64)
    assert torch.all(neuron(literals(x, zero), zero, "and") == 1)
    assert torch.all(neuron(literals(x, zero), zero, "or") == 0)
    for _ in range(20):
        w = (torch.rand(4, dtype=torch.float64) * 6 - 3)
        for kind in ("and", "or"):
            out = neuron(literals(x, w), w, kind)
            assert out.min() >= 0 and out.max() <= 1


def test_one_false_literal_forces_and_to_zero_when_weights_are_at_least_one():
    x = torch.tensor([[1.0, 1.0, 0.0]], dtype=torch.float64)
    w = torch.tensor([1.5, 1.0, 1.2], dtype=torch.float64)
    assert neuron(literals(x, w), w, "and").item() == 0.0


def test_straight_through_clamp_passes_gradients_when_saturated():
    for value in (-0.7, 1.8):
        w = torch.tensor([value], dtype=torch.float64, requires_grad=True)
        out = st_clamp01(w * 1.0)
        assert out.item() in (0.0, 1.0)
        out.backward()
        assert w.grad.item() != 0
    x = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    w = torch.tensor([2.0, 3.0], dtype=torch.float64, requires_grad=True)  # OR pre-clamp 5 > 1
    neuron(literals(x, w), w, "or").sum().backward()
    assert torch.all(w.grad != 0)


@pytest.mark.parametrize("kind", ["and", "or"])
def test_neurons_are_nondecreasing_in_every_literal(kind):
    g = torch.Generator().manual_seed(1)
    lit = torch.rand(300, 5, generator=g, dtype=torch.float64) * 0.98 + 0.01
    w = torch.randn(5, generator=g, dtype=torch.float64)
    h = 1e-4
    for i in range(5):
        bumped = lit.clone()
        bumped[:, i] += h
        diff = (neuron(bumped, w, kind) - neuron(lit, w, kind)) / h
        assert diff.min() >= -1e-7


def test_layer_index_is_a_k_subset_without_repeats():
    layer = LogicLayer(20, 8, 4, "and", n_channels=3, generator=torch.Generator().manual_seed(0))
    assert layer.index.shape == (3, 8, 4) and layer.weight.shape == (3, 8, 4)
    assert all(len(set(row.tolist())) == 4 for row in layer.index.reshape(-1, 4))
    assert layer.weight.abs().max() <= 0.2
    with pytest.raises(ValueError, match="k = 21"):
        LogicLayer(20, 8, 21, "and", generator=torch.Generator())


def test_layer_bounds_contain_the_forward_output_and_are_exact_at_points():
    g = torch.Generator().manual_seed(2)
    layer = LogicLayer(10, 6, 4, "or", n_channels=2, weight_init=1.5, generator=g).double()
    lo = torch.rand(1, 2, 10, generator=g, dtype=torch.float64) * 0.5
    hi = lo + torch.rand(1, 2, 10, generator=g, dtype=torch.float64) * 0.5
    b_lo, b_hi = layer.bounds(lo, hi)
    x = lo + (hi - lo) * torch.rand(1000, 2, 10, generator=g, dtype=torch.float64)
    out = layer(x)
    assert torch.all(out >= b_lo - 1e-12) and torch.all(out <= b_hi + 1e-12)
    p_lo, p_hi = layer.bounds(x[:5], x[:5])
    assert torch.equal(p_lo, layer(x[:5])) and torch.equal(p_hi, layer(x[:5]))


@pytest.mark.parametrize("form", ["cnf", "dnf"])
def test_network_bounds_are_sound(form):
    g = torch.Generator().manual_seed(3)
    net = NRN(12, (6, 5), normal_form=form, n_classes=2, weight_init=1.0, generator=g).double()
    lo = (torch.rand(1, 12, generator=g) < 0.3).double()
    hi = torch.maximum(lo, (torch.rand(1, 12, generator=g) < 0.6).double())
    b_lo, b_hi = net.bounds(lo, hi)
    x = lo + (hi - lo) * torch.rand(1000, 12, generator=g, dtype=torch.float64)
    y = net.truth(x)
    assert torch.all(y >= b_lo - 1e-12) and torch.all(y <= b_hi + 1e-12)
    p_lo, p_hi = net.bounds(x[:3], x[:3])
    assert torch.equal(p_lo, net.truth(x[:3])) and torch.equal(p_hi, net.truth(x[:3]))


def test_parameter_count_and_kinds():
    net = NRN(40, (8, 8), 4, 4, 4, generator=torch.Generator().manual_seed(0))
    assert net.n_params() == 68
    assert net.n_params(count_bandit=True) == 68 + 2 * 40
    assert [layer.kind for layer in net.layers] == ["or", "and", "or"] == layer_kinds("cnf", 2)
    assert layer_kinds("dnf", 2) == ["and", "or", "and"]
    with pytest.raises(ValueError, match="normal_form"):
        layer_kinds("xnf", 2)


def test_network_logits_are_finite_and_differentiable_when_saturated():
    net = NRN(6, (3, 3), 2, 2, 2, weight_init=3.0, generator=torch.Generator().manual_seed(0)).double()
    x = (torch.rand(64, 6) < 0.5).double()
    logits = net(x)
    assert torch.isfinite(logits).all()
    torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.ones_like(logits)).backward()
    assert any(p.grad.abs().sum() > 0 for p in net.parameters())
