"""Explanations of a fitted R-NRN that are sufficient by construction, and the checks that certify them.

An explanation of row x is a conjunction S of conditions "x_j > t" or "x_j <= t" on raw features, each threshold
one of the network's predicates. S pins every predicate it implies (x_j > a implies x_j > t for every t <= a) and
leaves the others free in [0, 1]. Interval propagation through the network (NRN.bounds: exact per neuron, sound
for the network) then bounds the output over every input that satisfies S; S is sufficient when the decision is
the same at every point of that box. The official code's textual explanations solve for required truths instead
and are not guaranteed sufficient; this one is ours.

`sufficient_explanation` grows S greedily (each step adds the condition of x that most improves the certified
margin), then drops every condition not needed. Invariant A (`completion_agreement`) samples inputs that satisfy
S; invariant B (`rule_agreement`) checks the test rows that satisfy S.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from .predicates import SIGNIFICANT
from .train import RNRNClassifier, decide

Condition = tuple[int, str, float]  # (feature j, ">" or "<=", threshold t)


@dataclass(frozen=True)
class Explanation:
    """The sufficient conjunction for one row, the decided class index and the certified output bounds."""

    conditions: tuple[Condition, ...]
    decision: int
    lower: tuple[float, ...]
    upper: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.conditions)


def simplify(conditions: Sequence[Condition]) -> list[Condition]:
    """The same conjunction with at most one ">" (the largest t) and one "<=" (the smallest t) per feature,
    sorted by feature."""
    lower: dict[int, float] = {}
    upper: dict[int, float] = {}
    for j, op, t in conditions:
        if op == ">":
            lower[j] = max(t, lower.get(j, -np.inf))
        elif op == "<=":
            upper[j] = min(t, upper.get(j, np.inf))
        else:
            raise ValueError(f"a condition's operator is '>' or '<=', got {op!r}")
    out = [(j, ">", lower[j]) for j in lower] + [(j, "<=", upper[j]) for j in upper]
    return sorted(out, key=lambda c: (c[0], c[1] == "<="))


def rule_holds(conditions: Sequence[Condition], X: np.ndarray) -> np.ndarray:
    """(n,) bool: rows of raw X (n, d) that satisfy every condition."""
    X = np.asarray(X, float)
    ok = np.ones(len(X), bool)
    for j, op, t in conditions:
        ok &= X[:, j] > t if op == ">" else X[:, j] <= t
    return ok


def to_text(conditions: Sequence[Condition], names: Sequence[str], style: str = "logical") -> str:
    """'fConc > 0.23 AND fAlpha <= 12.1' (logical) or 'fConc is above 0.23 and fAlpha is at most 12.1'
    (natural), after `simplify`; 'TRUE' for the empty conjunction. Thresholds print with the SIGNIFICANT digits
    the predicates were rounded to, so the text is the certified rule."""
    words = {"logical": (" > ", " <= ", " AND "), "natural": (" is above ", " is at most ", " and ")}
    if style not in words:
        raise ValueError(f"style must be one of {tuple(words)}, got {style!r}")
    above, at_most, join = words[style]
    parts = [f"{names[j]}{above if op == '>' else at_most}{t:.{SIGNIFICANT}g}" for j, op, t in simplify(conditions)]
    return join.join(parts) if parts else "TRUE"


def predicate_box(clf: RNRNClassifier, rules: Sequence[Sequence[Condition]]) -> tuple[torch.Tensor, torch.Tensor]:
    """(K, n_predicates) lower and upper truths of every predicate over the inputs satisfying each rule."""
    feature = np.array([j for j, _ in clf.thresholds_])
    t = np.array([v for _, v in clf.thresholds_])
    lo, hi = np.zeros((len(rules), len(t))), np.ones((len(rules), len(t)))
    for k, rule in enumerate(rules):
        for j, op, v in rule:
            on_j = feature == j
            if op == ">":
                lo[k, on_j & (t <= v)] = 1.0  # x_j > v >= t
            else:
                hi[k, on_j & (t >= v)] = 0.0  # x_j <= v <= t
    return clf._tensor(lo), clf._tensor(hi)


def certified(lo: np.ndarray, hi: np.ndarray, decision: int) -> np.ndarray:
    """(K,) bool: the decision is the same everywhere in each output box, lo and hi (K, C). One channel: lo > 0.5
    for class 1, hi <= 0.5 for class 0; several: the decided channel beats every other (ties go to the lower
    index, as argmax does)."""
    if lo.shape[1] == 1:
        return lo[:, 0] > 0.5 if decision == 1 else hi[:, 0] <= 0.5
    others = np.delete(np.arange(lo.shape[1]), decision)
    beats = (lo[:, [decision]] > hi[:, others]) | ((lo[:, [decision]] >= hi[:, others]) & (others > decision))
    return beats.all(1)


def margin(lo: np.ndarray, hi: np.ndarray, decision: int) -> np.ndarray:
    """(K,) how far each output box is inside the decided region (positive once certified, up to ties)."""
    if lo.shape[1] == 1:
        return lo[:, 0] - 0.5 if decision == 1 else 0.5 - hi[:, 0]
    return lo[:, decision] - np.delete(hi, decision, axis=1).max(1)


def sufficient_explanation(clf: RNRNClassifier, x: np.ndarray) -> Explanation:
    """A sufficient conjunction of conditions that hold at the raw row x (d,): greedy growth, then pruning."""
    x = np.asarray(x, float)
    decision = int(decide(clf.truth(x[None]))[0])
    connected = np.unique(clf.model_.input_layer.index.cpu().numpy())
    candidates = [(clf.thresholds_[i][0], ">" if x[clf.thresholds_[i][0]] > clf.thresholds_[i][1] else "<=",
                   clf.thresholds_[i][1]) for i in connected]

    def bounds_of(rules):
        lo, hi = clf.model_.bounds(*predicate_box(clf, rules))
        return lo.detach().cpu().numpy(), hi.detach().cpu().numpy()

    chosen: list[Condition] = []
    lo, hi = bounds_of([chosen])
    while not certified(lo, hi, decision)[0]:
        rest = [c for c in candidates if c not in chosen]
        if not rest:
            raise RuntimeError("every connected predicate is pinned and the decision is still not certified")
        trial_lo, trial_hi = bounds_of([chosen + [c] for c in rest])
        best = int(np.argmax(margin(trial_lo, trial_hi, decision)))
        chosen.append(rest[best])
        lo, hi = trial_lo[[best]], trial_hi[[best]]
    for c in list(reversed(chosen)):
        without = [d for d in chosen if d != c]
        w_lo, w_hi = bounds_of([without])
        if certified(w_lo, w_hi, decision)[0]:
            chosen, lo, hi = without, w_lo, w_hi
    return Explanation(tuple(simplify(chosen)), decision, tuple(lo[0].tolist()), tuple(hi[0].tolist()))


def completions(clf: RNRNClassifier, conditions: Sequence[Condition], n: int, n_features: int,
                rng: np.random.Generator) -> np.ndarray:
    """(n, n_features) raw rows that satisfy the conditions, covering every consistent pattern of the network's
    predicates: per feature, a uniformly drawn cell between consecutive allowed thresholds, at its midpoint."""
    X = np.zeros((n, n_features))
    lower, upper = {}, {}
    for j, op, t in simplify(conditions):
        (lower if op == ">" else upper)[j] = t
    for j in {f for f, _ in clf.thresholds_}:
        ts = np.array(sorted(t for f, t in clf.thresholds_ if f == j))
        edges = np.concatenate([[ts[0] - 1.0], ts, [ts[-1] + 1.0]])
        mids = (edges[:-1] + edges[1:]) / 2  # one value inside each of the len(ts) + 1 cells
        allowed = mids[(mids > lower.get(j, -np.inf)) & (mids <= upper.get(j, np.inf))]
        X[:, j] = rng.choice(allowed, size=n)
    return X


def completion_agreement(clf: RNRNClassifier, explanation: Explanation, n: int, n_features: int,
                         rng: np.random.Generator) -> float:
    """Invariant A: the fraction of n random inputs satisfying the explanation that get its decision (1.0)."""
    X = completions(clf, explanation.conditions, n, n_features, rng)
    if not rule_holds(explanation.conditions, X).all():
        raise AssertionError("a completion violates the conditions it was drawn from")
    return float((decide(clf.truth(X)) == explanation.decision).mean())


def rule_agreement(clf: RNRNClassifier, explanation: Explanation, X: np.ndarray) -> tuple[int, int]:
    """Invariant B on rows X: (rows satisfying the explanation, how many of them get another decision)."""
    holds = rule_holds(explanation.conditions, X)
    if not holds.any():
        return 0, 0
    return int(holds.sum()), int((decide(clf.truth(X[holds])) != explanation.decision).sum())


def feature_importance(clf: RNRNClassifier, explanations: Sequence[Explanation], n_features: int) -> np.ndarray:
    """(n_features,) over the explained rows: Σ |w| of the input connections reading each predicate that an
    explanation pins, credited to the predicate's feature. The official code likewise sums the weights of the
    literals in its sample explanations ("weight" importances); a weight alone is no measure, since a saturated
    neuron's weights can be large and unused."""
    layer = clf.model_.input_layer
    weight_of = np.zeros(len(clf.thresholds_))  # Σ |w| of the connections reading each predicate
    np.add.at(weight_of, layer.index.cpu().numpy().ravel(), layer.weight.detach().abs().cpu().numpy().ravel())
    position = {threshold: i for i, threshold in enumerate(clf.thresholds_)}
    out = np.zeros(n_features)
    for e in explanations:
        for j, _, t in e.conditions:
            out[j] += weight_of[position[(j, t)]]
    return out


