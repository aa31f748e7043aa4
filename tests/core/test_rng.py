"""The seeding helper: named streams are reproducible, independent of each other and of the device."""

import numpy as np
import pytest
import torch

from paperbook.core.rng import int_seed, np_rng, rng


def test_the_same_keys_give_the_same_stream():
    assert torch.equal(torch.rand(5, generator=rng(0, "fig5", 30)), torch.rand(5, generator=rng(0, "fig5", 30)))
    assert np.array_equal(np_rng(3, "fig6").random(4), np_rng(3, "fig6").random(4))


def test_other_keys_or_seeds_give_other_streams():
    draws = {keys: tuple(torch.rand(3, generator=rng(*keys)).tolist())
             for keys in [(0, "fig5", 30), (0, "fig5", 100), (0, "fig3", 30), (1, "fig5", 30), (0, "fig5", 30, 0)]}
    assert len(set(draws.values())) == len(draws), "two keyed streams coincide"


def test_offsets_cannot_collide_as_hand_picked_ones_did():
    # seed + 5 + dim collided for (seed=50, dim=0) and (seed=0, dim=50); keyed streams do not
    assert int_seed(50, "fig5", 0) != int_seed(0, "fig5", 50)


def test_int_seed_range_and_bad_keys():
    assert all(0 <= int_seed(s, "k") < 2 ** 31 for s in range(50))
    with pytest.raises(TypeError):
        rng(0, -1)
    with pytest.raises(TypeError):
        rng(0, 1.5)
    with pytest.raises(ValueError):
        int_seed(-1)
