"""Positional encodings: sinusoid values, the 2D layout, the rotary relative-position property, the learnable
table's init scale, the relative bias's offsets."""

import math

import torch

from paperbook.relational import analysis, pe


def test_sinusoidal_1d_values():
    table = pe.sinusoidal_1d(16, 32)
    p, i = torch.arange(16.0)[:, None], torch.arange(16.0)[None, :]
    assert torch.allclose(table[:, 0::2], torch.sin(p / 10000 ** (2 * i / 32)).double(), atol=1e-6)
    assert torch.allclose(table[:, 1::2], torch.cos(p / 10000 ** (2 * i / 32)).double(), atol=1e-6)


def test_sinusoidal_2d_shares_the_column_half_within_a_column_and_the_row_half_within_a_row():
    table, half = pe.sinusoidal_2d(4, 4, 32), 16
    for a in range(16):
        for b in range(16):
            assert torch.equal(table[a, :half], table[b, :half]) == (a % 4 == b % 4)
            assert torch.equal(table[a, half:], table[b, half:]) == (a // 4 == b // 4)
    assert analysis.grid_alignment(table)["rho_manh"] >= 0.95


def test_rotary_scores_depend_only_on_the_offset():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(1, 1, 1, 16, generator=g, dtype=torch.float64), torch.randn(1, 1, 1, 16, generator=g,
                                                                                 dtype=torch.float64)
    rq, rk = pe.rotate(q.expand(1, 1, 16, 16)), pe.rotate(k.expand(1, 1, 16, 16))  # (1, 1, n, dh)
    scores = (rq[0, 0] @ rk[0, 0].T)  # (n, n): <R_m q, R_n k>
    for offset in range(-5, 6):
        diag = torch.diagonal(scores, offset)
        assert torch.allclose(diag, diag[0].expand_as(diag), atol=1e-5)
    assert torch.equal(pe.rotate(q.expand(1, 1, 16, 16))[..., 8:], q.expand(1, 1, 16, 16)[..., 8:])  # fraction 0.5


def test_learnable_table_starts_at_sigma_z():
    for sigma in (0.1, 1.0, 2.0):
        enc = pe.PositionalEncoding("learn", 4, 4, 64, 2, sigma=sigma, generator=torch.Generator().manual_seed(1))
        assert abs(float(enc.P.detach().std()) / sigma - 1) < 0.1
        assert abs(float(enc.P.detach().norm(dim=1).mean()) / (sigma * math.sqrt(64)) - 1) < 0.1


def test_relative_bias_is_indexed_by_row_and_column_offsets():
    bias = pe.RelativeBias2D(4, 4, heads=1)
    with torch.no_grad():
        bias.table.copy_(torch.arange(49.0).view(1, 7, 7))
    b = bias()[0]  # (16, 16)
    assert b[0, 5] == b[10, 15] == 4 * 7 + 4  # offset (+1, +1)
    assert b[5, 0] == 2 * 7 + 2 and b.shape == (16, 16)
