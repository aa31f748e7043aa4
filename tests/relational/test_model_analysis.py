"""The grid transformer (shapes, NoPE permutation invariance, determinism) and the alignment statistics."""

import numpy as np
import pytest
import torch
from scipy.spatial.distance import pdist

from paperbook.relational import analysis, lst, pe
from paperbook.relational.model import GridTransformer, GridTransformerConfig
from paperbook.relational.train import accuracy, predict, train


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_logits_shape_for_every_encoding():
    tokens = torch.rand(3, 16, 5, dtype=torch.float64)
    for kind in ("learn", "sin1d", "sin2d", "nope", "rope", "relative2d"):
        for every in (False, True):
            model = GridTransformer(GridTransformerConfig(pe=kind, d=16, heads=2, pe_every_block=every), seed=0)
            assert model.double()(tokens).shape == (3, 4)


def test_without_positions_the_output_ignores_the_order_of_cells_0_to_14():
    model = GridTransformer(GridTransformerConfig(pe="nope", d=16), seed=0).double().eval()
    tokens = torch.rand(4, 16, 5, dtype=torch.float64)
    perm = torch.cat([torch.randperm(15, generator=torch.Generator().manual_seed(2)), torch.tensor([15])])
    assert torch.allclose(model(tokens), model(tokens[:, perm]), atol=1e-6)
    learned = GridTransformer(GridTransformerConfig(pe="learn", sigma=1.0, d=16), seed=0).double().eval()
    assert not torch.allclose(learned(tokens), learned(tokens[:, perm]), atol=1e-6)


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="unknown positional encoding"):
        GridTransformerConfig(pe="alibi")
    with pytest.raises(ValueError, match="divisible"):
        GridTransformerConfig(d=30, heads=4)


RATIO = 17.87  # movement ratio sigma 0.1 / sigma 1.0 of _short_run, pinned from its first run (float64, snapped)


def _short_run(sigma):
    data = lst.make_lst(600, (3, 7), rng=np.random.default_rng(0))
    model = GridTransformer(GridTransformerConfig(pe="learn", sigma=sigma, d=16), seed=0)
    p0 = model.table.detach().clone()
    train(model, data, epochs=20, lr=3e-3, batch=64, weight_decay=0.0, generator=torch.Generator().manual_seed(0))
    return model, data, analysis.pe_movement(p0, model.table.detach())


def test_training_is_deterministic_and_a_small_table_moves_more_than_a_large_one():
    small, data, moved_small = _short_run(0.1)
    again, _, moved_again = _short_run(0.1)
    _, _, moved_large = _short_run(1.0)
    assert moved_small == moved_again
    assert accuracy(data, predict(small, data)) == accuracy(data, predict(again, data))
    assert moved_small / moved_large == pytest.approx(RATIO, rel=0.1)


def test_alignment_statistics():
    g = torch.Generator().manual_seed(0)
    random = torch.randn(16, 32, generator=g, dtype=torch.float64)
    assert all(abs(v) < 0.3 for v in analysis.grid_alignment(random).values())
    coords = torch.as_tensor(analysis.grid_coordinates())
    one_hot = torch.cat([torch.nn.functional.one_hot(coords[:, 0].long(), 4),
                         torch.nn.functional.one_hot(coords[:, 1].long(), 4)], 1).double()  # row and column codes
    a = analysis.grid_alignment(one_hot)
    assert a["rho_rowcol"] > 0.95 and a["rho_manh"] > 0.5
    mixed = torch.cat([one_hot, 0.3 * torch.randn(16, 4, generator=g, dtype=torch.float64)], 1)  # no tied distances
    q, _ = torch.linalg.qr(torch.randn(12, 12, generator=g, dtype=torch.float64))
    assert analysis.grid_alignment(3.0 * mixed @ q) == pytest.approx(analysis.grid_alignment(mixed), abs=1e-9)
    with pytest.raises(ValueError, match="16 rows"):
        analysis.grid_alignment(torch.zeros(15, 4))


def test_null_and_mds_shapes():
    null = analysis.random_pe_null(32, 20, generator=torch.Generator().manual_seed(0))
    assert null.shape == (20, 2) and np.abs(null).max() < 0.5
    xy = analysis.pe_mds(pe.sinusoidal_2d(4, 4, 32))
    assert xy.shape == (16, 2) and np.allclose(xy.mean(0), 0, atol=1e-9)
    grid = analysis.grid_coordinates() - analysis.grid_coordinates().mean(0)
    assert np.corrcoef(pdist(xy), pdist(grid))[0, 1] > 0.9  # the 2D sinusoid's picture is the grid
