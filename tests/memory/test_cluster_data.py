"""Clustering data sets: exact shapes and class counts, standardisation, and the paper's 2-D generators."""

import numpy as np
import pytest

from paperbook.memory.cluster_data import DATASETS, elongated_gaussians, load_clustering, voronoi_grid

SHAPES = {"iris": (150, 4, 3), "wine": (178, 13, 3), "breast_cancer": (569, 30, 2), "digits": (1797, 64, 10),
          "blobs": (500, 10, 5), "movement_libras": (360, 90, 15), "segment": (2310, 19, 7)}
UNLABELLED_SHAPES = {"zoo": (101, 16, 7), "ecoli": (336, 7, 8)}  # the paper's class counts; labels binarised


def test_every_declared_dataset_is_covered():
    assert set(DATASETS) == set(SHAPES) | set(UNLABELLED_SHAPES)


@pytest.mark.parametrize("name", sorted(SHAPES | UNLABELLED_SHAPES))
def test_shape_k_and_standardisation(name):
    X, y, k = load_clustering(name)
    n, d, k_expected = (SHAPES | UNLABELLED_SHAPES)[name]
    assert X.shape == (n, d) and k == k_expected
    if name in SHAPES:
        assert y.shape == (n,) and k == np.unique(y).size
    else:
        assert y is None  # no labels to score NMI/ARI against
    assert np.isfinite(X).all()
    assert np.abs(X.mean(0)).max() < 1e-8
    std = X.std(0)
    varying = std > 1e-12  # StandardScaler leaves constant columns at 0
    assert varying.sum() >= d - 3  # only digits has constant (always-blank) pixel columns
    assert (X[:, ~varying] == 0).all()
    np.testing.assert_allclose(std[varying], 1.0, atol=1e-8)


def test_unknown_dataset_raises():
    with pytest.raises(ValueError, match="unknown data set"):
        load_clustering("mnist")


def test_voronoi_grid():
    g = voronoi_grid(200)
    assert g.shape == (40000, 2)
    np.testing.assert_array_equal(g[0], [0.0, 0.0])
    np.testing.assert_array_equal(g[-1], [1.0, 1.0])
    assert g.min() == 0.0 and g.max() == 1.0
    assert len(np.unique(g[:, 0])) == 200 and len(np.unique(g, axis=0)) == 40000


def test_elongated_gaussians_sizes_and_determinism():
    X, y = elongated_gaussians(1000)
    sizes = np.bincount(y)
    assert len(sizes) == 3
    assert 250 <= sizes[0] <= 300 and 100 <= sizes[1] <= 150 and 200 <= sizes[2] <= 250
    assert X.shape == (sizes.sum(), 2)
    # the three clusters sit around x = 0.2, 0.5, 0.8
    np.testing.assert_allclose([X[y == c, 0].mean() for c in range(3)], [0.2, 0.5, 0.8], atol=0.05)
    X2, y2 = elongated_gaussians(1000)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = elongated_gaussians(1001)
    assert X3.shape != X.shape or not np.array_equal(X3, X)
