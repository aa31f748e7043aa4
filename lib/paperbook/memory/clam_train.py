"""Training ClAM prototypes: config, the official LR schedule, and a trainer that fits a whole grid at once.

The grid trainer stacks G configurations into one (G, k, d) prototype tensor: each configuration's
loss depends only on its own prototypes and Adam is elementwise, so fitting them together is the same
as fitting each alone, at a fraction of the per-step overhead. Configurations with the same init
method start from the same prototypes and all see the same batches, masks and noise (common random
numbers: a grid or ablation compares settings, not initialisations; the official code draws one init
per configuration). Each of these draws has its own named stream of `paperbook.core.rng`, ("clam", "init"),
("clam", "batches"), ("clam", "masks") and ("clam", "noise"), so that e.g. a mask sampler that draws differently
does not change the batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.cluster import kmeans_plusplus
from tqdm import trange

from ..core.numerics import snap, snap_
from ..core.rng import rng
from .clam import FILLS, assign, clam_loss, fill_values, make_masks, masked_input, n_steps, to_tensor

INITS = ("gaussian", "data", "kmeans++")


@dataclass(frozen=True)
class ClAMConfig:
    k: int                      # number of prototypes = classes
    beta: float = 2.0           # inverse temperature beta
    alpha: float = 0.1          # step size; steps = int(1/alpha) AM steps
    lr: float = 0.01            # Adam learning rate (eps = 1e-7: see fit_clam_grid)
    epochs: int = 200
    batch: int = 8
    mask_p: float = 0.2         # fraction of coordinates masked
    min_masked: int = 1         # official: 0 (an empty mask for d <= 4, so iris never trains)
    official_quirks: bool = False  # official mask sampling: with replacement, never dimension 0
    fill: str = "mean"          # value put at masked coordinates: column mean | min | max | zero
    cycle: int = 3              # every cycle-th epoch one mask is shared by the whole batch
    init: str = "gaussian"      # "gaussian" N(0.1, 0.1^2) (official) | "data" | "kmeans++"
    self_supervised: bool = True  # False: every coordinate evolves from x itself (k-means surrogate)
    noise_std: float = 0.0      # Gaussian noise added to the input (the paper's 2-D Gaussians figure)
    schedule: tuple = (10, 5, 1e-3, 0.8, 1e-6)  # window, patience, tol, factor, min_lr

    def __post_init__(self):
        checks = {
            "k": self.k >= 1, "beta": self.beta > 0, "alpha": 0 < self.alpha <= 1, "lr": self.lr > 0,
            "epochs": self.epochs >= 1, "batch": self.batch >= 1, "mask_p": 0 <= self.mask_p <= 1,
            "min_masked": self.min_masked >= 0, "fill": self.fill in FILLS, "cycle": self.cycle >= 1,
            "init": self.init in INITS, "noise_std": self.noise_std >= 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid ClAMConfig field(s) {bad}: {self}")

    @property
    def steps(self) -> int:
        """The number of AM steps (T in the paper), int(1/alpha)."""
        return n_steps(self.alpha)


# Fields that must agree across a jointly trained grid (they shape the shared batch loop).
SHARED_FIELDS = ("k", "alpha", "epochs", "batch", "mask_p", "min_masked", "official_quirks", "cycle",
                 "schedule")


class PlateauSchedule:
    """Official LR schedule: from epoch `window`, if the moving mean of the last `window` epoch losses
    improves by less than `tol` for `patience` epochs in a row, lr <- factor * lr; stop below min_lr."""

    def __init__(self, lr: float, window=10, patience=5, tol=1e-3, factor=0.8, min_lr=1e-6):
        self.lr, self.window, self.patience, self.tol = lr, window, patience, tol
        self.factor, self.min_lr = factor, min_lr
        self.losses: list[float] = []
        self.prev_mean: float | None = None
        self.stagnant = 0

    @property
    def stopped(self) -> bool:
        return self.lr < self.min_lr

    def step(self, epoch_loss: float) -> float:
        """Record one epoch's loss; return the learning rate for the next epoch."""
        self.losses.append(epoch_loss)
        if len(self.losses) < self.window:
            return self.lr
        mean = float(np.mean(self.losses[-self.window:]))
        if self.prev_mean is not None:
            self.stagnant = self.stagnant + 1 if self.prev_mean - mean < self.tol else 0
            if self.stagnant >= self.patience:
                self.lr *= self.factor
                self.stagnant = 0
        self.prev_mean = mean
        return self.lr


