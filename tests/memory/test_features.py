"""Random feature maps: unbiasedness, the SinCos variance law, exact invariants, chunking, the VJP."""

import math

import pytest
import torch

from paperbook.memory.features import KINDS, FeatureConfig, RandomFeatureMap, draw_frequencies, rbf_kernel
from paperbook.memory.patterns import binary_patterns, flip_bits


def fmap(dim=8, Y=1000, beta=1.0, kind="sincos", seed=0, device="cpu", **kw):
    return RandomFeatureMap(FeatureConfig(dim, Y, beta, kind=kind, seed=seed, **kw), device)


def test_sincos_features_have_unit_norm(device):
    x = torch.rand(20, 8, dtype=torch.float64, device=device)
    norms = (fmap(device=device)(x) ** 2).sum(-1)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-12)


def test_sincos_bias_cancels_exactly():
    x, y = torch.rand(6, 8, dtype=torch.float64), torch.rand(5, 8, dtype=torch.float64)
    with_bias, without = fmap(bias=True).kernel(x, y), fmap(bias=False).kernel(x, y)
    assert torch.allclose(with_bias, without, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_each_map_is_unbiased(kind):
    """Mean of 200 independent estimates (beta=1, D=8, Y=1000) within 4 standard errors of kappa."""
    g = torch.Generator().manual_seed(1)
    x, y = (torch.rand(1, 8, generator=g, dtype=torch.float64) * 0.5 for _ in range(2))
    kappa = float(rbf_kernel(x, y, 1.0))
    est = torch.tensor([float(fmap(kind=kind, seed=s).kernel(x, y)) for s in range(200)])
    se = float(est.std()) / math.sqrt(len(est))
    assert abs(float(est.mean()) - kappa) <= 4 * se, (kind, float(est.mean()), kappa, se)


def test_sincos_variance_law():
    """D=30, beta=10, one random binary pair: mean within 4 SE of kappa; SD within 20% of (1 - kappa^2)/sqrt(2Y);
    SD falls by ~2 when Y grows 4x."""
    g = torch.Generator().manual_seed(0)
    x = binary_patterns(1, 30, generator=g)
    y = binary_patterns(1, 30, generator=g)
    kappa = float(rbf_kernel(x, y, 10.0))

    def estimates(Y):
        return torch.tensor([float(fmap(30, Y, 10.0, seed=s).kernel(x, y)) for s in range(200)])

    est = estimates(2000)
    predicted = (1 - kappa ** 2) / math.sqrt(2 * 2000)
    assert abs(float(est.mean()) - kappa) <= 4 * float(est.std()) / math.sqrt(200)
    assert 0.8 * predicted <= float(est.std()) <= 1.2 * predicted
    assert 1.7 <= float(estimates(500).std()) / float(est.std()) <= 2.3


def test_kernel_estimate_is_exact_at_zero_distance_for_sincos():
    x = torch.rand(4, 8, dtype=torch.float64)
    assert torch.allclose(fmap(Y=10).kernel(x, x).diagonal(), torch.ones(4, dtype=torch.float64), atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_chunked_evaluation_equals_one_shot(kind):
    x, t = torch.rand(7, 8, dtype=torch.float64), None
    one_shot, chunked = fmap(Y=5000, kind=kind, chunk=5000), fmap(Y=5000, kind=kind, chunk=512)
    assert torch.equal(one_shot.omega, chunked.omega)
    # Another chunk size may reorder the sums inside omega @ x, so a feature moves by a few ulps of the largest
    # feature; a purely relative test (atol=0) fails on the features that happen to lie near 0 (cos h ~ 0).
    features = one_shot(x)
    assert torch.allclose(features, chunked(x), rtol=1e-13, atol=1e-13 * float(features.abs().max()))
    t = torch.rand(one_shot.feature_dim, dtype=torch.float64)
    for a, b in zip(one_shot.project_and_vjp(x, t), chunked.project_and_vjp(x, t)):
        assert torch.allclose(a, b, rtol=1e-12, atol=1e-14)
    assert torch.allclose(one_shot.summed(x), one_shot(x).sum(0), rtol=1e-12, atol=1e-14)


def test_features_are_nested_in_Y_and_depend_only_on_seed():
    small, large = draw_frequencies(FeatureConfig(8, 100, 1.0)), draw_frequencies(FeatureConfig(8, 5000, 1.0))
    assert torch.equal(small[0], large[0][:100]) and torch.equal(small[1], large[1][:100])
    assert not torch.equal(small[0], draw_frequencies(FeatureConfig(8, 100, 1.0, seed=1))[0])


@pytest.mark.parametrize("kind", KINDS)
def test_vjp_equals_autograd(kind, device):
    m = fmap(Y=300, kind=kind, beta=3.0, device=device)
    x = torch.rand(5, 8, dtype=torch.float64, device=device) * 0.4
    t = torch.randn(m.feature_dim, dtype=torch.float64, device=device)
    _, expected = torch.autograd.functional.vjp(lambda z: m(z) @ t, x, torch.ones(5, dtype=torch.float64,
                                                                                   device=device))
    assert torch.allclose(m.vjp(x, t), expected, rtol=1e-10, atol=1e-12)


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="kind"):
        FeatureConfig(8, 10, 1.0, kind="gauss")
    with pytest.raises(ValueError, match="beta"):
        FeatureConfig(8, 10, 0.0)


def test_flip_bits_flips_exactly_n():
    g = torch.Generator().manual_seed(0)
    p = binary_patterns(50, 30, generator=g)
    q = flip_bits(p, 3, generator=g)
    assert ((p != q).sum(-1) == 3).all()
    assert set(torch.unique(q * math.sqrt(30)).round().tolist()) <= {0.0, 1.0}


def test_frequencies_do_not_depend_on_what_was_drawn_before():
    first = draw_frequencies(FeatureConfig(8, 5000, 1.0, seed=2))[0].clone()
    draw_frequencies(FeatureConfig(16, 5000, 1.0, seed=2))  # another D evicts the kept blocks
    assert torch.equal(draw_frequencies(FeatureConfig(8, 5000, 3.0, seed=2))[0], first)
