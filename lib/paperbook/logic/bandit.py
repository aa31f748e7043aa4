"""R-NRN structure learning: a bandit over input predicates, one per class, that rewires the input layer.

After the official code's banditnrntrainer and models/base/brn.py (read, not copied): rewards are the weights of a
predicate's important connections ("class" strategy), the policy is a softmax over Bayesian-UCB scores
(eq-06-ucb), and a prune cuts the weakest input connections and redraws them from the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from scipy.special import softmax

from .neurons import LogicLayer


@dataclass
class BanditPolicy:
    """Reward history per (class, predicate). Its first entry is the prior: 0.5 for every arm (the mean of the
    official code's U(0, 1) initial policy) until init_prior gives a score in [0, 1] per arm (the official code
    uses MIC; the chapter uses mutual information over the target's entropy)."""

    n_arms: int
    n_classes: int
    ucb_scale: float = 1.5
    history: list[list[np.ndarray]] = field(init=False)

    def __post_init__(self):
        self.history = [[np.full(self.n_arms, 0.5)] for _ in range(self.n_classes)]

    def init_prior(self, scores: np.ndarray) -> None:
        """scores (n_classes, n_arms) in [0, 1] replace the flat prior."""
        scores = np.asarray(scores, float).reshape(self.n_classes, self.n_arms)
        if not ((scores >= 0) & (scores <= 1)).all():
            raise ValueError("prior scores must lie in [0, 1]")
        self.history = [[row] for row in scores]

    def update(self, rewards: np.ndarray) -> None:
        """Append one round of rewards (n_classes, n_arms); every arm gets an entry, zeros included."""
        for c, row in enumerate(np.asarray(rewards, float).reshape(self.n_classes, self.n_arms)):
            self.history[c].append(row)

    def scores(self) -> np.ndarray:
        """u = mean + c sd / sqrt(n) per (class, arm) (eq-06-ucb); sd is 0 until a second round."""
        h = [np.stack(rows) for rows in self.history]  # n_classes x (rounds, n_arms)
        return np.stack([r.mean(0) + self.ucb_scale * r.std(0) / np.sqrt(len(r)) for r in h])

    def probs(self, exclude: np.ndarray | None = None, delta: float = 2.0) -> np.ndarray:
        """π = softmax(u) per class (n_classes, n_arms); arms in `exclude` (bool, same shape: predicates already
        surviving in that class) have their probability divided by delta, then each row is renormalised."""
        p = softmax(self.scores(), axis=1)
        if exclude is not None:
            p = np.where(exclude, p / delta, p)
        return p / p.sum(1, keepdims=True)


def rewards_class(layer: LogicLayer, quantile: float) -> np.ndarray:
    """(n_classes, n_in): r_j = Σ |w| over predicate j's input connections with |w| >= the class's q-quantile."""
    a = layer.weight.detach().abs().double().cpu().numpy()  # (C, n_out, k)
    idx = layer.index.cpu().numpy()
    out = np.zeros((a.shape[0], layer.n_in))
    for c in range(a.shape[0]):
        important = a[c] >= np.quantile(a[c], quantile)
        np.add.at(out[c], idx[c][important], a[c][important])
    return out


@torch.no_grad()
def prune_and_regrow(layer: LogicLayer, policy: BanditPolicy, quantile: float = 0.5, delta: float = 2.0,
                     regrow_weight_max: float = 0.05, *, rng: np.random.Generator) -> int:
    """Cut the input connections with |w| <= the class's q-quantile and redraw each slot's predicate from the
    policy, survivors' probability divided by delta, never repeating an input within a neuron. A regrown slot gets
    |w| ~ U(0, regrow_weight_max]; its sign is opposite the mean sign of the predicate's surviving connections in
    that class (the official "x > v > y" rule), else the slot's old sign. Returns the number of slots cut.

    Unlike the official code, which keeps a pruned slot's old (small) weight, every regrown weight is redrawn
    small: the book's prototype found that recipe (|w| <= 0.05) lets the bandit beat a static structure."""
    w = layer.weight.detach().double().cpu().numpy()  # (C, n_out, k)
    idx = layer.index.cpu().numpy().copy()
    if regrow_weight_max <= 0:
        raise ValueError(f"regrow_weight_max must be > 0, got {regrow_weight_max}")
    n_cut = 0
    for c in range(w.shape[0]):
        cut = np.abs(w[c]) <= np.quantile(np.abs(w[c]), quantile)  # (n_out, k)
        survivors = np.zeros(layer.n_in, bool)
        survivors[idx[c][~cut]] = True
        p = policy.probs(delta=delta, exclude=np.broadcast_to(survivors, (policy.n_classes, layer.n_in)))[c]
        for o, s in zip(*np.nonzero(cut)):
            q = p.copy()
            q[np.delete(idx[c, o], s)] = 0  # no input twice in one neuron
            j = int(rng.choice(layer.n_in, p=q / q.sum()))
            kept_signs = np.sign(w[c][~cut][idx[c][~cut] == j])
            sign = -np.sign(kept_signs.mean()) if kept_signs.size and kept_signs.mean() != 0 else \
                (1.0 if w[c, o, s] >= 0 else -1.0)
            idx[c, o, s], w[c, o, s] = j, sign * rng.uniform(0, regrow_weight_max)
        n_cut += int(cut.sum())
    layer.index.copy_(torch.as_tensor(idx))
    layer.weight.copy_(torch.as_tensor(w, dtype=layer.weight.dtype))
    return n_cut
