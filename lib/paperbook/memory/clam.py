"""ClAM dynamics: the associative-memory step, its unrolled forward pass, masks and the masked loss.

Paper: Saha, Krotov, Zaki, Ram, "End-to-end Differentiable Clustering with Associative Memories",
ICML 2023. Equations are numbered as in the chapter (eq-02-energy, eq-02-update, eq-02-loss).
Tensors may carry a leading grid axis G (one prototype set per configuration).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .energy import lse_energy_grad, sq_distances

FILLS = ("mean", "min", "max", "zero")


def am_step(v: Tensor, rho: Tensor, beta: Tensor | float, alpha: float, mask: Tensor | None) -> Tensor:
    """One AM step v <- v - alpha * m * grad E(v); unmasked coordinates stay bit-identical.

    Paper: eq-02-update. Shape: v (..., B, d), rho (..., k, d), mask (..., B, d) bool -> (..., B, d).
    """
    step = -alpha * lse_energy_grad(v, rho, beta)  # (..., B, d)
    if mask is None:
        return v + step
    return torch.where(mask, v + step, v)


def am_forward(x0: Tensor, rho: Tensor, beta: Tensor | float, alpha: float, steps: int,
               mask: Tensor | None = None) -> Tensor:
    """v^T: `steps` (T in the paper) AM steps from x0 (differentiable in rho). Shape: (..., B, d) -> (..., B, d)."""
    v = x0
    for _ in range(steps):
        v = am_step(v, rho, beta, alpha, mask)
    return v


def n_steps(alpha: float, extra: int = 0) -> int:
    """The number of AM steps, int(1/alpha) + extra, so that the total time alpha * steps is about 1 (official
    `mhn.py`; T in the paper)."""
    return int(1.0 / alpha) + extra


def make_masks(B: int, d: int, p: float = 0.2, *, shared: bool, min_masked: int = 1,
               official_quirks: bool = False, generator: torch.Generator) -> Tensor:
    """Boolean masks of the coordinates that evolve (and that the loss scores).

    Default: max(min_masked, int(d*p)) distinct coordinates per row, drawn uniformly over all d.
    official_quirks: indices drawn with replacement from {1, ..., d-1} as the official code does,
    so dimension 0 is never masked and duplicates shrink the mask.
    Shape: -> (B, d) bool; with shared=True every row is the same mask.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"mask fraction p must lie in [0, 1], got {p}")
    n_mask = min(d, max(min_masked, int(d * p)))
    rows = 1 if shared else B
    mask = torch.zeros(rows, d, dtype=torch.bool)
    if n_mask > 0:
        if official_quirks:
            idx = torch.randint(1, d, (rows, n_mask), generator=generator)  # (rows, n_mask), with replacement
        else:
            idx = torch.rand(rows, d, generator=generator).argsort(dim=1)[:, :n_mask]  # (rows, n_mask), distinct
        mask.scatter_(1, idx, True)
    return mask.expand(B, d).clone() if shared else mask


def fill_values(X: Tensor, how: str = "mean") -> Tensor:
    """Per-column fill value for masked entries. Shape: (n, d) -> (d,)."""
    if how == "mean":
        return X.mean(0)
    if how == "min":
        return X.min(0).values
    if how == "max":
        return X.max(0).values
    if how == "zero":
        return torch.zeros_like(X[0])
    raise ValueError(f"fill must be one of {FILLS}, got {how!r}")


def masked_input(x: Tensor, mask: Tensor, fill: Tensor) -> Tensor:
    """x_tilde: x with `fill` at the masked coordinates. Shape: (B, d), (..., B, d), (..., 1, d) -> (..., B, d)."""
    return torch.where(mask, fill, x)


def clam_loss(x: Tensor, x_tilde: Tensor, rho: Tensor, mask: Tensor, beta: Tensor | float, alpha: float,
              steps: int) -> Tensor:
    """Reconstruction loss (1/(B d)) sum m * (x - v^T(x_tilde))^2, one value per leading index.

    Paper: eq-02-loss; only the coordinates in `mask` evolve and are scored. With a full mask and
    x_tilde = x this is the unmasked (k-means surrogate) loss.
    Shape: x (B, d), x_tilde (..., B, d), rho (..., k, d), mask (..., B, d) -> (...).
    """
    B, d = x.shape[-2:]
    vT = am_forward(x_tilde, rho, beta, alpha, steps, mask)  # (..., B, d)
    return (mask * (x - vT) ** 2).sum((-2, -1)) / (B * d)


@torch.no_grad()
def assign(X: Tensor, rho: Tensor, beta: Tensor | float, alpha: float, steps: int,
           how: str = "am") -> Tensor:
    """Cluster labels: nearest prototype to v^T after `steps` free steps ("am") or to x itself ("nearest").

    Official `result_helper.get_final_clusters`. Shape: X (n, d), rho (..., k, d) -> (..., n) int64.
    """
    if how not in ("am", "nearest"):
        raise ValueError(f"assignment must be 'am' or 'nearest', got {how!r}")
    v = am_forward(X, rho, beta, alpha, steps) if how == "am" else X.expand(*rho.shape[:-2], *X.shape)
    return sq_distances(v, rho).argmin(-1)


def to_tensor(X: np.ndarray | Tensor, device: str | torch.device, dtype: torch.dtype) -> Tensor:
    """A 2-D float tensor on `device`; rejects empty or non-finite data before any compute."""
    x = torch.as_tensor(X, dtype=dtype, device=device)
    if x.dim() != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"expected a non-empty (n, d) array, got shape {tuple(x.shape)}")
    if not torch.isfinite(x).all():
        raise ValueError("data contain NaN or infinite values")
    return x
