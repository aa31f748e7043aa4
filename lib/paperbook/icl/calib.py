"""Calibration of in-context label probabilities: contextual calibration (CC, Zhao et al. 2021) and LinC (Abbas et
al. 2024), with expected calibration error and Shannon entropy. Shapes: n examples, C classes; P rows sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import entropy
from sklearn.utils import shuffle


def normalise(P: np.ndarray) -> np.ndarray:
    """Rows divided by their sums."""
    P = np.asarray(P, dtype=np.float64)
    return P / P.sum(-1, keepdims=True)


def content_free_prior(raw_probs_cf: np.ndarray) -> np.ndarray:
    """p_cf (C,): the *raw* label probabilities of the content-free queries ("N/A", "", "[MASK]"), averaged, then
    normalised, as the official code does. (m, C) -> (C,)."""
    return normalise(np.asarray(raw_probs_cf, dtype=np.float64).mean(0))


def cc_params(p_cf: np.ndarray, mode: Literal["diagonal", "identity"] = "diagonal"):
    """(W, b) of eq-07-cc: W = diag(p_cf)^-1, b = 0 ("diagonal_W", for classification), or W = I, b = -p_cf
    ("identity_W", meant for generation)."""
    p_cf = np.asarray(p_cf, dtype=np.float64)
    if mode == "diagonal":
        return np.diag(1.0 / p_cf), np.zeros_like(p_cf)
    if mode == "identity":
        return np.eye(len(p_cf)), -p_cf
    raise ValueError(f"mode must be 'diagonal' or 'identity', got {mode!r}")


def softmax(Z: np.ndarray) -> np.ndarray:
    Z = Z - Z.max(-1, keepdims=True)
    E = np.exp(Z)
    return E / E.sum(-1, keepdims=True)


def apply_affine(P: np.ndarray, W: np.ndarray, b: np.ndarray, softmax_out: bool) -> np.ndarray:
    """Scores W p + b per row: softmax of them (LinC, eq-07-linc) or, for CC, the scores normalised to sum 1
    (their argmax is CC's prediction; the normalisation is ours, for ECE and entropy). (n, C) -> (n, C)."""
    Z = normalise(P) @ np.asarray(W).T + np.asarray(b)
    return softmax(Z) if softmax_out else normalise(Z)


@dataclass(frozen=True)
class LinCParams:
    W: np.ndarray                  # (C, C)
    b: np.ndarray                  # (C,)
    losses: tuple[float, ...]      # mean cross-entropy on the probe data before training and after each epoch


def linc_loss_grad(W: np.ndarray, b: np.ndarray, P: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of softmax(W p + b) on (P, y), and its gradient (dW, db): with g = softmax(z) - onehot(y),
    dW = mean g p^T and db = mean g."""
    Z = P @ W.T + b                                            # (n, C)
    S = softmax(Z)
    loss = float(-np.log(S[np.arange(len(y)), y]).mean())
    G = S.copy()
    G[np.arange(len(y)), y] -= 1.0                             # (n, C)
    return loss, G.T @ P / len(y), G.mean(0)


def fit_linc(P_val: np.ndarray, y_val: np.ndarray, *, p_cf: np.ndarray | None = None,
             init: Literal["cc", "identity"] = "cc", lr: float = 0.5, epochs: int = 100, shuffle_seed: int = 0,
             skip_nan: bool = True) -> LinCParams:
    """LinC (eq-07-linc) as the official code trains it: plain SGD with batch size 1 on the cross-entropy of
    softmax(W p + b), starting from the CC solution (init "cc": W = diag(p_cf)^-1, b = 0) or from W = I, b = 0; a
    step with a NaN gradient is skipped. Before every epoch the probes are shuffled again from the previous epoch's
    order with the same seed (sklearn.utils.shuffle, random_state=shuffle_seed; run_classification.py, eval_accuracy,
    LinC at 7b07c98): one permutation applied once more each epoch, so the order compounds.

    The gradient is written out in numpy (linc_loss_grad, checked against finite differences): a 1,600-step loop on
    a C x C matrix is dominated by per-call overhead in torch."""
    P, y = normalise(P_val), np.asarray(y_val, dtype=np.int64)
    C = P.shape[1]
    if init == "cc":
        if p_cf is None:
            raise ValueError("init 'cc' needs p_cf")
        W, b = cc_params(p_cf)
    elif init == "identity":
        W, b = np.eye(C), np.zeros(C)
    else:
        raise ValueError(f"init must be 'cc' or 'identity', got {init!r}")
    order = np.arange(len(y))
    losses = [linc_loss_grad(W, b, P, y)[0]]
    for _ in range(epochs):
        order = shuffle(order, random_state=shuffle_seed)
        for i in order:
            _, dW, db = linc_loss_grad(W, b, P[i:i + 1], y[i:i + 1])
            if skip_nan and not (np.isfinite(dW).all() and np.isfinite(db).all()):
                continue
            W, b = W - lr * dW, b - lr * db
        losses.append(linc_loss_grad(W, b, P, y)[0])
    return LinCParams(W, b, tuple(losses))


def predict_linc(P: np.ndarray, params: LinCParams) -> np.ndarray:
    """softmax(W p + b) per row. (n, C) -> (n, C)."""
    return apply_affine(P, params.W, params.b, softmax_out=True)


def expected_calibration_error(P: np.ndarray, y: np.ndarray, n_bins: int = 10) -> float:
    """eq-07-ece: confidence max_c P, equal-width bins (lo, hi] (a confidence of 0 falls in the first bin)."""
    P, y = np.asarray(P), np.asarray(y)
    conf, correct = P.max(-1), P.argmax(-1) == y
    bins = np.clip(np.ceil(conf * n_bins).astype(int) - 1, 0, n_bins - 1)
    ece = 0.0
    for m in range(n_bins):
        sel = bins == m
        if sel.any():
            ece += sel.mean() * abs(correct[sel].mean() - conf[sel].mean())
    return float(ece)


def entropy_bits(P: np.ndarray) -> np.ndarray:
    """eq-07-entropy: the Shannon entropy of each row in bits (of the probabilities themselves, never of their
    softmax, the official code's pitfall on its uncalibrated path). (n, C) -> (n,)."""
    return entropy(np.asarray(P, dtype=np.float64), base=2, axis=-1)


def reliability_summary(P: np.ndarray, y: np.ndarray, near_uniform: float = 0.9) -> dict:
    """Accuracy, ECE, mean entropy over log2 C, and the fraction of rows with entropy above near_uniform * log2 C."""
    H = entropy_bits(P) / np.log2(P.shape[1])
    return {"acc": float((P.argmax(-1) == y).mean()), "ece": expected_calibration_error(P, y),
            "entropy": float(H.mean()), "near_uniform": float((H > near_uniform).mean())}
