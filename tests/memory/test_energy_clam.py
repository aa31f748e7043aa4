"""LSE energy and ClAM dynamics: gradients, the AM step, masks, fills and assignment (float64)."""

import pytest
import torch

from paperbook.memory.clam import am_forward, am_step, assign, clam_loss, fill_values, make_masks, masked_input, n_steps
from paperbook.memory.energy import lse_energy, lse_energy_grad, softmax_weights

F64 = torch.float64


def randn(*shape, seed: int, device: str, scale: float = 1.0) -> torch.Tensor:
    """Seeded normal draws made on the CPU generator, then moved (same values on every device)."""
    gen = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(*shape, generator=gen, dtype=F64)).to(device)


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


def central_diff(f, x: torch.Tensor, h: float) -> torch.Tensor:
    """Central finite differences of a scalar function f at x, coordinate by coordinate."""
    grad = torch.zeros_like(x)
    flat, gflat = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        orig = flat[i].item()
        flat[i] = orig + h
        up = float(f(x))
        flat[i] = orig - h
        down = float(f(x))
        flat[i] = orig
        gflat[i] = (up - down) / (2 * h)
    return grad


# --- energy and one AM step ---------------------------------------------------------------------

def test_lse_energy_autograd_matches_closed_form_gradient(device):
    v = randn(6, 3, seed=0, device=device).requires_grad_()
    xi = randn(4, 3, seed=1, device=device)
    (g,) = torch.autograd.grad(lse_energy(v, xi, 1.3).sum(), v)
    torch.testing.assert_close(g, lse_energy_grad(v.detach(), xi, 1.3), rtol=1e-12, atol=1e-12)


def test_am_step_increment_is_minus_alpha_grad_and_matches_finite_differences(device):
    v = randn(5, 4, seed=2, device=device)
    rho = randn(3, 4, seed=3, device=device)
    beta, alpha = 1.7, 0.1
    step = am_step(v, rho, beta, alpha, None) - v
    torch.testing.assert_close(step, -alpha * lse_energy_grad(v, rho, beta), rtol=1e-10, atol=1e-14)
    fd = central_diff(lambda z: lse_energy(z, rho, beta).sum(), v.clone(), h=1e-5)
    assert rel_err(step, -alpha * fd) < 1e-6


def test_am_step_with_alpha_one_is_softmax_weighted_prototype_average(device):
    v = randn(7, 3, seed=4, device=device)
    rho = randn(4, 3, seed=5, device=device)
    out = am_step(v, rho, 0.8, 1.0, None)
    torch.testing.assert_close(out, softmax_weights(v, rho, 0.8) @ rho, rtol=1e-12, atol=1e-12)


def test_clam_loss_gradient_through_ten_steps_matches_finite_differences(device):
    B, d, k, beta, alpha = 5, 4, 3, 1.7, 0.1
    steps = n_steps(alpha)
    x = randn(B, d, seed=6, device=device)
    rho = randn(k, d, seed=7, device=device)
    mask = make_masks(B, d, 0.5, shared=False, generator=torch.Generator().manual_seed(8)).to(device)
    x_tilde = masked_input(x, mask, fill_values(x, "mean"))

    def loss(r):
        return clam_loss(x, x_tilde, r, mask, beta, alpha, steps)

    r = rho.clone().requires_grad_()
    (g,) = torch.autograd.grad(loss(r), r)
    fd = central_diff(loss, rho.clone(), h=1e-5)
    assert fd.abs().max() > 1e-4  # the loss really depends on rho
    assert rel_err(g, fd) < 1e-6


def test_am_forward_keeps_unmasked_coordinates_bit_identical(device):
    x0 = randn(20, 6, seed=9, device=device)
    rho = randn(3, 6, seed=10, device=device)
    mask = make_masks(20, 6, 0.5, shared=False, generator=torch.Generator().manual_seed(11)).to(device)
    vT = am_forward(x0, rho, 2.0, 0.1, 10, mask)
    assert torch.equal(vT[~mask], x0[~mask])
    assert (vT[mask] != x0[mask]).all()


# --- large beta, assignment ---------------------------------------------------------------------

def test_lse_energy_finite_at_huge_beta_far_from_memories(device):
    rho = randn(5, 2, seed=12, device=device)
    v = randn(8, 2, seed=13, device=device, scale=100.0)  # far from every memory
    beta = 1e4
    e = lse_energy(v, rho, beta)
    assert torch.isfinite(e).all()
    # beta -> infinity: E -> min_mu ||v - xi_mu||^2 / 2, within log(K) / beta
    half_min = 0.5 * torch.cdist(v, rho).pow(2).min(-1).values
    assert (e - half_min).abs().max() <= torch.log(torch.tensor(5.0)) / beta + 1e-9 * half_min.max()
    assert torch.isfinite(lse_energy_grad(v, rho, beta)).all()


