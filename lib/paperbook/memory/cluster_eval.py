"""Clustering metrics and scikit-learn baselines, as the ClAM paper scores them (silhouette first)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn.cluster import AgglomerativeClustering, KMeans, SpectralClustering
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score

from ..core.rng import int_seed
from .clam import assign


def n_nonempty(labels: np.ndarray) -> int:
    """Number of clusters actually used (prototypes that own at least one sample)."""
    return int(np.unique(labels).size)


def evaluate(X: np.ndarray, labels: np.ndarray, y: np.ndarray | None = None) -> dict:
    """SC (Euclidean, on every sample: our sets are below the official sample_size of 100000; -1 for a
    single cluster, as the official code), NMI, ARI and n_nonempty."""
    labels = np.asarray(labels)
    used = n_nonempty(labels)
    sc = -1.0 if used < 2 else float(silhouette_score(X, labels, metric="euclidean"))
    out = {"sc": sc, "n_nonempty": used}
    if y is not None:
        out["nmi"] = float(normalized_mutual_info_score(y, labels))
        out["ari"] = float(adjusted_rand_score(y, labels))
    return out


def kmeans_baseline(X: np.ndarray, k: int, n_init: int = 100, max_iter: int = 1000, seed: int = 0) -> np.ndarray:
    """k-means++ keeping the best-inertia run of n_init (not the best SC), as the official baseline; its
    restarts draw from the stream (seed, "kmeans")."""
    model = KMeans(k, init="k-means++", n_init=n_init, max_iter=max_iter, random_state=int_seed(seed, "kmeans"))
    return model.fit_predict(X)


def spectral_grid(X: np.ndarray, k: int, y=None, *, seed: int = 0, n_init: int = 10) -> pd.DataFrame:
    """Spectral clustering over the official affinity grid (nearest-neighbour sizes and RBF gammas); every
    setting draws from the stream (seed, "spectral")."""
    settings = [{"affinity": "nearest_neighbors", "n_neighbors": nn} for nn in (10, 15, 20, 50)]
    settings += [{"affinity": "rbf", "gamma": g} for g in (0.01, 0.1, 1.0)]
    rows, state = [], int_seed(seed, "spectral")
    for s in settings:
        for how in ("kmeans", "discretize"):
            model = SpectralClustering(k, assign_labels=how, random_state=state, n_init=n_init, **s)
            rows.append({**s, "assign_labels": how, **evaluate(X, model.fit_predict(X), y)})
    return pd.DataFrame(rows)


def agglomerative_grid(X: np.ndarray, k: int, y=None) -> pd.DataFrame:
    """Agglomerative clustering over metric x linkage (sklearn >= 1.4 spells it `metric=`)."""
    rows = []
    for linkage in ("ward", "complete", "average", "single"):
        for metric in (("euclidean",) if linkage == "ward" else ("euclidean", "manhattan", "cosine")):
            labels = AgglomerativeClustering(k, metric=metric, linkage=linkage).fit_predict(X)
            rows.append({"linkage": linkage, "metric": metric, **evaluate(X, labels, y)})
    return pd.DataFrame(rows)


def basin_maps(rho: np.ndarray, grid: np.ndarray, betas, *, alpha: float = 0.1, steps: int = 10) -> dict:
    """Label of every grid point: its Voronoi cell ("voronoi") and its AM basin after `steps` steps, per beta."""
    r = torch.as_tensor(rho, dtype=torch.float64)  # (k, 2)
    g = torch.as_tensor(grid, dtype=torch.float64)  # (n*n, 2)
    maps = {"voronoi": assign(g, r, 1.0, alpha, steps, how="nearest").numpy()}
    maps.update({float(b): assign(g, r, float(b), alpha, steps).numpy() for b in betas})
    return maps


def voronoi_agreement(maps: dict) -> pd.DataFrame:
    """Fraction of grid points whose AM basin equals their Voronoi cell, per beta (from basin_maps)."""
    return pd.DataFrame([{"beta": b, "agreement": float(np.mean(m == maps["voronoi"]))}
                         for b, m in maps.items() if b != "voronoi"])
