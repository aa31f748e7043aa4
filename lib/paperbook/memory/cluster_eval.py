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


def effective_size(n: int, min_cluster_size: int = 0) -> int:
    """The fewest samples a cluster needs to count as one: `min_cluster_size`, or for 0 max(5, 1% of n)
    (a 567/2 split of 569 samples is one cluster and two outliers, not two clusters)."""
    return min_cluster_size or max(5, -(-n // 100))


def cluster_sizes(labels: np.ndarray) -> str:
    """Sizes of the non-empty clusters, largest first, as "326/9/1"."""
    return "/".join(str(c) for c in sorted(np.unique(labels, return_counts=True)[1], reverse=True))


def evaluate(X: np.ndarray, labels: np.ndarray, y: np.ndarray | None = None, *, min_size: int = 1) -> dict:
    """SC (Euclidean, on every sample: our sets are below the official sample_size of 100000; -1 for a
    single cluster, as the official code), NMI and ARI (when y is given), n_nonempty, n_effective (clusters of
    at least `min_size` samples) and the cluster sizes."""
    labels = np.asarray(labels)
    used = n_nonempty(labels)
    sc = -1.0 if used < 2 else float(silhouette_score(X, labels, metric="euclidean"))
    counts = np.unique(labels, return_counts=True)[1]
    out = {"sc": sc, "n_nonempty": used, "n_effective": int((counts >= min_size).sum()),
           "sizes": cluster_sizes(labels)}
    if y is not None:
        out["nmi"] = float(normalized_mutual_info_score(y, labels))
        out["ari"] = float(adjusted_rand_score(y, labels))
    return out


def kmeans_baseline(X: np.ndarray, k: int, n_init: int = 100, max_iter: int = 1000, seed: int = 0) -> np.ndarray:
    """k-means++ keeping the best-inertia run of n_init (not the best SC), as the official baseline; its
    restarts draw from the stream (seed, "kmeans")."""
    model = KMeans(k, init="k-means++", n_init=n_init, max_iter=max_iter, random_state=int_seed(seed, "kmeans"))
    return model.fit_predict(X)


def spectral_grid(X: np.ndarray, k: int, y=None, *, seed: int = 0, n_init: int = 10,
                  min_size: int = 1) -> pd.DataFrame:
    """Spectral clustering over the official affinity grid (nearest-neighbour sizes and RBF gammas); every
    setting draws from the stream (seed, "spectral")."""
    settings = [{"affinity": "nearest_neighbors", "n_neighbors": nn} for nn in (10, 15, 20, 50)]
    settings += [{"affinity": "rbf", "gamma": g} for g in (0.01, 0.1, 1.0)]
    rows, state = [], int_seed(seed, "spectral")
    for s in settings:
        for how in ("kmeans", "discretize"):
            model = SpectralClustering(k, assign_labels=how, random_state=state, n_init=n_init, **s)
            rows.append({**s, "assign_labels": how, **evaluate(X, model.fit_predict(X), y, min_size=min_size)})
    return pd.DataFrame(rows)


def agglomerative_grid(X: np.ndarray, k: int, y=None, *, min_size: int = 1) -> pd.DataFrame:
    """Agglomerative clustering over metric x linkage (sklearn >= 1.4 spells it `metric=`)."""
    rows = []
    for linkage in ("ward", "complete", "average", "single"):
        for metric in (("euclidean",) if linkage == "ward" else ("euclidean", "manhattan", "cosine")):
            labels = AgglomerativeClustering(k, metric=metric, linkage=linkage).fit_predict(X)
            rows.append({"linkage": linkage, "metric": metric, **evaluate(X, labels, y, min_size=min_size)})
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
