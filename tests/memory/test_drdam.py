"""MrDAM and DrDAM: energies, gradients, the clamp, storage by adding features, dynamics, data helpers."""

import math

import numpy as np
import pytest
import torch

from paperbook.memory.drdam import OFFICIAL_EPS, DrDAM, MrDAM, saturation_energy
from paperbook.memory.energy import descend, softmax_weights
from paperbook.memory.features import KINDS, FeatureConfig, RandomFeatureMap
from paperbook.memory.patterns import binarize, binary_patterns, hamming_fraction, occlude, scale_unit_distance


@pytest.fixture
def memories():
    return binary_patterns(40, 16, generator=torch.Generator().manual_seed(0))  # (K, D)


def drdam(xi, Y=2000, beta=5.0, kind="sincos", seed=0, device="cpu"):
    return DrDAM(RandomFeatureMap(FeatureConfig(xi.shape[1], Y, beta, kind=kind, seed=seed), device)).store(xi)


def test_mrdam_grad_matches_central_differences(memories):
    mr = MrDAM(memories, 7.0)
    x = torch.rand(3, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) / 4
    h = 1e-6
    fd = torch.stack([(mr.energy(x + h * e) - mr.energy(x - h * e)) / (2 * h)
                      for e in torch.eye(16, dtype=x.dtype)], -1)  # central differences, (n, D)
    assert torch.allclose(mr.grad(x), fd, rtol=1e-6, atol=1e-9)


def test_mrdam_energy_bounds(memories):
    """E(xi_mu) <= 0 at every memory and E(x) >= -log(K)/beta everywhere."""
    beta = 3.0
    mr = MrDAM(memories, beta)
    assert (mr.energy(memories) <= 0).all()
    x = torch.rand(50, 16, dtype=torch.float64)
    assert (mr.energy(x) >= -math.log(len(memories)) / beta - 1e-12).all()


def test_one_step_with_alpha_one_is_the_softmax_average(memories):
    mr = MrDAM(memories, 4.0)
    x = torch.rand(5, 16, dtype=torch.float64)
    stepped, _ = mr.descend(x, 1.0, 1)
    assert torch.allclose(stepped, softmax_weights(x, memories, 4.0) @ memories, atol=1e-12)


def test_mrdam_finite_at_beta_1000(memories):
    mr = MrDAM(memories, 1000.0)
    x = torch.rand(5, 16, dtype=torch.float64) + 3.0  # far from every memory
    assert torch.isfinite(mr.energy(x)).all() and torch.isfinite(mr.grad(x)).all()


@pytest.mark.parametrize("kind", KINDS)
def test_drdam_grad_matches_central_differences(memories, kind):
    dr = drdam(memories, Y=500, beta=2.0, kind=kind)
    x = memories[:3] + 0.01
    assert not dr.clamped(x).any()
    h = 1e-6
    fd = torch.stack([(dr.energy(x + h * e) - dr.energy(x - h * e)) / (2 * h)
                      for e in torch.eye(16, dtype=x.dtype)], -1)  # central differences, (n, D)
    assert torch.allclose(dr.grad(x), fd, rtol=1e-5, atol=1e-8)


def test_drdam_approximates_mrdam_near_memories(memories):
    dr, mr = drdam(memories, Y=20000), MrDAM(memories, 5.0)
    assert (dr.energy(memories) - mr.energy(memories)).abs().max() < 0.01
    assert (dr.grad(memories) - mr.grad(memories)).abs().mean() < 0.01


def test_clamped_queries_have_saturated_energy_and_zero_gradient():
    g = torch.Generator().manual_seed(0)
    xi = binary_patterns(5, 30, generator=g)
    dr = drdam(xi, Y=200, beta=200.0)  # spiky: random queries have a kernel sum far below the noise
    q = binary_patterns(200, 30, generator=g, unique=False)
    clamped = dr.clamped(q)
    assert clamped.any() and (~clamped).any()
    assert torch.allclose(dr.energy(q[clamped]), torch.full((int(clamped.sum()),), saturation_energy(200.0),
                                                                     dtype=torch.float64))
    assert (dr.grad(q[clamped]) == 0).all()
    assert (dr.grad(q[~clamped]).abs().sum(-1) > 0).all()
    assert dr.eps == OFFICIAL_EPS


@pytest.mark.parametrize("kind", ["exp", "expexp"])
def test_positive_maps_never_clamp(kind):
    g = torch.Generator().manual_seed(0)
    xi = binary_patterns(5, 30, generator=g)
    dr = drdam(xi, Y=200, beta=50.0, kind=kind)
    q = binary_patterns(100, 30, generator=g, unique=False)
    assert dr.eps == 0.0 and not dr.clamped(q).any() and (dr.similarity(q) > 0).all()


def test_dim_T_does_not_depend_on_K(memories):
    sizes = {drdam(memories[:k], Y=300).T.shape for k in (1, 10, 40)}
    assert sizes == {(600,)}


