"""R-NRN as a scikit-learn classifier: tree-threshold predicates, an NRN, AdamW, and (with bandit=True) the
bandit's prune-and-regrow of the input layer on training-loss plateaus.

Schedule per epoch, after the official banditnrntrainer: train; early stopping on validation ROC AUC (the best
validation state is the final model); with the bandit, a policy update when the training loss improves, and after
`prune_plateau` epochs without improvement a prune: restore the best-training-loss state, then prune and regrow.
After 10 epochs without improvement the plateau length grows by 10, for good (as the official code does).
Training runs in float64 with parameters snapped to core.training.SNAP_GRID after every step, so another CPU
follows the same trajectory.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import entropy
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_selection import mutual_info_classif
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from ..core.numerics import snap_
from ..core.rng import int_seed, np_rng, rng
from ..core.training import SNAP_GRID
from .bandit import BanditPolicy, prune_and_regrow, rewards_class
from .network import NRN
from .predicates import binarize, tree_thresholds

STAGNANT_EPOCHS, PLATEAU_GROWTH = 10, 10  # official increase_prune_plateau_count(_plateau_count), our scale


def one_vs_rest(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """(n,) labels -> (n, C) 0/1 targets: one column (the second class) for two classes, else one per class."""
    targets = (y[:, None] == classes[None, :]).astype(float)
    return targets[:, 1:] if len(classes) == 2 else targets


def mean_auc(targets: np.ndarray, scores: np.ndarray) -> float:
    """Mean over channels of ROC AUC (one channel for a binary task); 0.5 for a channel with one class."""
    return float(np.mean([roc_auc_score(t, s) if 0 < t.sum() < len(t) else 0.5
                          for t, s in zip(targets.T, scores.T)]))


def predicate_prior(Xb: np.ndarray, targets: np.ndarray, seed: int) -> np.ndarray:
    """(C, n_predicates) in [0, 1]: mutual information of each predicate with each channel's target over that
    target's entropy (the official code uses minepy's MIC, a compiled package we avoid)."""
    rows = []
    for c, t in enumerate(targets.T):
        mi = mutual_info_classif(Xb, t.astype(int), discrete_features=True, random_state=int_seed(seed, "mi", c))
        rows.append(np.clip(mi / max(entropy(np.bincount(t.astype(int)) / len(t)), 1e-12), 0, 1))
    return np.stack(rows)


class RNRNClassifier(ClassifierMixin, BaseEstimator):
    """fit(X, y) on raw features; predict_proba; predict thresholds the output truth at 0.5 (binary) or takes
    the most true channel (one-vs-rest), never the batch median as the official sklearn wrapper does."""

    def __init__(self, layer_sizes=(8, 8), normal_form="cnf", k_in=4, k_internal=4, k_out=4, weight_init=0.2,
                 lr=0.02, weight_decay=1e-3, batch_size=64, epochs=80, patience=20, val_frac=0.2, bandit=True,
                 prune_quantile=0.3, prune_plateau=4, regrow_weight_max=0.05, ucb_scale=1.5, delta=2.0,
                 n_trees=10, tree_depth=5, max_per_feature=16, seed=0, device="cpu"):
        self.layer_sizes, self.normal_form, self.k_in, self.k_internal, self.k_out = (
            layer_sizes, normal_form, k_in, k_internal, k_out)
        self.weight_init, self.lr, self.weight_decay, self.batch_size = weight_init, lr, weight_decay, batch_size
        self.epochs, self.patience, self.val_frac, self.bandit = epochs, patience, val_frac, bandit
        self.prune_quantile, self.prune_plateau, self.regrow_weight_max = (
            prune_quantile, prune_plateau, regrow_weight_max)
        self.ucb_scale, self.delta = ucb_scale, delta
        self.n_trees, self.tree_depth, self.max_per_feature = n_trees, tree_depth, max_per_feature
        self.seed, self.device = seed, device

    def _tensor(self, a: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(a), dtype=torch.float64, device=self.device)

    def fit(self, X: np.ndarray, y: np.ndarray) -> "RNRNClassifier":
        X, y = np.asarray(X, float), np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("RNRNClassifier needs at least two classes")
        X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=self.val_frac, stratify=y,
                                                      random_state=int_seed(self.seed, "val"))
        self.thresholds_ = tree_thresholds(X_fit, y_fit, self.n_trees, self.tree_depth, 0.5, self.max_per_feature,
                                           seed=int_seed(self.seed, "trees"))
        B_fit, B_val = binarize(X_fit, self.thresholds_), binarize(X_val, self.thresholds_)
        T_fit, T_val = one_vs_rest(y_fit, self.classes_), one_vs_rest(y_val, self.classes_)
        self.model_ = NRN(B_fit.shape[1], tuple(self.layer_sizes), self.k_in, self.k_internal, self.k_out,
                          self.normal_form, T_fit.shape[1], self.weight_init,
                          generator=rng(self.seed, "init")).to(self.device, torch.float64)
        policy = None
        if self.bandit:
            policy = BanditPolicy(B_fit.shape[1], T_fit.shape[1], self.ucb_scale)
            policy.init_prior(predicate_prior(B_fit, T_fit, self.seed))
        self.history_ = self._train(self._tensor(B_fit), self._tensor(T_fit), self._tensor(B_val), T_val, policy)
        return self

    def _train(self, xb, t, xb_val, t_val, policy) -> list[dict]:
        """The epoch loop; returns one record per epoch (train loss, validation AUC, whether it pruned)."""
        model, history = self.model_, []
        opt = torch.optim.AdamW(model.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        order_gen, prune_rng = rng(self.seed, "batches"), np_rng(self.seed, "prune")
        best_val, best_val_state, waited = -np.inf, copy.deepcopy(model.state_dict()), 0
        best_loss, best_loss_state, plateau, stagnant, plateau_len = np.inf, best_val_state, 0, 0, self.prune_plateau
        for epoch in range(self.epochs):
            model.train()
            total = 0.0
            for idx in torch.randperm(len(xb), generator=order_gen).split(self.batch_size):
                idx = idx.to(self.device)
                loss = F.binary_cross_entropy_with_logits(model(xb[idx]), t[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                snap_(model.parameters(), SNAP_GRID)
                total += float(loss.detach()) * len(idx)
            sched.step()
            loss, pruned = total / len(xb), False
            with torch.no_grad():
                val_auc = mean_auc(t_val, model.truth(xb_val).cpu().numpy())
            if val_auc > best_val:
                best_val, best_val_state, waited = val_auc, copy.deepcopy(model.state_dict()), 0
            else:
                waited += 1
            if policy is not None:
                if loss < best_loss:
                    best_loss, best_loss_state, plateau, stagnant = loss, copy.deepcopy(model.state_dict()), 0, 0
                    policy.update(rewards_class(model.input_layer, self.prune_quantile))
                else:
                    plateau, stagnant = plateau + 1, stagnant + 1
                    if stagnant >= STAGNANT_EPOCHS:
                        plateau_len = self.prune_plateau + PLATEAU_GROWTH
                    if plateau >= plateau_len:
                        model.load_state_dict(best_loss_state)
                        prune_and_regrow(model.input_layer, policy, self.prune_quantile, self.delta,
                                         self.regrow_weight_max, rng=prune_rng)
                        plateau, pruned = 0, True
            history.append({"epoch": epoch, "train_loss": loss, "val_auc": val_auc, "pruned": pruned})
            if waited >= self.patience:
                break
        model.load_state_dict(best_val_state)
        model.eval()
        return history

    def truth(self, X: np.ndarray) -> np.ndarray:
        """(n, C) output truths of the fitted network on raw features."""
        return self.truth_of_predicates(binarize(X, self.thresholds_))

    @torch.no_grad()
    def truth_of_predicates(self, B: np.ndarray) -> np.ndarray:
        """(n, C) output truths for 0/1 predicate rows B (n, n_predicates)."""
        return self.model_.truth(self._tensor(B)).cpu().numpy()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, n_classes): [1 - y, y] for two classes; one-vs-rest truths normalised to sum 1 otherwise."""
        y = self.truth(X)
        if y.shape[1] == 1:
            return np.hstack([1 - y, y])
        total = y.sum(1, keepdims=True)
        return np.where(total > 0, y / np.where(total > 0, total, 1), 1 / y.shape[1])

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels: truth > 0.5 for two classes, the most true channel otherwise."""
        return self.classes_[decide(self.truth(X))]


def decide(truth: np.ndarray) -> np.ndarray:
    """(n, C) output truths -> class indices: truth > 0.5 with one channel, argmax with several."""
    return (truth[:, 0] > 0.5).astype(int) if truth.shape[1] == 1 else truth.argmax(1)