def deletion_curve(predict_proba: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray,
                   order: Sequence[int], rng: np.random.Generator, repeats: int = 3) -> np.ndarray:
    """(len(order) + 1,) test ROC AUC after permuting the rows of the first k columns of `order`, k = 0, 1, ...,
    averaged over `repeats` permutations (the paper's incremental deletion; a steeper fall = better importances)."""
    return deletion_curves(predict_proba, X, y, order, rng, repeats).mean(0)


def deletion_curves(predict_proba: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray,
                    order: Sequence[int], rng: np.random.Generator, repeats: int = 3) -> np.ndarray:
    """(repeats, len(order) + 1): the deletion curve of each permutation repeat, before `deletion_curve` averages
    them."""
    curves = np.zeros((repeats, len(order) + 1))
    for r in range(repeats):
        Xp = np.array(X, float, copy=True)
        curves[r, 0] = binary_auc(y, predict_proba(Xp))
        for k, j in enumerate(order, start=1):
            Xp[:, j] = Xp[rng.permutation(len(Xp)), j]
            curves[r, k] = binary_auc(y, predict_proba(Xp))
    return curves


def binary_auc(y: np.ndarray, proba: np.ndarray) -> float:
    """ROC AUC of the positive column for two classes, one-vs-rest macro average otherwise."""
    return float(roc_auc_score(y, proba[:, 1]) if proba.shape[1] == 2 else
                 roc_auc_score(y, proba, multi_class="ovr"))
