"""Random feature maps for the RBF kernel exp(-beta/2 ||x - y||^2) (chapter 01, DrDAM).

Each map phi gives an unbiased estimate <phi(x), phi(y)> of the kernel. The frequencies omega ~ N(0, I_D) are
drawn on the CPU in fixed blocks of GEN_BLOCK rows, each block from its own seed, so the features depend only on
(seed, D, Y): not on the device, nor on the chunk size used to evaluate them, and a smaller Y is a prefix of a
larger one. sqrt(beta) is folded into the stored frequencies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from ..core.rng import rng

KINDS = ("sincos", "cos", "exp", "expexp")
TRIG = ("sincos", "cos")   # estimates can be <= 0: the energy clamps them
GEN_BLOCK = 4096           # rows of omega per seeded block (fixed: changing it changes the features)


@dataclass(frozen=True)
class FeatureConfig:
    dim: int                # D, dimension of states and memories
    n_features: int         # Y, number of random frequencies
    beta: float             # inverse temperature; sqrt(beta) is folded into omega
    kind: str = "sincos"    # sincos | cos | exp | expexp (official SinCosL2DAM, CosL2DAM, ExpL2DAM, ExpExpL2DAM)
    bias: bool = True       # phase b ~ U(0, 2pi) for the trig maps (cancels exactly for sincos); exp maps have none
    seed: int = 0           # seed of omega and b
    chunk: int = 8192       # features evaluated per chunk (memory only; results do not depend on it)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind {self.kind!r} is not one of {KINDS}")
        if self.dim < 1 or self.n_features < 1 or self.chunk < 1 or not self.beta > 0:
            raise ValueError(f"need dim, n_features, chunk >= 1 and beta > 0: {self}")


def rbf_kernel(x: Tensor, y: Tensor, beta: float) -> Tensor:
    """kappa(x, y) = exp(-beta/2 ||x - y||^2). Shape: (n, D), (m, D) -> (n, m)."""
    return torch.exp(-0.5 * beta * torch.cdist(x, y).square())


_BLOCKS: dict[tuple[int, int, int], tuple[Tensor, Tensor]] = {}  # blocks of the latest (seed, D) only


def _block(seed: int, dim: int, block: int) -> tuple[Tensor, Tensor]:
    """Block `block` of (omega, b): GEN_BLOCK rows from their own seed. omega does not depend on beta, so the
    blocks of the latest (seed, D) are kept: a sweep over beta and nested Y draws each block once, and memory
    stays bounded by one D's features. Callers never modify the tensors."""
    if any(key[:2] != (seed, dim) for key in _BLOCKS):
        _BLOCKS.clear()
    if (seed, dim, block) not in _BLOCKS:
        g = rng(seed, "omega", block)
        omega = torch.randn(GEN_BLOCK, dim, generator=g, dtype=torch.float64)
        _BLOCKS[seed, dim, block] = omega, 2 * math.pi * torch.rand(GEN_BLOCK, generator=g, dtype=torch.float64)
    return _BLOCKS[seed, dim, block]


def draw_frequencies(cfg: FeatureConfig) -> tuple[Tensor, Tensor]:
    """(omega (Y, D), b (Y,)) in float64 on the CPU, block-seeded."""
    blocks = [_block(cfg.seed, cfg.dim, j) for j in range(math.ceil(cfg.n_features / GEN_BLOCK))]
    omega = torch.cat([o for o, _ in blocks])[:cfg.n_features]
    return omega, torch.cat([b for _, b in blocks])[:cfg.n_features]


