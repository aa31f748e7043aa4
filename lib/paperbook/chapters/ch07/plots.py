"""Chapter 07's figures, each built from an experiment's table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...core.style import COLUMN_IN, panel_grid
from .experiments import METHODS

COLOURS = {m: f"C{i}" for i, m in enumerate(METHODS)}


def _small_multiples(names, height: float = 2.4):
    rows, cols, size = panel_grid(len(names), height=height)
    fig, grid = plt.subplots(rows, cols, figsize=size, squeeze=False)
    axes = list(grid.ravel())
    for ax in axes[len(names):]:
        fig.delaxes(ax)
    return fig, dict(zip(names, axes))


def _legend_below(fig, ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), bbox_to_anchor=(0.5, -0.01))
    fig.tight_layout(rect=(0, 0.08, 1, 1))


def plot_accuracy_vs_shots(acc: pd.DataFrame) -> plt.Figure:
    """Test accuracy against shots, one panel per task, mean ± sd over demonstration sets.
    Shown as `fig-linc-accuracy-vs-shots`: not in the paper (the book's own)."""
    fig, axes = _small_multiples(list(dict.fromkeys(acc["task"])))
    for task, ax in axes.items():
        for method in METHODS:
            sub = acc[(acc.task == task) & (acc.method == method)]
            ax.errorbar(sub["shots"], sub["mean"], yerr=sub["sd"], marker="o", ms=4, capsize=2, label=method,
                        color=COLOURS[method])
        ax.set_title(task), ax.set_xlabel("shots"), ax.set_xticks(sorted(acc["shots"].unique()))
    next(iter(axes.values())).set_ylabel("test accuracy")
    _legend_below(fig, next(iter(axes.values())))
    return fig


def plot_entropy_hist(examples: pd.DataFrame) -> plt.Figure:
    """Entropy of each test prediction in bits, ICL against LinC, pooled over the configurations, per task.
    Shown as `fig-linc-entropy-hist`: not in the paper (the book's own)."""
    fig, axes = _small_multiples(list(dict.fromkeys(examples["task"])))
    for task, ax in axes.items():
        sub = examples[examples.task == task]
        top = np.log2(sub["classes"].iloc[0])
        bins = np.linspace(0, top, 11)
        for method in ("ICL", "LinC"):
            ax.hist(sub.loc[sub.method == method, "entropy_bits"], bins=bins, alpha=0.55, label=method,
                    color=COLOURS[method])
        ax.axvline(top, color="grey", ls=":", lw=1)
        ax.set_title(task), ax.set_xlabel("entropy (bits)")
    next(iter(axes.values())).set_ylabel("test predictions")
    _legend_below(fig, next(iter(axes.values())))
    return fig


def plot_reliability(examples: pd.DataFrame, ece: dict, n_bins: int = 10) -> plt.Figure:
    """Reliability diagrams pooled over tasks and configurations: accuracy per confidence bin (lo, hi], one panel
    per method, with the mean per-configuration ECE in the title.
    Shown as `fig-linc-reliability`: not in the paper (the book's own)."""
    fig, axes = plt.subplots(1, len(METHODS), figsize=(COLUMN_IN, 2.6), sharey=True)
    edges = np.linspace(0, 1, n_bins + 1)
    for ax, method in zip(axes, METHODS):
        sub = examples[examples.method == method]
        bins = np.clip(np.ceil(sub["confidence"] * n_bins).astype(int) - 1, 0, n_bins - 1)
        acc = sub.groupby(bins)["correct"].mean()
        ax.bar(edges[acc.index], acc.values, width=1 / n_bins, align="edge", color=COLOURS[method], alpha=0.7,
               edgecolor="white")
        ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1)
        ax.set_xlim(0, 1), ax.set_ylim(0, 1), ax.set_xlabel("confidence")
        ax.set_title(f"{method} (mean ECE {ece[method]:.3f})")
    axes[0].set_ylabel("accuracy in bin")
    fig.tight_layout()
    return fig


