"""Contextual calibration and LinC (eq-07-cc, eq-07-linc), ECE (eq-07-ece) and entropy (eq-07-entropy)."""

import numpy as np
import pytest

from paperbook.icl.calib import (
    apply_affine,
    cc_params,
    content_free_prior,
    entropy_bits,
    expected_calibration_error,
    fit_linc,
    linc_loss_grad,
    normalise,
    predict_linc,
    reliability_summary,
)


def _probs(n, C, seed=0):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.full(C, 0.7), n), rng.integers(C, size=n)


def test_linc_at_zero_epochs_predicts_what_its_start_predicts():
    P, y = _probs(60, 4)
    p_cf = normalise(np.array([0.5, 0.05, 0.3, 0.15]))
    icl = fit_linc(P, y, init="identity", epochs=0)
    assert np.array_equal(predict_linc(P, icl).argmax(-1), P.argmax(-1))
    cc = fit_linc(P, y, p_cf=p_cf, init="cc", epochs=0)
    W, b = cc_params(p_cf)
    assert np.array_equal(predict_linc(P, cc).argmax(-1), apply_affine(P, W, b, softmax_out=False).argmax(-1))
    assert not np.array_equal(P.argmax(-1), (P / p_cf).argmax(-1))   # the two starts do differ here


def test_cc_with_a_uniform_prior_is_icl_and_calibrates_the_prior_to_uniform():
    P, _ = _probs(40, 3)
    W, b = cc_params(np.full(3, 1 / 3))
    assert np.array_equal(apply_affine(P, W, b, softmax_out=False).argmax(-1), P.argmax(-1))
    p_cf = np.array([0.7, 0.2, 0.1])
    assert np.allclose(apply_affine(p_cf[None], *cc_params(p_cf), softmax_out=False), 1 / 3, atol=1e-12)
    W, b = cc_params(p_cf, "identity")
    assert np.array_equal(W, np.eye(3)) and np.array_equal(b, -p_cf)


def test_content_free_prior_averages_raw_probabilities_then_normalises():
    raw = np.array([[0.2, 0.2], [0.01, 0.03]])   # renormalised first, the mean would be [0.375, 0.625]
    assert np.allclose(content_free_prior(raw), [0.21 / 0.44, 0.23 / 0.44])


def test_relabelling_the_classes_changes_no_metric():
    P, y = _probs(80, 4, seed=3)
    p_cf = normalise(np.array([0.4, 0.1, 0.3, 0.2]))
    perm = np.array([2, 0, 3, 1])
    inv = np.argsort(perm)
    for get in (lambda P, y, p: P, lambda P, y, p: apply_affine(P, *cc_params(p), softmax_out=False),
                lambda P, y, p: predict_linc(P, fit_linc(P, y, p_cf=p, epochs=5))):
        a, b = get(P, y, p_cf), get(P[:, perm], inv[y], p_cf[perm])
        assert np.allclose(a[:, perm], b, atol=1e-9)
        assert (a.argmax(-1) == y).mean() == (b.argmax(-1) == inv[y]).mean()
        assert expected_calibration_error(a, y) == pytest.approx(expected_calibration_error(b, inv[y]), abs=1e-12)
        assert np.allclose(entropy_bits(a), entropy_bits(b), atol=1e-12)


def test_linc_gradient_matches_finite_differences():
    P, y = _probs(12, 3, seed=5)
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(3, 3)), rng.normal(size=3)
    _, dW, db = linc_loss_grad(W, b, P, y)
    h = 1e-6
    for i, j in np.ndindex(3, 3):
        E = np.zeros((3, 3))
        E[i, j] = h
        num = (linc_loss_grad(W + E, b, P, y)[0] - linc_loss_grad(W - E, b, P, y)[0]) / (2 * h)
        assert num == pytest.approx(dW[i, j], rel=1e-5, abs=1e-9)
    for j in range(3):
        e = np.eye(3)[j] * h
        assert (linc_loss_grad(W, b + e, P, y)[0] - linc_loss_grad(W, b - e, P, y)[0]) / (2 * h) == \
            pytest.approx(db[j], rel=1e-5, abs=1e-9)


