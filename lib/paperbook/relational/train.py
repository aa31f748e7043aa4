"""Training and evaluation of the grid transformer: AdamW on the cross-entropy of the logits (core.training:
float64, parameters snapped after every step, so another CPU follows the same trajectory), accuracy per level."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ..core.training import adam_train
from .lst import LEVELS, LSTData
from .model import GridTransformer


def tensors(data: LSTData, device) -> tuple[torch.Tensor, torch.Tensor]:
    """(tokens (N, 16, 5) float64, answers (N,) long) on device."""
    return (torch.as_tensor(data.tokens, dtype=torch.float64, device=device),
            torch.as_tensor(data.y, dtype=torch.long, device=device))


def steps_for(n: int, epochs: int, batch: int) -> int:
    """Optimiser steps of `epochs` passes over n puzzles in batches of `batch`."""
    return epochs * math.ceil(n / batch)


def train(model: GridTransformer, data: LSTData, *, epochs: int, lr: float, batch: int, weight_decay: float,
          generator: torch.Generator, device="cpu", desc: str | None = None) -> list[float]:
    """AdamW for steps_for(len(data), epochs, batch) steps of random mini-batches; the loss per step."""
    tokens, y = tensors(data, device)
    model.to(device, torch.float64)
    return adam_train(model, lambda idx: F.cross_entropy(model(tokens[idx]), y[idx]), len(data),
                      steps=steps_for(len(data), epochs, batch), batch=batch, lr=lr, weight_decay=weight_decay,
                      generator=generator, desc=desc)


@torch.no_grad()
def predict(model: GridTransformer, data: LSTData, *, noise: float = 0.0, scaled: bool = False,
            generator: torch.Generator | None = None, device="cpu", batch: int = 2048) -> np.ndarray:
    """Predicted answers (N,) 0-3, optionally under embedding noise (model.forward)."""
    model.eval()
    tokens, _ = tensors(data, device)
    out = [model(tokens[i:i + batch], noise=noise, scaled=scaled, generator=generator).argmax(-1)
           for i in range(0, len(data), batch)]
    return torch.cat(out).cpu().numpy()


def accuracy(data: LSTData, predicted: np.ndarray) -> dict[str, float]:
    """Overall accuracy and per level ("acc", "acc1", "acc2", "acc3")."""
    right = predicted == data.y
    return {"acc": float(right.mean()), **{f"acc{lv}": float(right[data.level == lv].mean()) for lv in LEVELS}}
