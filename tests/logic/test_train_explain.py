"""The scikit-learn classifier, its determinism, and sufficient explanations (invariants A and B)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from paperbook.logic.data import load_tabular
from paperbook.logic.explain import (
    certified,
    completion_agreement,
    deletion_curve,
    feature_importance,
    predicate_box,
    rule_agreement,
    rule_holds,
    simplify,
    sufficient_explanation,
    to_text,
)
from paperbook.logic.train import RNRNClassifier

FAST = dict(epochs=12, patience=6, prune_plateau=2, lr=0.02)


@pytest.fixture(scope="module")
def rules():
    return load_tabular("synthetic_rules", n_train_max=1500, test_size=0.25, seed=0)


@pytest.fixture(scope="module")
def fitted(rules):
    return RNRNClassifier(seed=0, **FAST).fit(rules.X_train, rules.y_train)


def test_sklearn_api_and_threshold(fitted, rules):
    c = clone(fitted)
    assert c.get_params() == fitted.get_params() and not hasattr(c, "model_")
    assert c.set_params(epochs=3).epochs == 3
    truth = fitted.truth(rules.X_test)[:, 0]
    assert np.array_equal(fitted.predict(rules.X_test), (truth > 0.5).astype(int))  # not the batch median
    assert np.allclose(fitted.predict_proba(rules.X_test).sum(1), 1)
    assert roc_auc_score(rules.y_test, truth) > 0.8


def test_same_seed_same_model(fitted, rules):
    again = RNRNClassifier(seed=0, **FAST).fit(rules.X_train, rules.y_train)
    assert abs(roc_auc_score(rules.y_test, again.truth(rules.X_test)[:, 0]) -
               roc_auc_score(rules.y_test, fitted.truth(rules.X_test)[:, 0])) <= 1e-12
    assert any(h["pruned"] for h in fitted.history_)


def test_bandit_rewires_only_the_input_layer(rules):
    static = RNRNClassifier(seed=0, bandit=False, **FAST).fit(rules.X_train, rules.y_train)
    bandit = RNRNClassifier(seed=0, **FAST).fit(rules.X_train, rules.y_train)
    deep = [(s.index, b.index) for s, b in zip(static.model_.layers[1:], bandit.model_.layers[1:])]
    assert all(np.array_equal(s, b) for s, b in deep)
    assert not np.array_equal(static.model_.input_layer.index, bandit.model_.input_layer.index)


def test_multiclass_is_one_vs_rest():
    s = load_tabular("iris", n_train_max=4000, test_size=0.3, seed=0)
    clf = RNRNClassifier(seed=0, **FAST).fit(s.X_train, s.y_train)
    assert clf.model_.n_classes == 3 and clf.predict_proba(s.X_test).shape == (len(s.y_test), 3)
    e = sufficient_explanation(clf, s.X_test[0])
    assert e.decision == clf.predict(s.X_test[:1])[0]
    assert completion_agreement(clf, e, 300, s.X_test.shape[1], np.random.default_rng(0)) == 1.0


def test_explanations_are_sufficient(fitted, rules):
    r = np.random.default_rng(0)
    for x in rules.X_test[:40]:
        e = sufficient_explanation(fitted, x)
        assert rule_holds(e.conditions, x[None])[0]
        assert completion_agreement(fitted, e, 1000, x.size, r) == 1.0  # invariant A
        n, wrong = rule_agreement(fitted, e, rules.X_test)  # invariant B
        assert n >= 1 and wrong == 0
        for c in e.conditions:  # irredundant: without any one condition the decision is no longer certified
            assert not _certified_without(fitted, [d for d in e.conditions if d != c], e.decision)


def _certified_without(clf, conditions, decision):
    lo, hi = clf.model_.bounds(*predicate_box(clf, [conditions]))
    return certified(lo.detach().numpy(), hi.detach().numpy(), decision)[0]


def test_simplify_and_text():
    conds = [(0, ">", 0.3), (0, ">", 0.5), (2, "<=", 0.9), (2, "<=", 0.7), (0, "<=", 0.8)]
    assert simplify(conds) == [(0, ">", 0.5), (0, "<=", 0.8), (2, "<=", 0.7)]
    names = ["a", "b", "c"]
    assert to_text(conds, names) == "a > 0.5 AND a <= 0.8 AND c <= 0.7"
    assert to_text(conds, names, "natural") == "a is above 0.5 and a is at most 0.8 and c is at most 0.7"
    assert to_text([], names) == "TRUE"
    with pytest.raises(ValueError, match="operator"):
        simplify([(0, "<", 1.0)])
    X = np.array([[0.6, 0, 0.5], [0.4, 0, 0.5], [0.6, 0, 0.8]])
    assert rule_holds(conds, X).tolist() == [True, False, False]


def test_importances_credit_the_weights_of_pinned_predicates_and_deletion_curves_fall(fitted, rules):
    explanations = [sufficient_explanation(fitted, x) for x in rules.X_test[:30]]
    imp = feature_importance(fitted, explanations, 8)
    layer = fitted.model_.input_layer
    expected = np.zeros(8)
    for e in explanations:
        for j, _, t in e.conditions:
            reads = layer.index.numpy() == fitted.thresholds_.index((j, t))
            expected[j] += np.abs(layer.weight.detach().numpy()[reads]).sum()
    assert np.allclose(imp, expected) and imp.sum() > 0
    unused = set(range(8)) - {j for e in explanations for j, _, _ in e.conditions}
    assert all(imp[j] == 0 for j in unused)
    order = np.argsort(-imp)
    curve = deletion_curve(fitted.predict_proba, rules.X_test, rules.y_test, order, np.random.default_rng(0), 2)
    assert curve.shape == (9,) and curve[0] > 0.8 and abs(curve[-1] - 0.5) < 0.06


def test_predicate_box_pins_what_each_condition_implies_at_the_threshold_itself(fitted):
    j, t = fitted.thresholds_[0]
    same_feature = np.array([f == j for f, _ in fitted.thresholds_])
    ts = np.array([v for _, v in fitted.thresholds_])
    lo, hi = (b.numpy()[0] for b in predicate_box(fitted, [[(j, ">", t)]]))
    assert (lo[same_feature & (ts <= t)] == 1).all() and (lo[~same_feature] == 0).all() and (hi == 1).all()
    lo, hi = (b.numpy()[0] for b in predicate_box(fitted, [[(j, "<=", t)]]))
    assert (hi[same_feature & (ts >= t)] == 0).all() and (hi[~same_feature] == 1).all() and (lo == 0).all()
    x = np.zeros(8)
    x[j] = t  # x_j == t: the predicate x_j > t is false, so the candidate condition is "<="
    e = sufficient_explanation(fitted, x)
    assert all(not (f == j and op == ">" and v >= t) for f, op, v in e.conditions)
    assert rule_holds(e.conditions, x[None])[0]


def test_thresholds_are_rounded_so_the_text_is_the_certified_rule(fitted):
    assert all(float(f"{t:.4g}") == t for _, t in fitted.thresholds_)
