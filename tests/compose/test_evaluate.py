"""The universal evaluator against hand-written models, and the two bounds (P1, P2) on random instances."""

import pytest
import torch

from paperbook.compose import cdag as C
from paperbook.compose.evaluate import error_propagation, forward, lipschitz_tanh_processor, sensitivity_ratio
from paperbook.core.rng import rng

DIM = 4


def _processor(arity, lam=0.9, trials=3):
    return lipschitz_tanh_processor(DIM, arity, lam, trials=trials, generator=rng(0, "test", arity))


def test_processor_weights_have_spectral_norm_lambda():
    _, W = lipschitz_tanh_processor(6, 3, 1.7, trials=5, generator=rng(0, "w"))
    assert torch.linalg.matrix_norm(W, ord=2) == pytest.approx(torch.full((3, 5), 1.7, dtype=torch.float64), rel=1e-9)


def test_forward_on_the_chain_is_the_recurrent_loop():
    g, W = _processor(2)
    z = torch.randn(7, 3, DIM, dtype=torch.float64)  # (L, B, D)
    h = torch.tanh(torch.einsum("bij,bj->bi", W[1], z[0]))
    for t in range(1, 7):
        h = torch.tanh(torch.einsum("bij,bj->bi", W[0], h) + torch.einsum("bij,bj->bi", W[1], z[t]))
    out = forward(C.rnn_cdag(7), lambda zi, i: zi, g, lambda v: v, list(z))
    torch.testing.assert_close(out, h, atol=1e-12, rtol=0)


def test_forward_on_the_balanced_tree_is_the_recursion():
    g, W = _processor(2)
    z = torch.randn(8, 3, DIM, dtype=torch.float64)
    node = lambda a, b: torch.tanh(torch.einsum("bij,bj->bi", W[0], a) + torch.einsum("bij,bj->bi", W[1], b))
    rec = lambda lo, hi: z[lo] if hi - lo == 1 else node(rec(lo, (lo + hi) // 2), rec((lo + hi) // 2, hi))
    out = forward(C.tree_cdag(8), lambda zi, i: zi, g, lambda v: v, list(z))
    torch.testing.assert_close(out, rec(0, 8), atol=1e-12, rtol=0)


def test_forward_uses_the_encoder_with_positions_and_the_readout():
    d = C.transformer_cdag(3, 1)
    out = forward(d, lambda tok, i: torch.tensor([tok * 10.0 + i]), lambda args: sum(args), lambda v: 2 * v, [1, 2, 3])
    assert float(out) == 2 * (10 + 21 + 32)
    with pytest.raises(ValueError, match="3 sources"):
        forward(d, None, None, None, [1, 2])


DAGS = {"rnn": lambda: C.rnn_cdag(9), "tree": lambda: C.tree_cdag(9), "tf": lambda: C.transformer_cdag(6, 2),
        "causal": lambda: C.transformer_cdag(6, 3, causal=True), "cnn": lambda: C.cnn_cdag(9, 3, 2)}


@pytest.mark.parametrize("name", DAGS)
@pytest.mark.parametrize("lam", [0.5, 1.0, 1.5])
def test_p1_observed_sensitivity_never_exceeds_the_loi_bound(name, lam):
    table = sensitivity_ratio(DAGS[name](), DIM, lam, 1e-3, 100, generator=rng(0, "p1", name))
    assert table["max_ratio"].max() <= 1 + 1e-6 and (table["max_gain"] > 0).all()


def test_p1_is_tight_for_a_linear_chain_of_one_token():
    # one application tanh(W z), |W| = lam: among many instances some have W z near 0 (tanh ~ linear) and delta
    # near the top singular vector, where the bound is met
    table = sensitivity_ratio(C.rnn_cdag(1), 3, 0.8, 1e-6, 2000, generator=rng(0, "tight"))
    assert 0.9 < table["max_ratio"].max() <= 1 + 1e-6


@pytest.mark.parametrize("name", DAGS)
def test_p2_output_error_stays_under_eps_times_the_error_gain(name):
    table = error_propagation(DAGS[name](), DIM, 1.2, [1e-4, 1e-3, 1e-2], 50, generator=rng(0, "p2", name))
    assert (table["max_err"] <= table["bound"] * (1 + 1e-6)).all() and (table["max_err"] > 0).all()
    assert table["bound"].iloc[1] / table["bound"].iloc[0] == pytest.approx(10)


@pytest.mark.parametrize("name", DAGS)
@pytest.mark.parametrize("lam", [0.5, 1.3])
def test_both_bounds_are_met_exactly_by_a_linear_processor(name, lam):
    """g = lam * (sum of its arguments) moves every node by lam times its parents' moves, in one direction: a
    token moved by delta moves f by exactly |delta| LoI_i(lam), and one error vector added at every application
    moves f by exactly eps * error_gain. A wrong (too large or too small) LoI or gain fails here."""
    d, dim = DAGS[name](), 3
    linear = lambda args: lam * sum(a for a in args if a is not None)
    z = torch.randn(d.L, dim, dtype=torch.float64)
    f = lambda values, g=linear: forward(d, lambda zi, i: zi, g, lambda v: v, list(values))
    u = torch.tensor([0.6, 0.0, 0.8], dtype=torch.float64)  # a unit vector
    bound = C.loi(d, lam)
    for i in range(d.L):
        moved = z.clone()
        moved[i] += 1e-3 * u
        assert float(torch.linalg.vector_norm(f(moved) - f(z))) == pytest.approx(1e-3 * bound[i], rel=1e-9)
    noisy = f(z, lambda args: linear(args) + 1e-3 * u)
    assert float(torch.linalg.vector_norm(noisy - f(z))) == pytest.approx(1e-3 * C.error_gain(d, lam), rel=1e-9)