def test_linc_training_lowers_the_probe_loss_and_is_deterministic():
    rng = np.random.default_rng(0)
    y = np.arange(20) % 2
    P = normalise(np.where(y[:, None] == 1, [0.45, 0.55], [0.62, 0.38]) + rng.uniform(0, 0.02, (20, 2)))
    fit = fit_linc(P, y, p_cf=np.array([0.6, 0.4]), lr=0.5, epochs=30)
    assert fit.losses[-1] < fit.losses[0] and len(fit.losses) == 31
    again = fit_linc(P, y, p_cf=np.array([0.6, 0.4]), lr=0.5, epochs=30)
    assert np.array_equal(fit.W, again.W) and np.array_equal(fit.b, again.b)


def _official_sgd(P, y, p_cf, *, lr, epochs, reshuffle=True):
    """The official loop, rewritten in torch (float64): per-sample SGD on nn.CrossEntropyLoss of W p + b from W =
    diag(p_cf)^-1, b = 0, shuffling the probe arrays with sklearn's shuffle(random_state=0) before every epoch
    (reshuffle) or only before the first (one order reused)."""
    import torch
    from sklearn.utils import shuffle
    W = torch.tensor(np.diag(1 / p_cf), requires_grad=True)
    b = torch.zeros(len(p_cf), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([W, b], lr=lr)
    for epoch in range(epochs):
        if reshuffle or epoch == 0:
            P, y = shuffle(P, y, random_state=0)
        for p, label in zip(P, y):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy((W @ torch.tensor(p) + b)[None], torch.tensor([label]))
            loss.backward()
            opt.step()
    return W.detach().numpy(), b.detach().numpy()


def test_linc_reshuffles_the_previous_order_every_epoch_as_the_official_code():
    P, y = _probs(12, 3, seed=4)
    p_cf = np.array([0.5, 0.3, 0.2])
    fit = fit_linc(P, y, p_cf=p_cf, lr=0.5, epochs=4)
    W, b = _official_sgd(P, y, p_cf, lr=0.5, epochs=4)
    np.testing.assert_allclose(fit.W, W, atol=1e-10)
    np.testing.assert_allclose(fit.b, b, atol=1e-10)
    reused, _ = _official_sgd(P, y, p_cf, lr=0.5, epochs=4, reshuffle=False)
    assert np.abs(reused - W).max() > 1e-3, "one order reused every epoch trains another probe"


def test_a_nan_step_is_skipped():
    P, y = np.array([[np.nan, np.nan], [0.9, 0.1]]), np.array([0, 1])
    with np.errstate(invalid="ignore"):
        fit = fit_linc(P, y, init="identity", lr=0.5, epochs=3)   # the NaN row's steps are skipped
    assert np.isfinite(fit.W).all() and not np.array_equal(fit.W, np.eye(2))


def test_bad_init_arguments_fail():
    P, y = _probs(4, 2)
    with pytest.raises(ValueError, match="p_cf"):
        fit_linc(P, y, init="cc")
    with pytest.raises(ValueError, match="init"):
        fit_linc(P, y, init="zeros")


def test_ece_reference_cases():
    y = np.array([0, 1, 2, 1])
    assert expected_calibration_error(np.eye(3)[y], y) == 0.0
    c = np.array([[0.7, 0.3]] * 10)
    labels = np.array([0] * 4 + [1] * 6)   # confidence 0.7, accuracy 0.4
    assert expected_calibration_error(c, labels) == pytest.approx(0.3)
    # bins are (lo, hi]: a confidence of exactly 0.6 falls in the bin (0.5, 0.6], not (0.6, 0.7]
    two = np.array([[0.6, 0.4], [0.65, 0.35]])
    assert expected_calibration_error(two, np.array([0, 1])) == pytest.approx(0.5 * 0.4 + 0.5 * 0.65)


def test_ece_of_a_calibrated_generator_is_small():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.full(3, 0.7), 20_000)
    y = (rng.random(20_000)[:, None] > P.cumsum(1)).sum(1)   # y ~ p
    assert 0 <= expected_calibration_error(P, y) < 0.02


def test_entropy_bits_and_the_reliability_summary():
    assert entropy_bits(np.full((1, 4), 0.25))[0] == pytest.approx(2.0, abs=1e-12)
    assert entropy_bits(np.eye(3)).tolist() == [0.0, 0.0, 0.0]
    s = reliability_summary(np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([1, 0]))
    assert s["entropy"] == pytest.approx(0.5) and s["near_uniform"] == 0.5 and s["acc"] == 0.5
