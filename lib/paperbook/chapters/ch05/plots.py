"""Chapter 05's figures, each built from an experiment's table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...core.style import COLUMN_IN
from ...relational import analysis, lst
from .experiments import HUMAN, REFERENCE_LOGS

LEVEL_COLOURS = {1: "#4c72b0", 2: "#dd8452", 3: "#55a868"}


def plot_accuracy_by_pe(table: pd.DataFrame) -> plt.Figure:
    """Accuracy per encoding and level, in distribution and out of it, with the human levels and chance. Shown as
    `fig-accuracy-by-pe`: not in the paper (the book's own)."""
    fig, axes = plt.subplots(1, 2, figsize=(COLUMN_IN, 3.2), sharey=True)
    x, width = np.arange(len(table)), 0.27
    for ax, split, title in zip(axes, ("test", "ood"), ("test (k as in training)", "out of distribution")):
        for i, lv in enumerate(lst.LEVELS):
            ax.bar(x + (i - 1) * width, table[f"{split} acc{lv}"], width, color=LEVEL_COLOURS[lv],
                   label=lst.LEVEL_NAMES[lv])
            ax.axhline(HUMAN[lv], color=LEVEL_COLOURS[lv], ls="--", lw=0.8)
        ax.axhline(0.25, color="grey", ls=":", lw=0.8)
        ax.set_xticks(x, table["encoding"], rotation=45, ha="right", fontsize=7)
        ax.set_title(title, fontsize=9)
    axes[0].set_ylabel("accuracy"), axes[0].set_ylim(0, 1.02)
    axes[1].legend(fontsize=7, title="level (dashed: humans)", title_fontsize=7, loc="upper right")
    fig.tight_layout()
    return fig


def plot_training_loss(curves: pd.DataFrame) -> plt.Figure:
    """Mean training loss per epoch and encoding (one line per seed), with the loss of a constant guess, ln 4.
    Shown as `fig-pe-training-loss`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.62, 3.0))
    for i, (encoding, rows) in enumerate(curves.groupby("encoding", sort=False)):
        for j, (_, run) in enumerate(rows.groupby("seed")):
            ax.plot(run["epoch"], run["loss"], color=f"C{i}", lw=1, label=encoding if j == 0 else None)
    ax.axhline(np.log(4), color="grey", ls=":", lw=0.8)
    ax.set_xlabel("epoch"), ax.set_ylabel("training cross-entropy"), ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_pe_geometry(pictures: dict[str, np.ndarray], alignment: pd.DataFrame) -> plt.Figure:
    """The 4x4 grid, then a 2D MDS of each table encoding (cells coloured by row, numbered by column; lines join
    a row's cells), titled with its alignment. Shown as `fig-pe-geometry`: not in the paper (the book's own)."""
    panels = [("grid (ground truth)", analysis.grid_coordinates() - analysis.grid_coordinates().mean(0), None)]
    rho = alignment.set_index("config")
    panels += [(rho.loc[c, "encoding"], xy, rho.loc[c]) for c, xy in pictures.items()]
    cols = min(4, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(COLUMN_IN, 1.9 * rows + 0.2), squeeze=False)
    colours = plt.cm.viridis(np.linspace(0, 0.9, lst.SIDE))
    for ax, (title, xy, r) in zip(axes.flat, panels):
        xy = xy[:, ::-1] * [1, -1]  # (column, -row): the grid as it is drawn
        for row in range(lst.SIDE):
            cells = slice(row * lst.SIDE, (row + 1) * lst.SIDE)
            ax.plot(*xy[cells].T, color=colours[row], lw=0.7, alpha=0.6)
            for col, (px, py) in enumerate(xy[cells]):
                ax.text(px, py, str(col), color=colours[row], fontsize=7, ha="center", va="center",
                        fontweight="bold")
        ax.set_title(title if r is None else f"{title}\nρ_manh {r['rho_manh']:.2f}, ρ_rowcol {r['rho_rowcol']:.2f}",
                     fontsize=7)
        ax.set_xticks([]), ax.set_yticks([]), ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0.15)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_distances(matrices: dict[str, np.ndarray], alignment: pd.DataFrame) -> plt.Figure:
    """The grid's Manhattan distances between the 16 cells, then each table's cosine distances (row-major cells).
    Shown as `fig-pe-distances`: not in the paper (the book's own)."""
    names = alignment.set_index("config")["encoding"]
    fig, axes = plt.subplots(1, len(matrices), figsize=(COLUMN_IN, COLUMN_IN / len(matrices) + 0.5))
    for ax, (config, m) in zip(np.atleast_1d(axes), matrices.items()):
        ax.imshow(m, cmap="magma")
        ax.set_title("grid (Manhattan)" if config == "grid" else names[config], fontsize=7)
        ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_accuracy_vs_sigma(table: pd.DataFrame) -> plt.Figure:
    """Accuracy against the learnable encoding's init std σ: ours (test, OOD) beside the released logs (test,
    human-val). Shown as `fig-accuracy-vs-sigma` and `tab-x-reference-logs`: not in the paper (the book's own)."""
    ours = table[table["config"].str.startswith("learn:")].assign(
        sigma=lambda t: t["config"].str.split(":").str[1].astype(float)).sort_values("sigma")
    ref = REFERENCE_LOGS[REFERENCE_LOGS["encoding"] == "learn"]
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.62, 3.0))
    ax.plot(ours["sigma"], ours["test acc"], "o-", color="C0", label="ours: test")
    ax.plot(ours["sigma"], ours["ood acc"], "s-", color="C1", label="ours: OOD")
    ax.plot(ref["sigma"], ref["test"], "o--", color="C0", alpha=0.5, mfc="none", label="ref. logs: test")
    ax.plot(ref["sigma"], ref["human-val"], "s--", color="C1", alpha=0.5, mfc="none", label="ref. logs: human-val")
    ax.axhline(0.25, color="grey", ls=":", lw=0.8)
    ax.set_xscale("log"), ax.set_xlabel("init std σ of the learnable encoding"), ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.02), ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_noise(table: pd.DataFrame) -> plt.Figure:
    """Test accuracy against embedding-noise level, per encoding: fixed std and norm-scaled. Shown as
    `fig-noise-robustness`: not in the paper (the book's own)."""
    fig, axes = plt.subplots(1, 2, figsize=(COLUMN_IN, 3.0), sharey=True)
    for ax, protocol in zip(axes, ("fixed", "scaled")):
        for encoding, rows in table[table["protocol"] == protocol].groupby("encoding", sort=False):
            ax.plot(rows["noise"], rows["accuracy"], "o-", ms=3, label=encoding)
        ax.axhline(0.25, color="grey", ls=":", lw=0.8)
        ax.set_title("noise std fixed" if protocol == "fixed" else "noise std × token RMS", fontsize=9)
        ax.set_xlabel("noise level")
    axes[0].set_ylabel("test accuracy"), axes[0].set_ylim(0, 1.02), axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig
