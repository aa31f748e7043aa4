"""Verdicts across seeds: a sweep's per-seed claims tables folded into one stability table (held at k of N seeds;
mean, sd, min and max of each row's margin) and the verdict a reader sees.

A paper claim reads "reproduced" only when it is reproduced at every seed of the sweep, "seed-dependent (k/N)" when
at some, "not reproduced" at none. A post-hoc rule set on seed 0 is confirmed only by the other seeds: it reads
"reproduced (post hoc, confirmed on k fresh seeds)" when it holds at all of them. A check or control holds at k of N.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .claims import (
    CHECK,
    CONTROL,
    HOLDS,
    NOT_REPRODUCED,
    NOT_RUN,
    NOT_TESTABLE,
    POST_HOC,
    REPRODUCED,
    REPRODUCED_POST_HOC,
)

STABILITY_COLUMNS = ["id", "kind", "origin", "rule", "seeds", "held", "across_seeds", "seed0_verdict",
                     "margin_mean", "margin_sd", "margin_min", "margin_max"]
SEED_DEPENDENT = "seed-dependent"


def margins(by_seed: pd.DataFrame) -> pd.Series:
    """The numeric margin of every (seed, id) row (NaN where a rule has none)."""
    return pd.to_numeric(by_seed["margin"], errors="coerce")


def across_seeds(kind: str, origin: str, verdicts: pd.Series, seed0: int = 0) -> tuple[int, str]:
    """(seeds at which the row held, the verdict across seeds) from its verdict at each seed (indexed by seed)."""
    n = len(verdicts)
    if kind in (CHECK, CONTROL):
        held = int((verdicts == HOLDS).sum())
        return held, HOLDS if held == n else f"fails at {n - held}/{n}"
    if (verdicts == NOT_RUN).all():
        return 0, NOT_RUN
    if (verdicts == NOT_TESTABLE).all():
        return 0, NOT_TESTABLE
    held = int(verdicts.isin([REPRODUCED, REPRODUCED_POST_HOC]).sum())
    if held == 0:
        return 0, NOT_REPRODUCED
    if held < n:
        return held, f"{SEED_DEPENDENT} ({held}/{n})"
    if origin == POST_HOC:
        fresh = int((verdicts.index != seed0).sum())
        return held, (f"{REPRODUCED_POST_HOC}, confirmed on {fresh} fresh seeds" if fresh else REPRODUCED_POST_HOC)
    return held, REPRODUCED


def stability(by_seed: pd.DataFrame) -> pd.DataFrame:
    """One row per claim id (in the order of the tables): seeds run, seeds held, the verdict across seeds, the seed-0
    verdict and the margin's mean, sd, min and max over the seeds."""
    frame = by_seed.assign(margin_value=margins(by_seed))
    rows = []
    for cid in dict.fromkeys(frame["id"]):
        rows_of = frame[frame["id"] == cid].set_index("seed")
        first = rows_of.iloc[0]
        held, verdict = across_seeds(first["kind"], first["origin"], rows_of["verdict"])
        m = rows_of["margin_value"].dropna()
        rows.append({"id": cid, "kind": first["kind"], "origin": first["origin"], "rule": first["rule"],
                     "seeds": len(rows_of), "held": held, "across_seeds": verdict,
                     "seed0_verdict": rows_of["verdict"].get(0, ""),
                     "margin_mean": m.mean() if len(m) else np.nan, "margin_sd": m.std() if len(m) > 1 else np.nan,
                     "margin_min": m.min() if len(m) else np.nan, "margin_max": m.max() if len(m) else np.nan})
    return pd.DataFrame(rows, columns=STABILITY_COLUMNS)


def plot_margins(by_seed: pd.DataFrame):
    """Figure: each row's margin at each seed (dots) against zero, one small panel per row with a margin (its own
    units)."""
    import matplotlib.pyplot as plt

    frame = by_seed.assign(margin_value=margins(by_seed)).dropna(subset=["margin_value"])
    ids = list(dict.fromkeys(frame["id"]))
    cols = 4
    rows = max(1, -(-len(ids) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 1.1 * rows + 0.4), squeeze=False)
    for ax, cid in zip(axes.flat, ids):
        values = frame[frame["id"] == cid]
        colours = np.where(values["margin_value"] >= 0, "#2a7a2a", "#b03a2e")
        ax.scatter(values["margin_value"], values["seed"], c=colours, s=14)
        ax.axvline(0, color="0.4", lw=0.8)
        ax.set_title(cid, fontsize=8, loc="left")
        ax.tick_params(labelsize=6)
        ax.set_yticks(sorted(values["seed"].unique()))
    for ax in list(axes.flat)[len(ids):]:
        ax.axis("off")
    fig.supxlabel("margin (the rule's units; >= 0 where it holds)", fontsize=8)
    fig.supylabel("seed", fontsize=8)
    fig.tight_layout()
    return fig