def plot_accuracy_vs_nval(rows: pd.DataFrame) -> plt.Figure:
    """Test accuracy against the number of labelled probe examples (mean over demonstration sets).
    Shown as `fig-linc-acc-vs-nval`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.6, 2.8))
    mean = rows.groupby(["method", "n_val"])["correct"].mean()
    for method in METHODS:
        ax.plot(mean[method].index, mean[method].values, marker="o", label=method, color=COLOURS[method],
                ls="-" if method == "LinC" else "--")
    ax.set_xlabel("labelled probe examples"), ax.set_ylabel("test accuracy"), ax.legend()
    ax.set_xticks(sorted(rows["n_val"].unique()))
    fig.tight_layout()
    return fig


def plot_robustness(rows: pd.DataFrame) -> plt.Figure:
    """Test accuracy per setting of each robustness axis (label proportion, permutation, template), per method.
    Shown as `fig-linc-robustness`: not in the paper (the book's own)."""
    axes_names = list(dict.fromkeys(rows["axis"]))
    fig, axes = plt.subplots(1, len(axes_names), figsize=(COLUMN_IN, 2.7), sharey=True, squeeze=False)
    for ax, name in zip(axes[0], axes_names):
        sub = rows[rows.axis == name]
        settings = list(dict.fromkeys(sub["setting"]))
        for i, method in enumerate(METHODS):
            acc = sub[sub.method == method].set_index("setting").loc[settings, "acc"]
            ax.plot(np.arange(len(settings)) + (i - 1) * 0.08, acc.values, marker="o", ls="-", lw=0.8,
                    label=method, color=COLOURS[method])
        ax.set_xticks(range(len(settings)), settings, rotation=30 if name == "permutation" else 0)
        ax.set_title(name), ax.set_xlim(-0.5, len(settings) - 0.5)
    axes[0, 0].set_ylabel("test accuracy")
    _legend_below(fig, axes[0, 0])
    return fig


def plot_lr_sensitivity(rows: pd.DataFrame, default: tuple[str, float], official: dict[str, np.ndarray]) -> plt.Figure:
    """LinC's mean test accuracy over the configurations against its step budget (lr x epochs x probes), one colour
    per probe protocol and one line style per epoch count (the learning rate moves along a line), with CC's and ICL's
    means (which need no steps) as horizontal lines; the star marks the
    default (protocol, budget); ticks along the bottom mark the official scripts' budgets, one row per label of
    `official`. Shown as `fig-linc-lr-sensitivity`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN, 3.1))
    for j, (label, budgets) in enumerate(official.items()):
        ax.plot(budgets, np.full(len(budgets), 0.02 + 0.05 * j), "|", ms=9, mew=1.5, color=f"0.{3 + 3 * j}",
                transform=ax.get_xaxis_transform(), label=f"official, {label}")
    styles = dict(zip(sorted(rows["epochs"].unique()), ["-", "--", ":", "-."] * 4))
    for i, (protocol, by_protocol) in enumerate(rows.groupby("protocol", sort=False)):
        for epochs, sub in by_protocol.groupby("epochs"):
            ax.plot(sub["budget"], sub["LinC"], marker="o", ms=3, lw=1, ls=styles[epochs], color=f"C{i + 3}",
                    label=f"LinC, {protocol}" if epochs == min(styles) else None)
    for method in ("CC", "ICL"):
        ax.axhline(rows[method].iloc[0], color=COLOURS[method], ls=(0, (1, 2)), lw=1.2, label=method)
    protocol, budget = default
    hit = rows[(rows.protocol == protocol) & np.isclose(rows.budget, budget)]
    ax.plot(hit["budget"], hit["LinC"], marker="*", ms=13, ls="none", color="black", label="default")
    ax.set_xscale("log"), ax.set_xlabel("step budget: lr × epochs × probes"), ax.set_ylabel("mean test accuracy")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


def plot_probe_bias(rows: pd.DataFrame) -> plt.Figure:
    """Per few-shot configuration and probe protocol: how far the probe prompts' mean label distribution lies from
    the test prompts' (total variation) against LinC's accuracy minus CC's.
    Shown as `fig-linc-probe-bias`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.7, 2.9))
    for i, ((protocol, sub), marker) in enumerate(zip(rows.groupby("protocol", sort=False), "osD^v")):
        ax.scatter(sub["tv"], sub["LinC - CC"], marker=marker, s=22, alpha=0.75, color=f"C{i + 3}", label=protocol)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("TV(probe mean p, test mean p)"), ax.set_ylabel("acc(LinC) − acc(CC)")
    ax.legend(title="probe demonstrations", fontsize="small")
    fig.tight_layout()
    return fig
