"""Logical neurons in weighted Łukasiewicz logic, as in Neural Reasoning Networks (Carrow et al., arXiv 2410.07966).

A neuron reads k of its layer's inputs through an index buffer (a gather, not a masked dense matrix). The sign of
each weight chooses the literal (eq-06-literal): a negative weight reads the negated input, and |w| is its
importance. β is fixed at 1, so |w| = 1 on {0, 1} inputs gives Boolean AND and OR.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

Kind = Literal["and", "or"]


def st_clamp01(x: Tensor) -> Tensor:
    """clamp(x, 0, 1) forward, identity backward (eq-06-st): x - sg(min(x, 0)) - sg(max(x - 1, 0))."""
    return x - (x - x.clamp(0.0, 1.0)).detach()


def literals(x: Tensor, w: Tensor) -> Tensor:
    """ℓ = s x + (1 - s)(1 - x) with s = 1[w >= 0] (eq-06-literal), as a select: the sign passes no gradient.
    x and w broadcast together."""
    return torch.where(w.detach() >= 0, x, 1 - x)


def neuron(lit: Tensor, w: Tensor, kind: Kind) -> Tensor:
    """AND = clamp01(1 - Σ|w|(1 - ℓ)) and OR = clamp01(Σ|w| ℓ) (eq-06-and-or, β = 1); sums over the last
    axis. lit: (..., k), w: (..., k) -> (...)."""
    a = w.abs()
    raw = 1 - (a * (1 - lit)).sum(-1) if kind == "and" else (a * lit).sum(-1)
    return st_clamp01(raw)


class LogicLayer(nn.Module):
    """n_out neurons of one kind per channel (one channel per class), each reading k of the n_in inputs.

    weight, index: (C, n_out, k). The index is a random k-subset of the inputs per neuron (without repeats);
    the bandit rewires it in the input layer only."""

    def __init__(self, n_in: int, n_out: int, k: int, kind: Kind, n_channels: int = 1, weight_init: float = 0.2,
                 *, generator: torch.Generator):
        super().__init__()
        if kind not in ("and", "or"):
            raise ValueError(f"neuron kind must be 'and' or 'or', got {kind!r}")
        if not 1 <= k <= n_in:
            raise ValueError(f"a neuron reads 1..n_in = {n_in} inputs, got k = {k}")
        self.kind, self.n_in = kind, n_in
        noise = torch.rand(n_channels, n_out, n_in, generator=generator)  # (C, n_out, n_in)
        self.register_buffer("index", noise.topk(k, dim=-1).indices.sort(-1).values)  # (C, n_out, k)
        self.register_buffer("channel", torch.arange(n_channels)[:, None, None], persistent=False)  # (C, 1, 1)
        w = (2 * torch.rand(n_channels, n_out, k, generator=generator) - 1) * weight_init
        self.weight = nn.Parameter(w.to(torch.get_default_dtype()))  # (C, n_out, k)

    def gather(self, x: Tensor) -> Tensor:
        """(B, C, n_in) -> (B, C, n_out, k): each neuron's inputs."""
        return x[:, self.channel, self.index]

    def forward(self, x: Tensor) -> Tensor:
        """(B, C, n_in) truth values -> (B, C, n_out) in [0, 1]."""
        return neuron(literals(self.gather(x), self.weight), self.weight, self.kind)

    def bounds(self, lo: Tensor, hi: Tensor) -> tuple[Tensor, Tensor]:
        """Exact image of the input box [lo, hi] (each (B, C, n_in)) under every neuron: a neuron is nondecreasing
        in each literal, and a negated input swaps the ends of its interval."""
        lo_x, hi_x = self.gather(lo), self.gather(hi)  # (B, C, n_out, k)
        positive = self.weight >= 0
        lit_lo = torch.where(positive, lo_x, 1 - hi_x)
        lit_hi = torch.where(positive, hi_x, 1 - lo_x)
        return neuron(lit_lo, self.weight, self.kind), neuron(lit_hi, self.weight, self.kind)
