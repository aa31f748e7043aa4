"""Log-sum-exp energy of a Dense Associative Memory and its gradient (shared by chapters 01 and 02)."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor


def sq_distances(v: Tensor, xi: Tensor) -> Tensor:
    """Squared Euclidean distances between queries and memories.

    Shape: v (..., B, d), xi (..., K, d) -> (..., B, K).
    """
    diff = v.unsqueeze(-2) - xi.unsqueeze(-3)  # (..., B, K, d)
    return (diff * diff).sum(-1)


def sq_distances_mm(v: Tensor, xi: Tensor) -> Tensor:
    """The same as `sq_distances` through one matmul, ||v||^2 + ||xi||^2 - 2 v.xi (clamped at 0), without the
    (..., B, K, d) difference tensor: for large K and d. Shape: (..., B, d), (..., K, d) -> (..., B, K)."""
    cross = v @ xi.transpose(-1, -2)  # (..., B, K)
    return ((v * v).sum(-1, keepdim=True) + (xi * xi).sum(-1).unsqueeze(-2) - 2 * cross).clamp_min(0)


Distances = Callable[[Tensor, Tensor], Tensor]


def softmax_weights(v: Tensor, xi: Tensor, beta: Tensor | float, distances: Distances = sq_distances) -> Tensor:
    """Softmax over memories of -beta/2 ||v - xi_mu||^2, computed stably.

    Paper (ClAM): the weights in eq-02-update. Shape: (..., B, d), (..., K, d) -> (..., B, K);
    a tensor beta broadcasts against (..., B, K), e.g. shape (G, 1, 1).
    """
    return torch.softmax(-0.5 * beta * distances(v, xi), dim=-1)


def lse_energy(v: Tensor, xi: Tensor, beta: Tensor | float, distances: Distances = sq_distances) -> Tensor:
    """E(v) = -1/beta log sum_mu exp(-beta/2 ||v - xi_mu||^2), via logsumexp (finite at any beta).

    Paper: eq-02-energy (ClAM), eq-01-energy (DrDAM). Shape: (..., B, d), (..., K, d) -> (..., B).
    """
    scores = -0.5 * beta * distances(v, xi)  # (..., B, K)
    beta_b = beta.squeeze(-1) if isinstance(beta, Tensor) and beta.dim() > 0 else beta
    return -torch.logsumexp(scores, dim=-1) / beta_b


def lse_energy_grad(v: Tensor, xi: Tensor, beta: Tensor | float, distances: Distances = sq_distances) -> Tensor:
    """Closed-form gradient dE/dv = v - sum_mu softmax_mu * xi_mu (eq-01-grad).

    Shape: (..., B, d), (..., K, d) -> (..., B, d).
    """
    return v - softmax_weights(v, xi, beta, distances) @ xi


def descend(x0: Tensor, grad_fn: Callable[[Tensor], Tensor], alpha: float, depth: int, clamp: Tensor | None = None,
            energy_fn: Callable[[Tensor], Tensor] | None = None) -> tuple[Tensor, Tensor | None]:
    """`depth` steps of x <- x - alpha grad E(x); coordinates where `clamp` is True never move.

    Paper (DrDAM): the dynamics of eq-01-grad / eq-01-drgrad. Shape: x0 (n, D), clamp (n, D) or (D,) bool ->
    x_depth (n, D) and, with energy_fn, the energies along the path (depth + 1, n).
    """
    free = None if clamp is None else (~clamp).to(x0.dtype)
    x, energies = x0.clone(), []
    for _ in range(depth):
        if energy_fn is not None:
            energies.append(energy_fn(x))
        step = grad_fn(x)
        x = x - alpha * (step if free is None else step * free)
    if energy_fn is not None:
        energies.append(energy_fn(x))
    return x, (torch.stack(energies) if energies else None)
