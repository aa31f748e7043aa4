"""Positional encodings of the grid transformer, one interface: `PositionalEncoding(kind, ...)` adds a table
P (16, d) to the tokens (learnable or fixed sinusoids), or shapes attention (rotary on queries and keys, a
learned relative bias per (Δrow, Δcol)), or does nothing (NoPE).

Kinds: "learn" (P0 = σZ, Z ~ N(0, 1), trainable), "sin1d", "sin2d" (fixed), "rope", "relative2d", "nope".
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

KINDS = ("learn", "sin1d", "sin2d", "nope", "rope", "relative2d")
TABLE_KINDS = ("learn", "sin1d", "sin2d")  # the kinds that add a table P to the tokens
ROPE_BASE = 10_000.0


def sinusoidal_1d(n: int, d: int) -> Tensor:
    """(n, d): PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)) (Vaswani et al. 2017)."""
    if d % 2:
        raise ValueError(f"sinusoidal encodings need an even dimension, got d = {d}")
    p = torch.arange(n, dtype=torch.float64)[:, None]  # (n, 1)
    freq = ROPE_BASE ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    pe = torch.zeros(n, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(p * freq), torch.cos(p * freq)
    return pe


def sinusoidal_2d(h: int, w: int, d: int) -> Tensor:
    """(h*w, d) in row-major order: the first d/2 dimensions a 1D sinusoid of the column, the last d/2 of the row."""
    if d % 4:
        raise ValueError(f"the 2D sinusoidal encoding needs d divisible by 4, got d = {d}")
    col, row = sinusoidal_1d(w, d // 2), sinusoidal_1d(h, d // 2)  # (w, d/2), (h, d/2)
    return torch.cat([col.repeat(h, 1), row.repeat_interleave(w, 0)], dim=1)


def rotate(x: Tensor, fraction: float = 0.5) -> Tensor:
    """Rotary position embedding (Su et al. 2021) of x (B, heads, n, dh) by position index 0..n-1 on its first
    `fraction` of dimensions (the reference's rope_percentage = 0.5); the rest pass through. Written here rather
    than taken from rotary-embedding-torch: the rotation is eight lines and the package would add einops."""
    n, dh = x.shape[-2], x.shape[-1]
    r = int(dh * fraction) // 2 * 2
    if r == 0:
        return x
    freq = ROPE_BASE ** (-torch.arange(0, r, 2, dtype=x.dtype, device=x.device) / r)  # (r/2,)
    angle = torch.arange(n, dtype=x.dtype, device=x.device)[:, None] * freq  # (n, r/2)
    cos, sin = torch.cos(angle), torch.sin(angle)
    a, b, rest = x[..., : r // 2], x[..., r // 2: r], x[..., r:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos, rest], dim=-1)


class RelativeBias2D(nn.Module):
    """A learned, non-causal attention bias per head and grid offset (Δrow, Δcol): (heads, hw, hw), zero at init.
    The reference's relative encoding is causal (an unfair comparator on a grid); this one sees every cell."""

    def __init__(self, h: int, w: int, heads: int):
        super().__init__()
        self.table = nn.Parameter(torch.zeros(heads, 2 * h - 1, 2 * w - 1))
        r, c = torch.arange(h * w) // w, torch.arange(h * w) % w
        self.register_buffer("dr", (r[None, :] - r[:, None] + h - 1), persistent=False)  # (hw, hw)
        self.register_buffer("dc", (c[None, :] - c[:, None] + w - 1), persistent=False)

    def forward(self) -> Tensor:
        return self.table[:, self.dr, self.dc]  # (heads, hw, hw)


class PositionalEncoding(nn.Module):
    """The encoding `kind` for an h x w grid of d-dimensional tokens; P is its table (hw, d), or None."""

    def __init__(self, kind: str, h: int, w: int, d: int, heads: int, *, sigma: float = 1.0,
                 generator: torch.Generator | None = None):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown positional encoding {kind!r}; choose from {KINDS}")
        self.kind = kind
        self.bias = RelativeBias2D(h, w, heads) if kind == "relative2d" else None
        if kind == "learn":
            z = torch.randn(h * w, d, generator=generator, dtype=torch.float64)
            self.P = nn.Parameter(sigma * z)  # P0 = σ Z
        elif kind in ("sin1d", "sin2d"):
            self.register_buffer("P", sinusoidal_1d(h * w, d) if kind == "sin1d" else sinusoidal_2d(h, w, d))
        else:
            self.P = None

    def add(self, x: Tensor) -> Tensor:
        """x (B, hw, d) plus the table, if this kind has one."""
        return x if self.P is None else x + self.P.to(x.dtype)

    def queries_keys(self, q: Tensor, k: Tensor) -> tuple[Tensor, Tensor]:
        """q, k (B, heads, hw, dh), rotated for "rope"."""
        return (rotate(q), rotate(k)) if self.kind == "rope" else (q, k)

    def attention_bias(self) -> Tensor | None:
        return None if self.bias is None else self.bias()

