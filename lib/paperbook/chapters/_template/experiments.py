"""The skeleton's experiments: one function per figure or table, each returning a tidy DataFrame."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch

from ...core.rng import rng


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x (-0.5 for an error falling as 1/sqrt(x))."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def error_vs_samples(ns: Sequence[int], trials: int, *, seed: int, device) -> pd.DataFrame:
    """Fig 1: mean |x_bar - mu| of the mean of n standard normal draws, over `trials` samples per n, and its
    standard error. Shape of each draw: (trials, n). Shown as `tab-1-error-vs-samples`: the book's Fig 1."""
    rows = []
    for n in sorted(set(ns)):
        x = torch.randn(trials, n, generator=rng(seed, "fig1", n), dtype=torch.float64).to(device)  # (trials, n)
        err = x.mean(-1).abs()  # (trials,)
        rows.append({"n": n, "err": float(err.mean()), "se": float(err.std() / trials ** 0.5)})
    return pd.DataFrame(rows)
