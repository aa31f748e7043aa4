"""MrDAM (one row per memory) and DrDAM (all memories summed into one random-feature vector T).

Paper (Hoover et al. 2024): MrDAM energy eq-01-energy and gradient eq-01-grad; DrDAM energy eq-01-drdam and
gradient eq-01-drgrad. Both expose energy, grad, descend and n_params, so experiments treat them alike.
"""

from __future__ import annotations

import math
from typing import Callable

import torch
from torch import Tensor

from .energy import descend, lse_energy, lse_energy_grad, sq_distances_mm
from .features import TRIG, RandomFeatureMap

OFFICIAL_EPS = 1e-5  # official clip of <phi, T> for the trig maps (0 for the positive maps)


class DenseAM:
    """What both models share: gradient-descent dynamics on their energy (a subclass defines `grad`)."""

    def grad(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def descend(self, q: Tensor, alpha: float, depth: int, clamp: Tensor | None = None,
                energy_fn: Callable[[Tensor], Tensor] | None = None) -> tuple[Tensor, Tensor | None]:
        """`depth` gradient steps from q with `clamp`ed coordinates fixed; energy_fn is recorded along the path."""
        return descend(q, self.grad, alpha, depth, clamp, energy_fn)


class MrDAM(DenseAM):
    """The conventional Dense AM: memories xi (K, D) kept as rows; K*D parameters."""

    def __init__(self, xi: Tensor, beta: float):
        self.xi, self.beta = xi, float(beta)  # memories Xi, (K, D)
        self.n_params = xi.numel()

    def energy(self, x: Tensor) -> Tensor:
        """E(x), eq-01-energy. Shape: (n, D) -> (n,)."""
        return lse_energy(x, self.xi, self.beta, sq_distances_mm)

    def grad(self, x: Tensor) -> Tensor:
        """grad E(x) = x - softmax(...) @ xi, eq-01-grad. Shape: (n, D) -> (n, D)."""
        return lse_energy_grad(x, self.xi, self.beta, sq_distances_mm)


class DrDAM(DenseAM):
    """The distributed Dense AM: T = sum_mu phi(xi_mu), a vector of fixed size F whatever the number of memories.

    <phi(x), T> estimates sum_mu exp(-beta/2 ||x - xi_mu||^2); estimates below eps (trig maps only) are
    clipped to eps as in the official code, which saturates the energy at log(1/eps)/beta and zeroes the gradient.
    """

    def __init__(self, fmap: RandomFeatureMap, eps: float | None = None):
        self.fmap, self.beta = fmap, fmap.cfg.beta
        self.eps = (OFFICIAL_EPS if fmap.cfg.kind in TRIG else 0.0) if eps is None else float(eps)
        self.T = torch.zeros(fmap.feature_dim, dtype=fmap.omega.dtype, device=fmap.omega.device)  # (F,)
        self.n_params = fmap.feature_dim

    def store(self, xi: Tensor) -> "DrDAM":
        """T = sum_mu phi(xi_mu) (eq-01-drdam); replaces what was stored."""
        self.T = self.fmap.summed(xi)
        return self

    def add(self, xi_new: Tensor) -> None:
        """Store more memories by modifying the weights: T <- T + sum phi(xi_new). Shape: (k, D)."""
        self.T = self.T + self.fmap.summed(xi_new)

    def remove(self, xi_old: Tensor) -> None:
        """Forget memories: T <- T - sum phi(xi_old). Shape: (k, D)."""
        self.T = self.T - self.fmap.summed(xi_old)

    def similarity(self, x: Tensor) -> Tensor:
        """<phi(x), T>, the estimate of sum_mu kappa(x, xi_mu). Shape: (n, D) -> (n,)."""
        return self.fmap.project_and_vjp(x, self.T, need_vjp=False)[0]

    def _inside(self, dot: Tensor) -> Tensor:
        """Where the estimate is used as it is (not clipped). Shape: (n,) -> (n,) bool."""
        return dot >= self.eps if self.eps > 0 else dot > 0

    def clamped(self, x: Tensor) -> Tensor:
        """True where the estimate is clipped (energy saturated, gradient zero). Shape: (n, D) -> (n,) bool."""
        return ~self._inside(self.similarity(x))

    def _energy_of(self, dot: Tensor) -> Tensor:
        return -torch.log(dot.clamp_min(self.eps)) / self.beta

    def energy(self, x: Tensor) -> Tensor:
        """E^(x) = -1/beta log max(<phi(x), T>, eps), eq-01-drdam. Shape: (n, D) -> (n,)."""
        return self._energy_of(self.similarity(x))

    def evaluate(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(energy (n,), gradient (n, D), clamped (n,) bool) from one pass over the features.

        The gradient is eq-01-drgrad, -[d phi(x)/dx]^T T / (beta <phi(x), T>), and zero where clamped.
        """
        dot, vjp = self.fmap.project_and_vjp(x, self.T)  # (n,), (n, D)
        inside = self._inside(dot)
        safe = dot.where(inside, torch.ones_like(dot))
        energy = self._energy_of(dot)
        grad = vjp * torch.where(inside, -1.0 / (self.beta * safe), 0.0).unsqueeze(-1)
        return energy, grad, ~inside

    def grad(self, x: Tensor) -> Tensor:
        """grad E^(x), eq-01-drgrad; zero where clamped. Shape: (n, D) -> (n, D)."""
        return self.evaluate(x)[1]


def saturation_energy(beta: float, eps: float = OFFICIAL_EPS) -> float:
    """The clipped energy log(1/eps)/beta that every clamped query gets."""
    return math.log(1.0 / eps) / beta
