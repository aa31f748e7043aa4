"""Snapping parameters to a grid: exact multiples, idempotent, and the step sizes we take survive it."""

import torch

from paperbook.core.numerics import GRID, snap, snap_


def test_snap_rounds_to_multiples_of_the_grid_and_is_idempotent():
    t = torch.randn(100, dtype=torch.float64)
    s = snap(t)
    assert torch.equal(snap(s), s) and torch.equal(s / GRID, torch.round(s / GRID))
    assert (s - t).abs().max() <= GRID / 2


def test_last_bit_noise_is_absorbed_but_a_small_step_is_not():
    p = snap(torch.randn(1000, dtype=torch.float64))
    assert torch.equal(snap(p * (1 + 1e-15)), p), "float noise on O(1) parameters vanishes"
    assert torch.all(snap(p + 1e-6) != p), "the smallest learning rate's step survives"


def test_snap_in_place():
    params = [torch.nn.Parameter(torch.tensor([0.1, 0.2], dtype=torch.float64))]
    snap_(params)
    assert torch.equal(params[0].data, snap(torch.tensor([0.1, 0.2], dtype=torch.float64)))