@dataclass
class GridFit:
    prototypes: torch.Tensor    # best-epoch prototypes, (G, k, d)
    history: pd.DataFrame       # one row per (config, epoch): loss, lr
    best_epoch: np.ndarray      # (G,)
    failed: np.ndarray          # (G,) bool: a NaN loss aborted the configuration


def init_prototypes(x: torch.Tensor, k: int, how: str, gen: torch.Generator) -> torch.Tensor:
    """Initial prototypes. Shape: x (n, d) -> (k, d)."""
    n = x.shape[0]
    if how == "gaussian":
        return (0.1 + 0.1 * torch.randn(k, x.shape[1], generator=gen, dtype=x.dtype)).to(x.device)
    if how == "data":
        return x[torch.randperm(n, generator=gen)[:k].to(x.device)].clone()
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=gen))
    centers, _ = kmeans_plusplus(x.cpu().numpy(), k, random_state=seed)
    return torch.as_tensor(centers, dtype=x.dtype, device=x.device)


def _check_grid(configs: Sequence[ClAMConfig]) -> ClAMConfig:
    if not configs:
        raise ValueError("empty configuration grid")
    first = configs[0]
    for name in SHARED_FIELDS:
        values = {getattr(c, name) for c in configs}
        if len(values) > 1:
            raise ValueError(f"configs trained together must share {name!r}; got {sorted(map(str, values))}")
    return first


def _grid_tensors(x: torch.Tensor, configs: Sequence[ClAMConfig]) -> tuple[torch.Tensor, ...]:
    """The per-configuration settings as tensors: beta and noise std (G, 1, 1), fill (G, 1, d), masked (G, 1, 1)."""
    G = len(configs)
    col = lambda vals: torch.tensor(vals, dtype=x.dtype, device=x.device).view(G, 1, 1)  # noqa: E731
    fill = torch.stack([fill_values(x, c.fill) for c in configs]).unsqueeze(1)  # (G, 1, d)
    masked = torch.tensor([c.self_supervised for c in configs], device=x.device).view(G, 1, 1)
    return col([c.beta for c in configs]), col([c.noise_std for c in configs]), fill, masked


def fit_clam_grid(X: np.ndarray, configs: Sequence[ClAMConfig], *, device="cpu", dtype=torch.float64,
                  seed: int = 0) -> GridFit:
    """Fit G ClAM configurations jointly (same init per init method, same batches, masks and noise draws),
    keeping each one's best epoch. The random streams are named by (seed, "clam", ...)."""
    c0 = _check_grid(configs)
    x = to_tensor(X, device, dtype)
    if c0.k > x.shape[0]:
        raise ValueError(f"k = {c0.k} prototypes need at least k samples, got {x.shape[0]}")
    gens = {what: rng(seed, "clam", what) for what in ("batches", "masks", "noise")}
    G = len(configs)
    beta, noise, fill, masked = _grid_tensors(x, configs)
    inits = {how: init_prototypes(x, c0.k, how, rng(seed, "clam", "init")) for how in {c.init for c in configs}}
    params = [torch.nn.Parameter(snap(inits[c.init])) for c in configs]
    # eps = 1e-7 is Keras' value, not Keras' update: Keras adds eps to sqrt(v) before bias correction, which in
    # torch's form is eps_eff = eps / sqrt(1 - beta2^t) (larger in the first steps). Torch's Adam is kept.
    opt = torch.optim.Adam([{"params": [p], "lr": c.lr} for p, c in zip(params, configs)], eps=1e-7)
    window, patience, tol, factor, min_lr = c0.schedule
    schedules = [PlateauSchedule(c.lr, window, patience, tol, factor, min_lr) for c in configs]
    best = torch.stack([p.detach().clone() for p in params])  # (G, k, d)
    best_loss = np.full(G, math.inf)
    best_epoch, failed = np.zeros(G, dtype=int), np.zeros(G, dtype=bool)
    rows = []
    for epoch in trange(c0.epochs, desc=f"ClAM k={c0.k}: epochs", leave=False):
        active = torch.tensor([not (s.stopped or f) for s, f in zip(schedules, failed)], device=device)
        if not active.any():
            break
        epoch_loss = _train_epoch(x, params, opt, c0, beta, fill, masked, noise, active, epoch, gens)
        for g, s in enumerate(schedules):
            if not active[g]:
                continue
            loss_g = float(epoch_loss[g])
            rows.append({"config": g, "epoch": epoch, "loss": loss_g, "lr": s.lr})
            if not math.isfinite(loss_g):
                failed[g] = True  # official: "Got nan value for beta" aborts the configuration
                opt.param_groups[g]["lr"] = 0.0
                continue
            if loss_g < best_loss[g]:
                best_loss[g], best_epoch[g] = loss_g, epoch
                best[g] = params[g].detach()
            lr = s.step(loss_g)
            opt.param_groups[g]["lr"] = 0.0 if s.stopped else lr  # a stopped config no longer moves
    return GridFit(best, pd.DataFrame(rows), best_epoch, failed)


