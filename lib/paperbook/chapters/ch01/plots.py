"""Chapter 01's figures: each function returns a matplotlib Figure built from an experiment's table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

from ...core.style import COLUMN_IN
from ...memory.patterns import image_shape
from .experiments import QUERY_TYPES, CompletionResult

QUERY_TITLES = {"mem": "at memories", "near": "near memories (10% bits flipped)", "rand": "random queries"}


def _label_Y(ax, Ys) -> None:
    """Log x axis with ticks at the Y values used, labelled 2k, 64k, ... (matplotlib's minor labels collide)."""
    ax.set_xscale("log")
    ax.set_xticks(sorted(set(Ys)), [f"{y / 1000:g}k" if y >= 1000 else f"{y:g}" for y in sorted(set(Ys))])
    ax.xaxis.set_minor_formatter(NullFormatter())


def _panels(rows: int, cols: int, h: float = 2.4, width: float = COLUMN_IN, **kw):
    """rows x cols panels filling the book's column (wider figures are shrunk by the page, fonts with them)."""
    fig, axes = plt.subplots(rows, cols, figsize=(width, h * rows), squeeze=False, **kw)
    return fig, axes


def _finish(fig: plt.Figure, axes, xlabel: str | None = None) -> plt.Figure:
    """Label the bottom row's x axes, tighten the layout and put the first panel's legend above the panels,
    outside the data."""
    for ax in axes[-1]:
        if xlabel:
            ax.set_xlabel(xlabel)
    fig.tight_layout()
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(len(labels), 4),
               frameon=False)
    return fig


def plot_kernel_scatter(table: pd.DataFrame, scatter: dict) -> plt.Figure:
    """SinCos estimate vs the exact RBF kernel per beta (largest Y), and RMS error vs Y against (1-kappa^2)/sqrt(2Y).
    Shown as `fig-x-kernel-scatter`: not in the paper (the book's own)."""
    fig, axes = _panels(1, len(scatter) + 1, h=2.3, width=COLUMN_IN * 1.2)
    for ax, (beta, (kappa, est)) in zip(axes[0], scatter.items()):
        ax.scatter(kappa, est, s=4, alpha=0.5)
        ax.plot([0, 1], [0, 1], color="k", lw=0.8)
        ax.set_title(f"β = {beta:g}, Y = {table['Y'].max()}", fontsize=9)
        ax.set_xlabel("κ(x, y) exact"), ax.set_ylabel("⟨φ(x), φ(y)⟩")
    ax = axes[0][-1]
    for beta, g in table.groupby("beta"):
        line, = ax.loglog(g["Y"], g["rms_error"], "o", label=f"β = {beta:g}")
        ax.loglog(g["Y"], g["rms_predicted"], "-", color=line.get_color(), lw=1)
    _label_Y(ax, table["Y"]), ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("Y"), ax.set_title("RMS error (dots) vs exact SD (lines)", fontsize=9)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def plot_error_vs_features(errors: pd.DataFrame, metric: str = "grad") -> plt.Figure:
    """Fig 3: mean |error| vs Y (log-log) per D (rows) and query type (columns), one line per beta, with the
    fitted envelope b/sqrt(Y) (dotted) and the random-guess level (red, max over beta, as the official plot).
    Shown as `fig-3-error-vs-features` and `fig-3-energy-error-vs-features`: the paper's Figure 3 (the energy form
    is the book's own)."""
    col, se, guess = (f"err_{metric}", f"se_{metric}", f"guess_{metric}")
    dims = sorted(errors["D"].unique())
    fig, axes = _panels(len(dims), len(QUERY_TYPES), h=2.5, width=COLUMN_IN * 1.15, sharex=True)
    for i, dim in enumerate(dims):
        rows = errors[errors["D"] == dim]
        level = rows.groupby("beta")[guess].mean().max()
        for j, query in enumerate(QUERY_TYPES):
            ax = axes[i][j]
            for beta, g in rows[rows["query"] == query].groupby("beta"):
                line = ax.errorbar(g["Y"], g[col], yerr=g[se], marker="o", ms=3, lw=1, label=f"β = {beta:g}")[0]
                b = float(np.max(np.sqrt(g["Y"]) * g[col]))
                ys = np.geomspace(g["Y"].min(), g["Y"].max(), 20)
                ax.plot(ys, b / np.sqrt(ys), ":", color=line.get_color(), lw=1)
            ax.axhline(level, color="red", lw=1, label="rand guess")
            _label_Y(ax, rows["Y"]), ax.set_yscale("log"), ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_title(f"D = {dim}, {QUERY_TITLES[query]}", fontsize=8)
        axes[i][0].set_ylabel("mean |Δ∇E| per coordinate" if metric == "grad" else "mean |ΔE|")
    return _finish(fig, axes, "random features Y")


