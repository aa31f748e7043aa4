"""Chapter 02's figures: each function returns a matplotlib Figure built from an experiment's output."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from ...core.style import COLUMN_IN, panel_grid
from ...memory.cluster_data import BASIN_MEMORIES


def _panels(n: int, height: float = 2.4, **kw):
    """A figure of n small multiples wrapping after three, and its axes in reading order (spares hidden)."""
    rows, cols, size = panel_grid(n, height=height)
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def plot_basins(n: int, maps: dict, agreement: pd.DataFrame) -> plt.Figure:
    """AM basins after the AM steps per beta beside the Voronoi tessellation of the n x n grid (agreement in titles).
    Shown as `fig-basins-vs-voronoi`: the paper's 2-D basins figure (its number not yet read from the PDF)."""
    keys = ["voronoi", *agreement["beta"]]
    fig, axes = plt.subplots(1, len(keys), figsize=(COLUMN_IN * 1.3, 1.3 * COLUMN_IN / len(keys) + 0.6),
                             sharey=True)
    for ax, key in zip(np.atleast_1d(axes), keys):
        ax.imshow(maps[key].reshape(n, n), origin="lower", extent=(0, 1, 0, 1), cmap="Pastel1", vmax=8)
        ax.scatter(*BASIN_MEMORIES.T, c="k", s=12)
        if key == "voronoi":
            ax.set_title("Voronoi")
        else:
            agree = float(agreement.loc[agreement["beta"] == key, "agreement"].iloc[0])
            ax.set_title(f"β = {key:g}\nagree {agree:.3f}", fontsize=9)
        ax.set_xticks([0, 1]), ax.set_yticks([0, 1])
    fig.tight_layout()
    return fig


def plot_gaussians(result: dict) -> plt.Figure:
    """ClAM (unmasked) vs k-means on the elongated Gaussians, SC and NMI in the titles. Shown as `fig-gaussians`:
    the paper's elongated-Gaussians figure (its number not yet read from the PDF)."""
    X = result["X"]
    cfg = result["clam_config"]
    panels = [("truth", result["y"], ""),
              ("ClAM", result["clam_labels"], f"β={cfg['beta']:g}, SC {cfg['sc']:.3f}, NMI {cfg['nmi']:.3f}"),
              ("k-means", result["kmeans_labels"],
               f"SC {result['kmeans']['sc']:.3f}, NMI {result['kmeans']['nmi']:.3f}")]
    fig, axes = plt.subplots(1, 3, figsize=(COLUMN_IN, 2.8), sharex=True, sharey=True)
    for ax, (title, labels, sub) in zip(axes, panels):
        ax.scatter(X[:, 0], X[:, 1], c=labels, s=5, cmap="viridis")
        ax.set_title(f"{title}\n{sub}" if sub else title, fontsize=9)
    fig.tight_layout()
    return fig


def plot_sc_comparison(summary: pd.DataFrame) -> plt.Figure:
    """SC per data set and method, each bar labelled with its number of effective clusters / k (a method
    without a qualifying configuration on a data set has no bar there). Shown as `fig-sc-comparison`: not in the
    paper (the book's own plot of the paper's SC table)."""
    summary = summary.dropna(subset=["sc"])
    fig, ax = plt.subplots(figsize=(COLUMN_IN, 3.6))
    sns.barplot(summary, x="dataset", y="sc", hue="method", ax=ax)
    for container, (_, rows) in zip(ax.containers, summary.groupby("method", sort=False)):
        labels = [f"{int(n)}/{k}" for n, k in zip(rows["n_effective"], rows["k"])]
        ax.bar_label(container, labels=labels, fontsize=6, padding=1, rotation=90)
    ax.set_ylabel("silhouette coefficient"), ax.set_xlabel("")
    ax.margins(y=0.15)  # room for the labels of the tallest bars
    ax.tick_params(axis="x", labelrotation=20)
    ax.legend(fontsize=8, ncol=2, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def plot_sc_vs_clusters(grid: pd.DataFrame) -> plt.Figure:
    """Every grid configuration: SC against its number of effective clusters, coloured by log beta (one scale for
    every panel); a cross marks a configuration that also has clusters below the minimum size (non-empty but not
    effective), k is dashed per data set. Shown as `fig-x-sc-vs-clusters`: not in the paper (the book's own)."""
    names = list(dict.fromkeys(grid["dataset"]))
    fig, axes = _panels(len(names), height=2.3)
    log_beta = np.log(grid["beta"])
    for ax, name in zip(axes, names):
        rows = grid[grid["dataset"] == name]
        tiny = rows["n_nonempty"] > rows["n_effective"]
        for marker, part in (("o", rows[~tiny]), ("X", rows[tiny])):
            points = ax.scatter(part["n_effective"], part["sc"], c=np.log(part["beta"]), cmap="plasma", s=22,
                                marker=marker, vmin=log_beta.min(), vmax=log_beta.max() + 1e-9)
        k = rows["k"].iloc[0]
        ax.axvline(k, color="grey", ls="--", lw=1)
        ax.set_xlim(min(rows["n_effective"].min(), k) - 0.5, max(rows["n_effective"].max(), k) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        ax.set_title(name, fontsize=9), ax.set_xlabel("effective clusters"), ax.set_ylabel("SC")
    fig.tight_layout()
    fig.colorbar(points, ax=axes, label="log β", fraction=0.03, pad=0.02)
    return fig


def plot_losses(fits: dict) -> plt.Figure:
    """Training loss (eq-02-loss, summed per epoch) of every configuration, one panel per data set (linear scale:
    the losses vary within a factor of a few). Shown as `fig-training-loss`: not in the paper (the book's own)."""
    fig, axes = _panels(len(fits), height=2.2)
    for ax, (name, (fit, table)) in zip(axes, fits.items()):
        for g, rows in fit.history.groupby("config"):
            cfg = table.iloc[g]
            ax.plot(rows["epoch"], rows["loss"], lw=1, label=f"β={cfg['beta']:g}, lr={cfg['lr']:g}, {cfg['fill']}")
        ax.set_title(name, fontsize=9), ax.set_xlabel("epoch"), ax.set_ylabel("loss")
    fig.tight_layout()
    if len(fit.history["config"].unique()) <= 6:  # a legend for the full 36-configuration grid is unreadable
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=7)
    return fig