def test_add_equals_rebuild_and_remove_inverts_add(memories):
    full = drdam(memories)
    grown = drdam(memories[:-1])
    before = grown.T.clone()
    grown.add(memories[-1:])
    assert (grown.T - full.T).abs().max() <= 1e-12
    grown.remove(memories[-1:])
    assert (grown.T - before).abs().max() <= 1e-12


def test_descend_never_moves_clamped_coordinates(memories):
    q, visible = occlude(memories[:4], 0.5)
    for model in (MrDAM(memories, 5.0), drdam(memories)):
        out, energies = model.descend(q, 0.1, 20, clamp=visible, energy_fn=model.energy)
        assert torch.equal(out[:, visible], q[:, visible]) and not torch.equal(out, q)
        assert energies.shape == (21, 4)


def test_mrdam_energy_never_increases_along_small_steps(memories):
    mr = MrDAM(memories, 5.0)
    _, energies = mr.descend(torch.rand(6, 16, dtype=torch.float64) / 4, 0.05, 50, energy_fn=mr.energy)
    assert (energies[1:] <= energies[:-1] + 1e-12).all()


def test_descend_without_energy_returns_none(memories):
    _, energies = descend(memories[:2], lambda x: x, 0.1, 3)
    assert energies is None


def test_same_seed_same_features_different_seed_different(memories):
    x = memories[:3] + 0.05
    assert torch.equal(drdam(memories, seed=3).energy(x), drdam(memories, seed=3).energy(x))
    assert not torch.equal(drdam(memories, seed=3).energy(x), drdam(memories, seed=4).energy(x))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_float32_matches_cpu_float64(memories):
    cfg = FeatureConfig(16, 4000, 5.0)
    cpu = DrDAM(RandomFeatureMap(cfg, "cpu")).store(memories)
    gpu = DrDAM(RandomFeatureMap(cfg, "cuda", torch.float32)).store(memories.float().cuda())
    x = memories[:8] + 0.02
    assert torch.allclose(gpu.energy(x.float().cuda()).double().cpu(), cpu.energy(x), rtol=1e-4, atol=1e-5)


def test_binary_patterns_are_unique_and_scaled():
    p = binary_patterns(60, 6, generator=torch.Generator().manual_seed(0))  # 60 of 64 possible rows
    assert torch.unique(p, dim=0).shape[0] == 60
    assert set((p * math.sqrt(6)).unique().tolist()) == {0.0, 1.0}
    with pytest.raises(ValueError, match="distinct"):
        binary_patterns(65, 6, generator=torch.Generator())


def test_binarize_and_hamming():
    a = torch.tensor([[0.0, 0.5, 0.2, 0.26]])  # D = 4: threshold 0.25
    assert binarize(a).tolist() == [[False, True, False, True]]
    assert hamming_fraction(a, torch.zeros(1, 4)) == 0.5


def test_scale_unit_distance_bounds():
    m = np.arange(12.0).reshape(3, 4) - 5
    s = scale_unit_distance(m)
    assert s.min() == 0 and math.isclose(s.max(), 0.5)
    with pytest.raises(ValueError):
        scale_unit_distance(np.ones((2, 3)))


def test_occlude_zeroes_the_last_fraction():
    x = torch.ones(2, 10, dtype=torch.float64)
    q, visible = occlude(x, 0.3)
    assert visible.tolist() == [True] * 7 + [False] * 3
    assert (q[:, 7:] == 0).all() and (q[:, :7] == 1).all()
    with pytest.raises(ValueError):
        occlude(x, 1.0)


def test_matmul_distances_equal_difference_distances(memories):
    from paperbook.memory.energy import sq_distances, sq_distances_mm
    x = torch.rand(2, 7, 16, dtype=torch.float64)  # with a batch dimension, as chapter 02 uses
    assert torch.allclose(sq_distances_mm(x, memories), sq_distances(x, memories), atol=1e-14)
    assert (sq_distances_mm(memories, memories).diagonal() >= 0).all()


def test_sample_image_patches_are_rgb_tiles_with_the_bottom_last():
    from sklearn.datasets import load_sample_images

    from paperbook.memory.patterns import PATCH, image_shape, load_images, sample_image_patches
    tiles = sample_image_patches()
    assert tiles.shape == (2 * (427 // PATCH) * (640 // PATCH), PATCH * PATCH * 3)
    photo = load_sample_images().images[0]
    assert np.array_equal(tiles[1].reshape(image_shape(tiles.shape[1])), photo[:PATCH, PATCH:2 * PATCH])
    _, visible = occlude(torch.as_tensor(tiles[:1]), 0.5)
    visible = visible.reshape(PATCH, PATCH, 3)
    assert visible[: PATCH // 2].all() and not visible[PATCH // 2:].any()
    scaled = load_images("patches")
    assert scaled.min() >= 0 and math.isclose(scaled.max(), 1 / math.sqrt(tiles.shape[1]))
