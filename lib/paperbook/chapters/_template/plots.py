"""The skeleton's figures: each function returns a matplotlib Figure built from an experiment's table."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_error_vs_samples(table: pd.DataFrame) -> plt.Figure:
    """Fig 1: mean |x_bar - mu| against n (log-log) with the exact sqrt(2 / (pi n)) line. Shown as
    `fig-1-error-vs-samples`: the book's Fig 1."""
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.errorbar(table["n"], table["err"], yerr=table["se"], marker="o", ms=4, lw=1, label="measured")
    n = np.geomspace(table["n"].min(), table["n"].max(), 50)
    ax.plot(n, np.sqrt(2 / (math.pi * n)), "--", color="grey", lw=1, label=r"$\sqrt{2/(\pi n)}$")
    ax.set_xscale("log"), ax.set_yscale("log")
    ax.set_xlabel("sample size n"), ax.set_ylabel(r"mean $|\bar x - \mu|$"), ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