def plot_retrieval(table: pd.DataFrame) -> plt.Figure:
    """Fig 4A: normalised Hamming distance between the binarised fixed points of DrDAM and MrDAM vs Y.
    Shown as `fig-4a-retrieval-agreement`: the paper's Figure 4A."""
    fig, axes = _panels(1, len(QUERY_TYPES), h=2.6, sharey=True)
    for ax, query in zip(axes[0], QUERY_TYPES):
        for beta, g in table[table["query"] == query].groupby("beta"):
            ax.plot(g["Y"], g["hamming"], "o-", ms=4, label=f"β = {beta:g}")
        ax.axhline(0.5, color="red", lw=1, label="rand noise")
        _label_Y(ax, table["Y"]), ax.set_xlabel("random features Y"), ax.set_title(QUERY_TITLES[query], fontsize=9)
    axes[0][0].set_ylabel("Hamming(DrDAM, MrDAM)")
    return _finish(fig, axes)


def plot_error_vs_memories(table: pd.DataFrame) -> plt.Figure:
    """Fig 5: |dE| and the per-query L2 norm of d grad E (the official plot's metric) vs the number of stored
    memories K at fixed Y; rows D. Shown as `fig-5-error-vs-memories`: the paper's Figure 5."""
    dims = sorted(table["D"].unique())
    fig, axes = _panels(len(dims), 2, h=2.8)
    for row, dim in zip(axes, dims):
        rows = table[table["D"] == dim]
        for ax, (col, label) in zip(row, (("err_E", "mean |ΔE|"), ("err_grad_l2", "mean ‖Δ∇E‖ per query"))):
            for (beta, query), g in rows.groupby(["beta", "query"]):
                ax.errorbar(g["K"], g[col], yerr=g[col.replace("err", "se")], marker="o", ms=3, lw=1,
                            label=f"{QUERY_TITLES[query].split(' (')[0]}, β = {beta:g}")
            ax.set_xscale("log"), ax.set_yscale("log"), ax.set_ylabel(label), ax.set_title(f"D = {dim}", fontsize=9)
    return _finish(fig, axes, "stored memories K")


def plot_kernel_ablation(table: pd.DataFrame) -> plt.Figure:
    """Fig 6: energy error (offset removed) and gradient error per feature map vs Y; rows beta.
    Shown as `fig-6-kernel-ablation`: the paper's Figure 6."""
    betas = sorted(table["beta"].unique())
    cols = [(m, at) for m in ("err_E", "err_grad") for at in ("memories", "queries")]
    fig, axes = _panels(len(betas), len(cols), h=2.0, width=COLUMN_IN * 1.25, sharex=True)
    for i, beta in enumerate(betas):
        for j, (metric, at) in enumerate(cols):
            ax = axes[i][j]
            for kind, g in table[(table["beta"] == beta) & (table["at"] == at)].groupby("kind", sort=False):
                ax.plot(g["Y"], g[metric], "o-", ms=3, lw=1, label=kind)
            _label_Y(ax, table["Y"]), ax.set_yscale("log"), ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_title(f"β = {beta:g}: {'|ΔE| − offset' if metric == 'err_E' else '|Δ∇E|'} at {at}", fontsize=8)
    return _finish(fig, axes, "Y")


