"""The bandit's policy (eq-06-ucb), its rewards and the prune-and-regrow of the input layer."""

import numpy as np
import pytest
import torch
from scipy.stats import chisquare

from paperbook.logic.bandit import BanditPolicy, prune_and_regrow, rewards_class
from paperbook.logic.neurons import LogicLayer


def layer(n_in=30, n_out=8, k=4, channels=2, seed=0) -> LogicLayer:
    return LogicLayer(n_in, n_out, k, "or", n_channels=channels, generator=torch.Generator().manual_seed(seed))


def test_probs_are_a_distribution_and_follow_the_ucb_scores():
    policy = BanditPolicy(10, 2)
    r = np.random.default_rng(0)
    for _ in range(5):
        policy.update(r.uniform(size=(2, 10)))
    p = policy.probs()
    assert (p >= 0).all() and np.allclose(p.sum(1), 1, atol=1e-6)
    u = policy.scores()
    assert np.array_equal(np.argsort(p[0]), np.argsort(u[0]))
    h = np.stack(policy.history[0])
    assert np.allclose(u[0], h.mean(0) + 1.5 * h.std(0) / np.sqrt(len(h)))


def test_prior_and_validation():
    policy = BanditPolicy(4, 1)
    policy.init_prior(np.array([[0.0, 0.1, 0.9, 1.0]]))
    assert np.argmax(policy.probs()[0]) == 3
    with pytest.raises(ValueError, match="\\[0, 1\\]"):
        policy.init_prior(np.array([[0.0, 2.0, 0.0, 0.0]]))


def test_rewards_sum_the_important_weights_of_each_predicate():
    lay = layer()
    r = rewards_class(lay, 0.5)
    a = lay.weight.detach().abs().numpy()
    for c in range(2):
        important = a[c] >= np.quantile(a[c], 0.5)
        assert np.isclose(r[c].sum(), a[c][important].sum())
        j = lay.index[c][torch.as_tensor(important)][0].item()
        assert r[c, j] > 0


@pytest.mark.parametrize("q", [0.3, 0.5])
def test_prune_cuts_the_q_quantile_and_keeps_survivors_bit_identical(q):
    lay = layer()
    w0, idx0 = lay.weight.detach().clone(), lay.index.clone()
    policy = BanditPolicy(30, 2)
    n = prune_and_regrow(lay, policy, quantile=q, rng=np.random.default_rng(0))
    per_class = w0[0].numel()
    assert abs(n - 2 * int(q * per_class)) <= 2  # floor(q n) per class, +-1 for the quantile's interpolation
    for c in range(2):
        a = w0[c].abs()
        kept = a > torch.quantile(a, q)
        assert torch.equal(lay.weight.detach()[c][kept], w0[c][kept])
        assert torch.equal(lay.index[c][kept], idx0[c][kept])
        assert lay.weight.detach()[c][~kept].abs().max() <= 0.05
    assert all(len(set(row.tolist())) == 4 for row in lay.index.reshape(-1, 4))  # no input twice in a neuron


def test_delta_lowers_the_draws_of_surviving_predicates():
    policy = BanditPolicy(20, 1)
    exclude = np.zeros((1, 20), bool)
    exclude[0, :10] = True
    r = np.random.default_rng(0)
    draws = r.choice(20, size=10_000, p=policy.probs(exclude, delta=2.0)[0])
    counts = np.bincount(draws, minlength=20)
    assert counts[:10].sum() < counts[10:].sum()
    expected = np.r_[np.full(10, 1 / 30), np.full(10, 2 / 30)] * 10_000
    assert chisquare(counts, expected).pvalue > 0.01  # draws follow the delta-divided policy...
    assert chisquare(counts).pvalue < 0.01  # ...and not the uniform one


def test_regrow_flips_the_sign_of_a_predicate_that_survives():
    seen = set()
    for seed in range(20):
        lay = LogicLayer(3, 2, 2, "or", generator=torch.Generator().manual_seed(0)).double()
        with torch.no_grad():
            lay.index.copy_(torch.tensor([[[0, 1], [1, 2]]]))
            # neuron 1 is cut; predicates 0 and 1 survive with positive weights
            lay.weight.copy_(torch.tensor([[[0.9, 0.8], [0.01, 0.02]]], dtype=torch.float64))
        prune_and_regrow(lay, BanditPolicy(3, 1), quantile=0.5, rng=np.random.default_rng(seed))
        assert lay.weight[0, 0].tolist() == [0.9, 0.8]
        for j, w in zip(lay.index[0, 1].tolist(), lay.weight[0, 1].tolist()):
            assert (w < 0) == (j in (0, 1)), (j, w)  # a survivor comes back negated, predicate 2 keeps its sign
            seen.add(j)
    assert seen == {0, 1, 2}
    with pytest.raises(ValueError, match="regrow_weight_max"):
        prune_and_regrow(lay, BanditPolicy(3, 1), regrow_weight_max=0.0, rng=np.random.default_rng(0))
