"""Clustering metrics, the agglomerative baseline grid and the basins-vs-Voronoi golden values."""

import numpy as np
import pytest

from paperbook.memory.cluster_data import BASIN_MEMORIES, load_clustering, voronoi_grid
from paperbook.memory.cluster_eval import (
    agglomerative_grid,
    basin_maps,
    effective_size,
    evaluate,
    n_nonempty,
    voronoi_agreement,
)


@pytest.fixture(scope="module")
def two_blobs():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0.0, 0.1, (20, 2)), rng.normal(3.0, 0.1, (20, 2))])
    y = np.repeat([0, 1], 20)
    return X, y


def test_single_cluster_scores_minus_one(two_blobs):
    X, _ = two_blobs
    out = evaluate(X, np.full(len(X), 2))
    assert out == {"sc": -1.0, "n_nonempty": 1, "n_effective": 1, "sizes": "40"}


def test_n_nonempty_counts_used_labels_only(two_blobs):
    X, y = two_blobs
    labels = np.where(y == 0, 0, 2)  # prototypes 0 and 2 of k = 3; prototype 1 is empty
    assert n_nonempty(labels) == 2
    out = evaluate(X, labels)
    assert out["n_nonempty"] == 2 and out["sc"] > 0.9


def test_a_split_with_a_tiny_cluster_has_fewer_effective_clusters(two_blobs):
    X, y = two_blobs
    labels = y.copy()
    labels[:2] = 2  # blob 0 split 18/2: three non-empty clusters, two of at least 5 samples
    out = evaluate(X, labels, min_size=5)
    assert (out["n_nonempty"], out["n_effective"], out["sizes"]) == (3, 2, "20/18/2")
    assert evaluate(X, labels)["n_effective"] == 3  # min_size 1: every non-empty cluster counts


@pytest.mark.parametrize("n, given, size", [(40, 0, 5), (569, 0, 6), (2310, 0, 24), (569, 3, 3)])
def test_effective_size_is_max_of_5_and_1_percent_unless_given(n, given, size):
    assert effective_size(n, given) == size


def test_nmi_ari_reported_only_with_ground_truth(two_blobs):
    X, y = two_blobs
    assert set(evaluate(X, y)) == {"sc", "n_nonempty", "n_effective", "sizes"}
    scored = evaluate(X, 1 - y, y)  # relabelled perfect clustering
    assert set(scored) == {"sc", "n_nonempty", "n_effective", "sizes", "nmi", "ari"}
    assert scored["nmi"] == pytest.approx(1.0) and scored["ari"] == pytest.approx(1.0)


def test_voronoi_agreement_golden_values():
    betas = [5, 15, 30, 40, 75, 200]
    golden = [0.705, 0.891, 0.975, 0.986, 0.996, 0.999]
    table = voronoi_agreement(basin_maps(BASIN_MEMORIES, voronoi_grid(200), betas, alpha=0.1, steps=10))
    assert table["beta"].tolist() == [float(b) for b in betas]
    np.testing.assert_allclose(table["agreement"], golden, atol=0.01)
    assert table["agreement"].is_monotonic_increasing


def test_agglomerative_grid_on_iris():
    X, y, k = load_clustering("iris")
    table = agglomerative_grid(X, k, y)
    assert len(table) == 1 + 3 * 3  # ward (euclidean only) + 3 linkages x 3 metrics
    assert {"linkage", "metric", "sc", "n_nonempty", "nmi", "ari"} <= set(table.columns)
    assert table["n_nonempty"].between(1, k).all()
    assert (table["n_nonempty"] == k).any()
    assert table["sc"].between(-1, 1).all()