def _train_epoch(x, params, opt, c0, beta, fill, masked, noise, active, epoch, gens) -> torch.Tensor:
    """One shuffled pass (gens: the batches, masks and noise generators); returns the summed batch loss per
    configuration, (G,)."""
    n, d = x.shape
    shared = epoch % c0.cycle == c0.cycle - 1
    total = torch.zeros(len(params), dtype=x.dtype, device=x.device)
    for idx in torch.randperm(n, generator=gens["batches"]).split(c0.batch):
        xb = x[idx.to(x.device)]  # (B, d)
        m = make_masks(len(idx), d, c0.mask_p, shared=shared, min_masked=c0.min_masked,
                       official_quirks=c0.official_quirks, generator=gens["masks"]).to(x.device)  # (B, d)
        mask = torch.where(masked, m, torch.ones_like(m))  # (G, B, d): unmasked configs evolve freely
        x_in = xb + noise * torch.randn(xb.shape, generator=gens["noise"], dtype=x.dtype).to(x.device)  # (G, B, d)
        x_tilde = masked_input(x_in, mask & masked, fill)  # (G, B, d)
        losses = clam_loss(xb, x_tilde, torch.stack(params), mask, beta, c0.alpha, c0.steps)  # (G,)
        opt.zero_grad(set_to_none=True)
        losses[active].sum().backward()
        opt.step()
        snap_(params)  # paperbook.core.numerics: another CPU's last-bit differences do not grow
        total += losses.detach()
    return total


def grid_configs(k: int, *, betas: Sequence[float], lrs: Sequence[float], fills: Sequence[str],
                 **shared) -> list[ClAMConfig]:
    """The beta x lr x fill grid as configs (the official grid is 4 x 3 x 3 = 36)."""
    return [ClAMConfig(k=k, beta=b, lr=lr, fill=f, **shared) for b in betas for lr in lrs for f in fills]


def labels_of(fit: GridFit, X: np.ndarray, configs: Sequence[ClAMConfig], *, how: str = "am") -> np.ndarray:
    """Assignment of every sample under each fitted configuration. Shape: -> (G, n) int."""
    rho = fit.prototypes  # (G, k, d)
    x = to_tensor(X, rho.device, rho.dtype)
    beta = torch.tensor([c.beta for c in configs], dtype=rho.dtype, device=rho.device).view(-1, 1, 1)
    return assign(x, rho, beta, configs[0].alpha, configs[0].steps, how).cpu().numpy()


def config_table(configs: Sequence[ClAMConfig]) -> pd.DataFrame:
    """One row per configuration with the fields a grid varies."""
    return pd.DataFrame([{"beta": c.beta, "lr": c.lr, "fill": c.fill, "self_supervised": c.self_supervised}
                         for c in configs])


class ClAM:
    """Single-configuration estimator with a scikit-learn-like surface: fit(X), predict(X)."""

    def __init__(self, cfg: ClAMConfig, *, device="cpu", dtype=torch.float64, seed: int = 0):
        self.cfg, self.device, self.dtype, self.seed = cfg, device, dtype, seed

    def fit(self, X: np.ndarray) -> "ClAM":
        fit = fit_clam_grid(X, [self.cfg], device=self.device, dtype=self.dtype, seed=self.seed)
        self.fit_ = fit
        self.prototypes_ = fit.prototypes[0]  # (k, d)
        self.history_ = fit.history
        self.best_epoch_ = int(fit.best_epoch[0])
        return self

    def predict(self, X: np.ndarray, assign_how: str = "am") -> np.ndarray:
        return labels_of(self.fit_, X, [self.cfg], how=assign_how)[0]