class RandomFeatureMap:
    """phi: R^D -> R^F with F = 2Y (sincos, expexp) or Y (cos, exp); <phi(x), phi(y)> ~ kappa(x, y).

    The F features are stored as `parts` blocks of Y (e.g. [cos h ; sin h], the official layout).
    Paper: feature maps of the kernel view (eq-01-drdam).
    """

    def __init__(self, cfg: FeatureConfig, device="cpu", dtype=torch.float64):
        self.cfg = cfg
        omega, b = draw_frequencies(cfg)
        self.omega = (math.sqrt(cfg.beta) * omega).to(device=device, dtype=dtype)  # sqrt(beta) omega, (Y, D)
        self.phase = b.to(device=device, dtype=dtype) if cfg.bias and cfg.kind in TRIG else None  # (Y,)
        self.parts = 2 if cfg.kind in ("sincos", "expexp") else 1
        self.feature_dim = self.parts * cfg.n_features

    def _chunks(self):
        for start in range(0, self.cfg.n_features, self.cfg.chunk):
            yield slice(start, min(start + self.cfg.chunk, self.cfg.n_features))

    def _values_and_slopes(self, x: Tensor, sl: slice) -> tuple[list[Tensor], list[Tensor]]:
        """Per part, the features of chunk sl and their derivatives with respect to the phase h.

        For the exp maps, the factor exp(-beta ||x||^2) is inside the values; its own x-derivative is
        added in `project_and_vjp`. Shape: (n, D) -> lists of (n, y).
        """
        h = x @ self.omega[sl].T  # (n, y): sqrt(beta) omega . x
        Y, kind = self.cfg.n_features, self.cfg.kind
        if self.phase is not None:
            h = h + self.phase[sl]
        if kind == "sincos":
            c, s = torch.cos(h) / math.sqrt(Y), torch.sin(h) / math.sqrt(Y)
            return [c, s], [-s, c]
        if kind == "cos":
            scale = math.sqrt(2.0 / Y)
            return [scale * torch.cos(h)], [-scale * torch.sin(h)]
        sq = self.cfg.beta * (x * x).sum(-1, keepdim=True)  # (n, 1): beta ||x||^2
        if kind == "exp":
            v = torch.exp(h - sq) / math.sqrt(Y)
            return [v], [v]
        up, down = torch.exp(h - sq) / math.sqrt(2 * Y), torch.exp(-h - sq) / math.sqrt(2 * Y)  # expexp
        return [up, down], [up, -down]

    def __call__(self, x: Tensor) -> Tensor:
        """phi(x). Shape: (n, D) -> (n, F), laid out part by part."""
        chunks = [self._values_and_slopes(x, sl)[0] for sl in self._chunks()]
        return torch.cat([torch.cat([c[p] for c in chunks], dim=-1) for p in range(self.parts)], dim=-1)

    def summed(self, x: Tensor) -> Tensor:
        """sum_rows phi(x) without the (n, F) matrix. Shape: (n, D) -> (F,)."""
        sums = [[v.sum(0) for v in self._values_and_slopes(x, sl)[0]] for sl in self._chunks()]
        return torch.cat([torch.cat([s[p] for s in sums]) for p in range(self.parts)])

    def kernel(self, x: Tensor, y: Tensor) -> Tensor:
        """phi(x) phi(y)^T, the kernel estimate. Shape: (n, D), (m, D) -> (n, m)."""
        return self(x) @ self(y).T

    def project_and_vjp(self, x: Tensor, t: Tensor, need_vjp: bool = True) -> tuple[Tensor, Tensor | None]:
        """(<phi(x), t>, [d phi(x)/dx]^T t) in one pass, chunk by chunk, never forming (n, F, D); the VJP is
        None unless need_vjp.

        Shape: x (n, D), t (F,) -> (n,), (n, D).
        """
        t = t.view(self.parts, -1)  # (parts, Y)
        dot = x.new_zeros(x.shape[0])
        vjp = torch.zeros_like(x) if need_vjp else None
        for sl in self._chunks():
            values, slopes = self._values_and_slopes(x, sl)
            for p in range(self.parts):
                dot = dot + values[p] @ t[p, sl]
                if need_vjp:
                    vjp = vjp + (slopes[p] * t[p, sl]) @ self.omega[sl]  # (n, y) @ (y, D)
        if need_vjp and self.cfg.kind not in TRIG:  # d/dx exp(-beta ||x||^2) = -2 beta x exp(-beta ||x||^2)
            vjp = vjp - 2 * self.cfg.beta * x * dot.unsqueeze(-1)
        return dot, vjp

    def vjp(self, x: Tensor, t: Tensor) -> Tensor:
        """[d phi(x)/dx]^T t. Shape: (n, D), (F,) -> (n, D)."""
        return self.project_and_vjp(x, t)[1]