def plot_completion(res: CompletionResult, Y: int, n_show: int = 6) -> plt.Figure:
    """Fig 1: occluded query / DrDAM / MrDAM / original for n_show queries, and the energy along the paths.
    Shown as `fig-1-completion`: the paper's Figure 1 (an analog on digits by default)."""
    n_show, shape = min(n_show, len(res.queries)), image_shape(res.memories.shape[1])
    rows = [("query", res.queries), (f"DrDAM, Y = {Y}", res.dr_final[Y]), ("MrDAM", res.mr_final),
            ("original", res.memories[res.sources])]
    fig = plt.figure(figsize=(COLUMN_IN * 1.15, 4.2))
    grid = fig.add_gridspec(len(rows), n_show + 4)
    vmax = float(res.memories.max())
    for r, (label, images) in enumerate(rows):
        for c in range(n_show):
            ax = fig.add_subplot(grid[r, c])
            _image(ax, images[c], shape, vmax)
            if c == 0:
                ax.set_ylabel(label, fontsize=7)
    ax = fig.add_subplot(grid[:, n_show + 1:])
    steps = np.arange(res.mr_energy.shape[0])
    approx, _ = res.dr_energy[Y]
    for c in range(n_show):
        line, = ax.plot(steps, res.mr_energy[:, c].cpu(), "--", lw=1)
        ax.plot(steps, approx[:, c].cpu(), "-", lw=1, color=line.get_color())
    ax.set_xlabel("step"), ax.set_ylabel("energy")
    ax.set_title("MrDAM E (dashed), DrDAM Ê (solid)", fontsize=8)
    return fig


def _image(ax, values, shape: tuple[int, ...], vmax: float) -> None:
    """One stored or completed image, scaled by the memories' maximum, without ticks."""
    pixels = values.reshape(shape).cpu().numpy() / vmax
    if len(shape) == 3:  # colour: RGB in [0, 1]
        ax.imshow(pixels.clip(0, 1))
    else:
        ax.imshow(pixels, cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([]), ax.set_yticks([]), ax.spines[:].set_visible(False), ax.grid(False)


def plot_reconstruction_grid(results: dict, query: int = 0) -> plt.Figure:
    """Fig 4B: one occluded query completed by DrDAM at every Y and by MrDAM, one row per beta, beside the query
    and its original. Shown as `fig-4b-reconstruction-grid`: the paper's Figure 4B (an analog)."""
    betas = sorted(results)
    first = results[betas[0]]
    Ys, shape, vmax = sorted(first.dr_final), image_shape(first.memories.shape[1]), float(first.memories.max())
    titles = ["query", *(f"DrDAM\nY = {Y}" for Y in Ys), "MrDAM", "original"]
    fig, axes = plt.subplots(len(betas), len(titles), figsize=(COLUMN_IN, 0.95 * len(betas) + 0.5), squeeze=False)
    for row, beta in zip(axes, betas):
        res = results[beta]
        images = [res.queries[query], *(res.dr_final[Y][query] for Y in Ys), res.mr_final[query],
                  res.memories[res.sources[query]]]
        for ax, values in zip(row, images):
            _image(ax, values, shape, vmax)
        row[0].set_ylabel(f"β = {beta:g}", fontsize=8)
    for ax, title in zip(axes[0], titles):
        ax.set_title(title, fontsize=7)
    fig.tight_layout()
    return fig


def plot_cost(table: pd.DataFrame) -> plt.Figure:
    """Parameters and measured time of one gradient step vs K: MrDAM grows with K, DrDAM stays flat.
    Shown as `fig-x-cost-vs-memories`: not in the paper (the book's own)."""
    fig, axes = _panels(1, 2, h=2.8)
    for model, g in table.groupby("model"):
        axes[0][0].loglog(g["K"], g["n_params"], "o-", label=model)
        axes[0][1].loglog(g["K"], g["ms_per_step"], "o-", label=model)
    axes[0][0].set_ylabel("parameters"), axes[0][1].set_ylabel("ms per gradient step (median)")
    for ax in axes[0]:
        ax.set_xlabel("stored memories K"), ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
