"""Chapter 06's figures, each built from an experiment's table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...core.style import COLUMN_IN, panel_grid
from .experiments import MODELS

COLOURS = {m: f"C{i}" for i, m in enumerate(MODELS)}
MARKERS = {"R-NRN": "*", "NRN static": "P", "GBT": "s", "HGB": "D", "RF": "^", "MLP": "o", "LR": "v"}


def _panels(n: int, height: float = 2.4, sharey: bool = False):
    rows, cols, size = panel_grid(n, height=height)
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False, sharey=sharey)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:n]


def plot_params_vs_auc(table: pd.DataFrame) -> plt.Figure:
    """Test ROC AUC against trainable size (weights or tree nodes, log scale), one panel per data set.
    Shown as `fig-params-vs-auc`: not in the paper (the book's own)."""
    names = list(dict.fromkeys(table["data"]))
    fig, axes = _panels(len(names), height=2.5)
    for ax, name in zip(axes, names):
        for row in table[table["data"] == name].itertuples():
            ax.errorbar(row.size, row.auc, yerr=0 if np.isnan(row.auc_sd) else row.auc_sd, color=COLOURS[row.model],
                        marker=MARKERS[row.model], ms=8 if row.model == "R-NRN" else 5, ls="none", label=row.model)
        ax.set_xscale("log"), ax.set_title(name, fontsize=9), ax.set_xlabel("weights or tree nodes")
    axes[0].set_ylabel("test ROC AUC")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=7, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def plot_train_time(table: pd.DataFrame) -> plt.Figure:
    """CPU seconds per fit (mean over seeds, log scale) per data set and model. Shown as `fig-train-time`:
    not in the paper (the book's own)."""
    names = list(dict.fromkeys(table["data"]))
    fig, ax = plt.subplots(figsize=(COLUMN_IN, 2.8))
    width = 0.8 / len(MODELS)
    for i, model in enumerate(MODELS):
        rows = table[table["model"] == model].set_index("data").loc[names]
        ax.bar(np.arange(len(names)) + (i - (len(MODELS) - 1) / 2) * width, rows["cpu_s"], width,
               color=COLOURS[model], label=model)
    ax.set_yscale("log"), ax.set_ylabel("CPU seconds per fit")
    ax.set_xticks(np.arange(len(names)), names, fontsize=8)
    ax.legend(ncol=len(MODELS), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1))
    fig.tight_layout()
    return fig


def plot_explanation_length(per_row: pd.DataFrame) -> plt.Figure:
    """Conditions per explanation: the R-NRN's sufficient explanation against the depth-5 tree's path.
    Shown as `fig-explanation-length`: not in the paper (the book's own)."""
    names = list(dict.fromkeys(per_row["data"]))
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.7, 2.8))
    x = np.arange(len(names))
    for offset, column, colour, label in ((-0.2, "length", COLOURS["R-NRN"], "R-NRN sufficient explanation"),
                                          (0.2, "tree path", "grey", "depth-5 tree path")):
        data = [per_row.loc[per_row["data"] == n, column].to_numpy() for n in names]
        parts = ax.boxplot(data, positions=x + offset, widths=0.35, patch_artist=True, showmeans=True,
                           medianprops={"color": "black"}, meanprops={"marker": "o", "markersize": 3})
        for box in parts["boxes"]:
            box.set_facecolor(colour), box.set_alpha(0.6)
        ax.plot([], [], color=colour, lw=6, alpha=0.6, label=label)
    ax.set_xticks(x, names, fontsize=8), ax.set_ylabel("conditions"), ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2)
    fig.tight_layout()
    return fig


def plot_deletion_curves(curves: pd.DataFrame) -> plt.Figure:
    """Relative test AUC as the most important columns are permuted, one panel per data set.
    Shown as `fig-deletion-curves`: not in the paper (the book's own)."""
    names = list(dict.fromkeys(curves["data"]))
    fig, axes = _panels(len(names), height=2.5, sharey=True)
    for ax, name in zip(axes, names):
        for i, (kind, rows) in enumerate(curves[curves["data"] == name].groupby("importance", sort=False)):
            ax.plot(rows["fraction"], rows["relative"], marker="o", ms=3, lw=1,
                    color=COLOURS["R-NRN"] if kind == "R-NRN" else f"C{len(MODELS) + i}", label=kind)
        ax.axhline(0, color="grey", lw=0.8, ls=":")
        ax.set_title(name, fontsize=9), ax.set_xlabel("fraction permuted")
    axes[0].set_ylabel("(AUC - 0.5) / (AUC$_0$ - 0.5)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=7, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig
