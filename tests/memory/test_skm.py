"""SKM / DCEC clustering layer: assignment and target invariants, and behaviour on easy data."""

import numpy as np
import pytest
import torch

from paperbook.memory.cluster_data import load_clustering
from paperbook.memory.cluster_eval import evaluate
from paperbook.memory.skm import dcec_soft_kmeans, sharpened_target, skm_grid, student_t_assignments


def _toy(device):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20, 3, generator=g, dtype=torch.float64).to(device)
    mu = torch.randn(4, 3, generator=g, dtype=torch.float64).to(device)
    return x, mu


def test_student_t_rows_are_distributions_and_match_formula(device):
    x, mu = _toy(device)
    q = student_t_assignments(x, mu)
    assert torch.allclose(q.sum(1), torch.ones(20, dtype=q.dtype, device=device))
    manual = 1.0 / (1.0 + ((x[0] - mu) ** 2).sum(1))
    assert torch.allclose(q[0], manual / manual.sum())


def test_target_is_a_sharper_distribution(device):
    x, mu = _toy(device)
    q = student_t_assignments(x, mu)
    p = sharpened_target(q)
    entropy = lambda d: -(d * d.log()).sum(1)  # noqa: E731
    assert torch.allclose(p.sum(1), torch.ones(20, dtype=p.dtype, device=device))
    assert (entropy(p) < entropy(q)).all()


def test_bad_arguments_raise():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError):
        dcec_soft_kmeans(X, 2, update_interval=0)
    with pytest.raises(ValueError):
        dcec_soft_kmeans(X, 2, update_interval=1, init="median")


def test_blobs_are_recovered_and_grid_has_one_row_per_interval():
    X, y, k = load_clustering("blobs")
    assert evaluate(X, dcec_soft_kmeans(X, k, update_interval=10), y)["nmi"] >= 0.99
    grid = skm_grid(X, k, y, update_intervals=[1, 10])
    assert list(grid["update_interval"]) == [1, 10] and (grid["n_nonempty"] == k).all()
