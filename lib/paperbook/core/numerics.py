"""Training that another CPU reproduces: parameters kept on a fixed grid.

Gradient training is chaotic: a 1e-15 change of the data (what another CPU's BLAS or vectorised exp produces)
moves ClAM's silhouette by up to 0.03 after 30 epochs. Rounding the parameters to GRID after every optimiser step
absorbs such last-bit differences: two machines then follow the same trajectory unless an update lands within
~1e-17 of a rounding boundary. GRID (6e-8) is far above float64 noise on O(1) parameters and below the steps that
matter: Adam's steps are of order the learning rate (>= 1e-6 here); an update under 3e-8 is rounded away.
"""

from __future__ import annotations

from typing import Iterable

import torch

GRID = 2.0 ** -24


def snap(t: torch.Tensor, grid: float = GRID) -> torch.Tensor:
    """t rounded to the nearest multiple of grid."""
    return torch.round(t / grid) * grid


@torch.no_grad()
def snap_(params: Iterable[torch.Tensor], grid: float = GRID) -> None:
    """Round parameters in place (call after every optimiser step)."""
    for p in params:
        p.copy_(snap(p, grid))