def test_am_assignment_at_huge_beta_equals_nearest_prototype(device):
    X = randn(300, 3, seed=14, device=device)
    rho = randn(4, 3, seed=15, device=device)
    am = assign(X, rho, 1e4, 0.1, 10, how="am")
    nearest = assign(X, rho, 1e4, 0.1, 10, how="nearest")
    assert torch.equal(am, nearest)
    assert am.unique().numel() == 4  # a non-trivial labelling


def test_assign_rejects_unknown_method():
    with pytest.raises(ValueError):
        assign(torch.zeros(2, 2, dtype=F64), torch.zeros(2, 2, dtype=F64), 1.0, 0.1, 10, how="soft")


def test_permuting_prototypes_permutes_labels_only(device):
    X = randn(200, 3, seed=16, device=device)
    rho = randn(5, 3, seed=17, device=device)
    perm = torch.tensor([3, 0, 4, 1, 2], device=device)
    labels = assign(X, rho, 2.0, 0.1, 10)
    labels_perm = assign(X, rho[perm], 2.0, 0.1, 10)
    assert torch.equal(perm[labels_perm], labels)
    assert not torch.equal(labels_perm, labels)


# --- masks and fills ----------------------------------------------------------------------------

@pytest.mark.parametrize("d", [2, 3, 4])
@pytest.mark.parametrize("min_masked", [1, 2])
def test_make_masks_honours_min_masked(d, min_masked):
    mask = make_masks(64, d, 0.2, shared=False, min_masked=min_masked, generator=torch.Generator().manual_seed(0))
    assert mask.shape == (64, d) and mask.dtype == torch.bool
    assert (mask.sum(1) >= min_masked).all()


@pytest.mark.parametrize("d,p,min_masked", [(4, 0.2, 1), (10, 0.2, 0), (10, 0.5, 1), (7, 0.3, 3), (5, 1.0, 0)])
def test_make_masks_distinct_count_without_quirks(d, p, min_masked):
    mask = make_masks(50, d, p, shared=False, min_masked=min_masked, generator=torch.Generator().manual_seed(1))
    assert (mask.sum(1) == max(min_masked, int(d * p))).all()


def test_make_masks_official_quirks_give_empty_mask_for_small_d():
    mask = make_masks(32, 4, 0.2, shared=False, min_masked=0, official_quirks=True,
                      generator=torch.Generator().manual_seed(0))
    assert not mask.any()


def test_make_masks_official_quirks_never_mask_dimension_zero():
    mask = make_masks(2000, 10, 0.5, shared=False, official_quirks=True, generator=torch.Generator().manual_seed(0))
    assert not mask[:, 0].any()
    assert mask[:, 1:].any(0).all()  # every other dimension is drawn somewhere
    assert (mask.sum(1) < 5).any()  # with replacement: duplicates shrink some masks


def test_make_masks_shared_rows_identical_and_not_shared_rows_vary():
    gen = torch.Generator().manual_seed(0)
    shared = make_masks(30, 8, 0.5, shared=True, generator=gen)
    assert (shared == shared[0]).all() and shared[0].sum() == 4
    free = make_masks(30, 8, 0.5, shared=False, generator=gen)
    assert not (free == free[0]).all()


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_make_masks_rejects_fraction_outside_unit_interval(p):
    with pytest.raises(ValueError):
        make_masks(4, 4, p, shared=False, generator=torch.Generator().manual_seed(0))


def test_fill_values(device):
    X = torch.tensor([[1.0, -2.0, 5.0], [3.0, 4.0, -1.0], [2.0, 1.0, 0.0]], dtype=F64, device=device)
    expected = {"mean": [2.0, 1.0, 4.0 / 3.0], "min": [1.0, -2.0, -1.0], "max": [3.0, 4.0, 5.0], "zero": [0.0] * 3}
    for how, values in expected.items():
        torch.testing.assert_close(fill_values(X, how), torch.tensor(values, dtype=F64, device=device))
    with pytest.raises(ValueError):
        fill_values(X, "median")


def test_masked_input_puts_fill_at_masked_coordinates_only():
    x = torch.arange(6, dtype=F64).view(2, 3)
    mask = torch.tensor([[True, False, False], [False, False, True]])
    out = masked_input(x, mask, torch.tensor([-1.0, -2.0, -3.0], dtype=F64))
    assert torch.equal(out, torch.tensor([[-1.0, 1.0, 2.0], [3.0, 4.0, -3.0]], dtype=F64))


def test_n_steps():
    assert n_steps(0.1) == 10
    assert n_steps(0.25, extra=2) == 6
