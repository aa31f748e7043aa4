"""The book's one mini-batch training loop (tree-ops learners, seq2seq baselines, the grid transformers): Adam(W),
optional gradient clipping, and parameters snapped to a grid after every step.

Snapping (paperbook.core.numerics) keeps another CPU, or another thread count, on the same trajectory almost
always. SNAP_GRID is coarser than numerics.GRID (2^-24): a chapter run snaps ~1e8 values (trainings x steps x
parameters), and a float64 last-bit difference (~1e-16) lands across a rounding midpoint with probability
~2e-16 / grid each time: about 0.5 expected flips per run at 2^-24, about 0.03 at 2^-20 (1e-6, far below Adam's
steps of order lr ~ 1e-3).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn
from tqdm.auto import tqdm

from .numerics import snap_

SNAP_GRID = 2.0 ** -20


def adam_train(model: nn.Module, loss_of: Callable[[torch.Tensor], torch.Tensor], n: int, *, steps: int,
               batch: int, lr: float, generator: torch.Generator, clip: float | None = None,
               weight_decay: float = 0.0, desc: str | None = None) -> list[float]:
    """`steps` AdamW steps (Adam when weight_decay = 0) on loss_of(indices) for random mini-batches of indices
    into n examples (drawn with `generator`); a progress bar when `desc` is given. Returns the loss per step."""
    opt, losses = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay), []
    model.train()
    for _ in tqdm(range(steps), desc=desc, leave=False) if desc else range(steps):
        loss = loss_of(torch.randint(n, (min(batch, n),), generator=generator))
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        snap_(model.parameters(), SNAP_GRID)
        losses.append(float(loss.detach()))
    return losses
