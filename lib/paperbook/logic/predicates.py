"""Input predicates "x_j > t" from the split thresholds of a small random forest.

The official code uses aix360's FeatureBinarizerFromTrees (10 trees, depth 5, half the features per split); this
is the same idea in a few lines of scikit-learn, emitting only the "x_j > t" columns: a negative weight in the
input layer reads the complement "x_j <= t".
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.ensemble import RandomForestClassifier

Threshold = tuple[int, float]  # (feature j, threshold t): the predicate x_j > t
SIGNIFICANT = 4  # digits kept of each threshold; explain.to_text prints as many


def tree_thresholds(X: np.ndarray, y: np.ndarray, n_trees: int = 10, max_depth: int = 5, max_features: float = 0.5,
                    max_per_feature: int = 16, seed: int = 0) -> list[Threshold]:
    """The distinct split thresholds of a seeded random forest on (X, y), rounded to SIGNIFICANT digits (as
    aix360 rounds to 3 decimals: the printed rule is then exactly the certified one), sorted by feature then
    threshold; a feature with more than max_per_feature keeps that many, evenly spaced in rank."""
    forest = RandomForestClassifier(n_estimators=n_trees, max_depth=max_depth, max_features=max_features,
                                    random_state=seed, n_jobs=1).fit(X, y)
    by_feature: dict[int, set[float]] = {}
    for tree in forest.estimators_:
        split = tree.tree_.feature >= 0  # leaves have feature -2
        for j, t in zip(tree.tree_.feature[split], tree.tree_.threshold[split]):
            by_feature.setdefault(int(j), set()).add(float(f"{t:.{SIGNIFICANT}g}"))
    out = []
    for j in sorted(by_feature):
        ts = np.array(sorted(by_feature[j]))
        if len(ts) > max_per_feature:
            ts = ts[np.unique(np.linspace(0, len(ts) - 1, max_per_feature).round().astype(int))]
        out += [(j, float(t)) for t in ts]
    return out


def binarize(X: np.ndarray, thresholds: Sequence[Threshold]) -> np.ndarray:
    """(n, d) raw features -> (n, len(thresholds)) float32 truths of x_j > t."""
    if not thresholds:
        raise ValueError("no thresholds: the forest made no splits (is y constant?)")
    j = np.array([f for f, _ in thresholds])
    t = np.array([v for _, v in thresholds])
    return (np.asarray(X, float)[:, j] > t).astype(np.float32)

