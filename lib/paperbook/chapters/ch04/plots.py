"""Chapter 04's figures: each function returns a matplotlib Figure built from an experiment's table."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...core.style import COLUMN_IN


def plot_by_output_length(table: pd.DataFrame) -> plt.Figure:
    """Exact match on the length split's test set against the output length, one line per model. Shown as
    `fig-x-acc-by-output-length`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.7, 2.8))
    for model, rows in table.groupby("model", sort=False):
        ax.plot(rows["output length"], rows["accuracy"], marker="o", ms=3, lw=1, label=model)
    ax.axvline(22.5, color="grey", lw=0.8, ls=":")
    ax.text(22.7, 0.5, "longest training output (22)", rotation=90, va="center", fontsize=7, color="grey")
    ax.set_xlabel("output length (actions)"), ax.set_ylabel("exact match"), ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_sample_efficiency(curve: pd.DataFrame, gru: pd.DataFrame) -> plt.Figure:
    """Exact match against training examples: CPG on prefixes of a 14-example set (scored on all 20,910
    commands) and the GRU on each split's full training set (scored on its test set). Shown as
    `fig-x-scan-sample-efficiency`: not in the paper (the book's own)."""
    fig, ax = plt.subplots(figsize=(COLUMN_IN * 0.7, 2.8))
    ax.plot(curve["examples"], curve["accuracy"], marker="o", lw=1, label="CPG (all 20,910 commands)")
    for _, row in gru.iterrows():
        ax.scatter(row["training lines"], row["test accuracy"], marker="s", color="C1", zorder=3)
        ax.annotate(f"GRU {row['split']}", (row["training lines"], row["test accuracy"]), fontsize=7,
                    xytext=(-4, 6), textcoords="offset points", ha="right")
    ax.set_xscale("log"), ax.set_ylim(-0.03, 1.08)
    ax.set_xlabel("training examples"), ax.set_ylabel("exact match (test)"), ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def plot_parse_program(tree, program: dict, command: str) -> plt.Figure:
    """A command's rule tree: each composite node with its rule and template (child indices, 0 = nothing), the
    words along the bottom. Shown as `fig-x-parse-program`: not in the paper (the book's own)."""
    nodes, edges, n_words = [], [], [0]

    def place(node, depth: int) -> tuple[float, int]:
        """(x, depth) of a node; words take the next free column."""
        if isinstance(node, str):
            n_words[0] += 1
            nodes.append((n_words[0] - 1, None, node))
            return n_words[0] - 1, None
        kids = [place(c, depth + 1) for c in node.children]
        x = sum(k[0] for k in kids) / len(kids)
        nodes.append((x, depth, f"{node.rule}\n{list(program[node.rule])}"))
        edges.extend(((x, depth), k) for k in kids)
        return x, depth

    place(tree, 0)
    bottom = 1 + max(d for _, d, _ in nodes if d is not None)
    level = lambda d: -(bottom if d is None else d)  # noqa: E731 -- words on the bottom row
    fig, ax = plt.subplots(figsize=(COLUMN_IN, 0.9 + 0.75 * bottom))
    for (x, d), (kx, kd) in edges:
        ax.plot([x, kx], [level(d), level(kd)], color="grey", lw=0.8, zorder=1)
    for x, d, text in nodes:
        ax.text(x, level(d), text, ha="center", va="center", fontsize=8 if d is None else 7, zorder=2,
                bbox=dict(boxstyle="round", fc="white" if d is None else "#dbe8f5", ec="grey", lw=0.6))
    ax.set_title(f"\u201c{command}\u201d", fontsize=9)
    ax.set_xlim(-0.8, n_words[0] - 0.2), ax.set_ylim(-bottom - 0.5, 0.5), ax.axis("off")
    fig.tight_layout()
    return fig
