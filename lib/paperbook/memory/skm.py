"""SKM: the DCEC clustering layer used as the paper's "continuous clustering relaxation" baseline.

Guo et al. (DCEC, 2017) without the autoencoder, as the official `s_kmeans.py` applies it to the
standardised data: Student-t soft assignments q, a sharpened target p, and Adam on KL(p || q).
Written here because scikit-learn has no soft k-means of this form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..core.numerics import snap, snap_
from ..core.rng import int_seed, np_rng
from .clam import to_tensor
from .cluster_eval import evaluate, kmeans_baseline
from .energy import sq_distances


def student_t_assignments(x: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
    """q_ij proportional to (1 + ||x_i - mu_j||^2)^-1 (Student t, one degree of freedom). Shape: (n, k)."""
    q = 1.0 / (1.0 + sq_distances(x, mu))  # (n, k)
    return q / q.sum(1, keepdim=True)


def sharpened_target(q: torch.Tensor) -> torch.Tensor:
    """p_ij proportional to q_ij^2 / f_j with cluster frequency f_j = sum_i q_ij. Shape: (n, k)."""
    p = q**2 / q.sum(0)
    return p / p.sum(1, keepdim=True)


def dcec_soft_kmeans(X: np.ndarray, k: int, *, update_interval: int, lr: float = 1e-3, tol: float = 1e-4,
                     maxiter: int = 1000, init: str = "kmeans", seed: int = 0, device="cpu") -> np.ndarray:
    """Labels after full-batch DCEC training: the target p is refreshed every `update_interval` steps and
    training stops once fewer than `tol` of the labels change between refreshes. The initial centres draw from
    the stream (seed, "skm", "init")."""
    if update_interval < 1:
        raise ValueError(f"update_interval must be >= 1, got {update_interval}")
    x = to_tensor(X, device, torch.float64)
    if init == "kmeans":
        labels0 = kmeans_baseline(X, k, n_init=20, seed=int_seed(seed, "skm", "init"))
        centers = np.stack([X[labels0 == j].mean(0) for j in range(k)])
    elif init == "random":
        centers = X[np_rng(seed, "skm", "init").choice(len(X), k, replace=False)]
    else:
        raise ValueError(f"init must be 'kmeans' or 'random', got {init!r}")
    mu = torch.nn.Parameter(snap(torch.as_tensor(centers, dtype=torch.float64, device=x.device)))  # (k, d)
    opt = torch.optim.Adam([mu], lr=lr, eps=1e-7)
    labels = None
    for step in range(maxiter):
        if step % update_interval == 0:
            with torch.no_grad():
                q = student_t_assignments(x, mu)
                p = sharpened_target(q)  # (n, k), held fixed until the next refresh
                new = q.argmax(1)
            if labels is not None and (new != labels).double().mean() < tol:
                break
            labels = new
        q = student_t_assignments(x, mu)
        loss = (p * (p.log() - q.log())).sum() / len(x)  # KL(p || q), batch mean
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        snap_([mu])  # paperbook.core.numerics: reproducible on another CPU
    with torch.no_grad():
        return student_t_assignments(x, mu).argmax(1).cpu().numpy()


def skm_grid(X: np.ndarray, k: int, y=None, *, update_intervals, seed: int = 0, device="cpu",
             min_size: int = 1) -> pd.DataFrame:
    """SKM over the official update-interval grid (k-means init); one row per interval with its scores
    (cluster_eval.evaluate). Every interval starts from the same centres (the grid compares settings, not
    initialisations)."""
    rows = [{"update_interval": ui, **evaluate(X, dcec_soft_kmeans(X, k, update_interval=ui, seed=seed,
                                                                   device=device), y, min_size=min_size)}
            for ui in update_intervals]
    return pd.DataFrame(rows)
