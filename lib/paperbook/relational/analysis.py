"""What a positional encoding knows about the grid: a representational-similarity analysis (RSA) of its table P
(16, d) against the 4x4 grid, an MDS picture of it, and how far training moved it.

The RSA is the book's operationalisation of the paper's "uncovers ground-truth position information": over the
120 cell pairs, Spearman's rho between the cosine distances of P's rows and (a) the cells' Manhattan distance on
the grid (rho_manh), (b) the indicator "shares neither row nor column" (rho_rowcol).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial import procrustes
from scipy.spatial.distance import pdist, squareform
from scipy.stats import spearmanr
from sklearn.manifold import MDS

from .lst import SIDE


def grid_coordinates(h: int = SIDE, w: int = SIDE) -> np.ndarray:
    """(h*w, 2) (row, column) of each cell in row-major order."""
    return np.stack(np.divmod(np.arange(h * w), w), axis=1).astype(float)


def grid_alignment(P: torch.Tensor | np.ndarray, h: int = SIDE, w: int = SIDE) -> dict[str, float]:
    """rho_manh and rho_rowcol of P (h*w, d), over the h*w*(h*w-1)/2 cell pairs (condensed distance order)."""
    P = np.asarray(torch.as_tensor(P, dtype=torch.float64).detach().cpu())
    if P.shape[0] != h * w:
        raise ValueError(f"P must have {h * w} rows (one per cell), got shape {P.shape}")
    dist = pdist(P, "cosine")  # (120,)
    rc = grid_coordinates(h, w)
    manhattan = pdist(rc, "cityblock")
    apart = (pdist(rc[:, :1], "cityblock") > 0) & (pdist(rc[:, 1:], "cityblock") > 0)  # shares neither line
    return {"rho_manh": float(spearmanr(dist, manhattan).statistic),
            "rho_rowcol": float(spearmanr(dist, apart).statistic)}


def pe_mds(P: torch.Tensor | np.ndarray, seed: int = 0) -> np.ndarray:
    """(16, 2) metric MDS of P's cosine distances, Procrustes-aligned (translation, scale, rotation) to the grid's
    (row, column) coordinates so that pictures of different encodings share one orientation."""
    P = np.asarray(torch.as_tensor(P, dtype=torch.float64).detach().cpu())
    mds = MDS(n_components=2, metric="precomputed", random_state=seed, n_init=1, init="classical_mds")
    xy = mds.fit_transform(squareform(pdist(P, "cosine")))
    coords = grid_coordinates()
    _, aligned, _ = procrustes(coords, xy)  # both centred, unit Frobenius norm
    return aligned * np.linalg.norm(coords - coords.mean(0))  # in the grid's units, centred


def pe_movement(P0: torch.Tensor, PT: torch.Tensor) -> float:
    """||P_T - P_0||_F / ||P_0||_F: how far training moved a learnable encoding from its initialisation."""
    return float(torch.linalg.norm(PT - P0) / torch.linalg.norm(P0))


def random_pe_null(d: int, draws: int, *, generator: torch.Generator) -> np.ndarray:
    """(draws, 2) rho_manh, rho_rowcol of untrained N(0, 1) tables (16, d): the null of the alignment statistics."""
    return np.array([list(grid_alignment(torch.randn(SIDE * SIDE, d, generator=generator,
                                                     dtype=torch.float64)).values()) for _ in range(draws)])
