"""Chapter 03's figures: each function returns a matplotlib Figure built from an experiment's table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import seaborn as sns

from ...compose.cdag import CDag
from ...core.style import COLUMN_IN, panel_grid

CHANCE = 0.2  # tree-ops over Z_5


def _layout(d: CDag) -> dict:
    """Sources on the bottom row in token order; every internal node one row above its highest parent, at the
    mean position of its parents; nodes of a row that would overlap are spread evenly over the tokens' width."""
    pos = {s: (float(i), 0.0) for i, s in enumerate(d.sources)}
    for v in d.internal:
        parents = [pos[u] for u in d.graph.predecessors(v)]
        pos[v] = (float(np.mean([x for x, _ in parents])), 1 + max(y for _, y in parents))
    rows: dict[float, list] = {}
    for v in d.internal:
        rows.setdefault(pos[v][1], []).append(v)
    for y, row in rows.items():
        xs = sorted(pos[v][0] for v in row)
        if len(row) > 1 and min(np.diff(xs)) < 0.5:
            spread = np.linspace(0, d.L - 1, len(row))
            pos.update({v: (float(x), y) for v, x in zip(row, spread)})
    return pos


def plot_cdags(dags: dict[str, CDag], labels: dict[str, list[str]]) -> plt.Figure:
    """Small cDAGs side by side: tokens (labelled) at the bottom, span-processor applications above, the sink
    (read by h) in a darker colour; titles may hold a line break. Shown as
    `fig-x-cdags`: not in the paper (the book's own)."""
    fig, axes = plt.subplots(1, len(dags), figsize=(COLUMN_IN, 3.0), squeeze=False)
    for ax, (name, d) in zip(axes.flat, dags.items()):
        pos = _layout(d)
        colours = ["#dddddd" if v in d.sources else "#333333" if v == d.sink else "#7fa7d6" for v in d.graph]
        nx.draw_networkx(d.graph, pos, ax=ax, node_color=colours, node_size=50, with_labels=False, arrowsize=6,
                         width=0.5, edge_color="#888888")
        for s, text in zip(d.sources, labels[name]):
            ax.annotate(text, pos[s], xytext=(2, -8), textcoords="offset points", ha="right", va="top",
                        rotation=45, fontsize=7)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_loi_vs_length(table: pd.DataFrame) -> plt.Figure:
    """Max path-LoI against L (log-log): the chain and the tree stay at 1, transformers grow as L^(M-1); colour
    is the depth M, solid a full transformer, dotted a causal one.
    Shown as `fig-x-loi-vs-length`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.75, 3.4))
    Ms = sorted(table["M"].dropna().unique())
    colour = dict(zip(Ms, sns.color_palette("viridis", len(Ms))))
    for (model, M), group in table.groupby(["model", "M"], sort=False, dropna=False):
        fixed = pd.isna(M)
        style = {"RNN (chain)": ("-", "black"), "balanced binary tree": ("--", "grey")}.get(model) if fixed else (
            ":" if model.startswith("causal") else "-", colour[M])
        ax.plot(group["L"], group["max_loi"], style[0], color=style[1], marker="o", ms=3, lw=1,
                label=model if fixed else f"{model}, M={int(M)}")
    ax.set_xscale("log", base=2), ax.set_yscale("log")
    ax.set_xlabel("sequence length L"), ax.set_ylabel("max path-LoI (λ = 1)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def _diagonal(ax, lo: float, hi: float, label: str) -> None:
    ax.plot([lo, hi], [lo, hi], "--", color="grey", lw=1, label=label)
    ax.set_xscale("log"), ax.set_yscale("log")


def plot_sensitivity(table: pd.DataFrame) -> plt.Figure:
    """P1: per token, the largest observed |Δf| / |δ| against its bound LoI_i(λ); every point under the diagonal.
    Shown as `fig-x-sensitivity-bound`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.75, 3.6))
    sns.scatterplot(data=table, x="bound", y="max_gain", hue="dag", style="lam", ax=ax, s=22)
    _diagonal(ax, table["bound"].min() * 0.8, table["bound"].max() * 1.2, "bound = observed")
    ax.set_xlabel(r"bound $L_h\,\mathrm{LoI}_i(\lambda)$"), ax.set_ylabel(r"observed max $|\Delta f| / |\delta|$")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    return fig


def plot_propagation(table: pd.DataFrame) -> plt.Figure:
    """P2: largest output error against the bound ε · error gain, per cDAG and λ. Shown as
    `fig-x-error-propagation`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.75, 3.6))
    sns.scatterplot(data=table, x="bound", y="max_err", hue="dag", style="lam", ax=ax, s=22)
    _diagonal(ax, table["bound"].min() * 0.8, table["bound"].max() * 1.2, "bound = observed")
    ax.set_xlabel(r"bound $\varepsilon \cdot$ error gain"), ax.set_ylabel(r"observed max $|\hat f - f|$")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def plot_generalisation(summary: pd.DataFrame) -> plt.Figure:
    """Tree-ops accuracy per test range and model at the largest training set; chance dashed. Shown as
    `fig-x-treeops-generalisation`: not in the paper (the book's own)."""
    n = summary["n_train"].max()
    fig, ax = plt.subplots(figsize=(COLUMN_IN, 3.2))
    sns.barplot(data=summary[summary["n_train"] == n], x="range", y="accuracy", hue="model", ax=ax)
    ax.axhline(CHANCE, ls="--", color="grey", lw=1, label="chance")
    ax.set_ylim(0, 1.22), ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_xlabel(f"test expressions (trained on n = {n})"), ax.set_ylabel("accuracy")
    ax.legend(fontsize=7, ncol=6, loc="upper center")
    fig.tight_layout()
    return fig


def plot_sample_efficiency(summary: pd.DataFrame) -> plt.Figure:
    """Accuracy against the number of training expressions, one panel per test range. Shown as
    `fig-x-sample-efficiency`: not in the paper (the book's own)."""
    ranges = list(dict.fromkeys(summary["range"]))
    rows, cols, size = panel_grid(len(ranges), height=2.6)
    fig, axes = plt.subplots(rows, cols, figsize=size, squeeze=False, sharey=True)
    for ax in axes.flat[len(ranges):]:
        ax.set_visible(False)
    for ax, label in zip(axes.flat, ranges):
        sns.lineplot(data=summary[summary["range"] == label], x="n_train", y="accuracy", hue="model", marker="o",
                     ax=ax, legend=ax is axes.flat[0])
        ax.axhline(CHANCE, ls="--", color="grey", lw=1)
        ns = sorted(summary["n_train"].unique())
        ax.set_xscale("log"), ax.set_xticks(ns, [str(n) for n in ns]), ax.minorticks_off()
        ax.set_ylim(0, 1.02), ax.set_title(label), ax.set_xlabel("training expressions")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    return fig
