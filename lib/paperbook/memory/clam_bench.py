"""Time ClAM's joint grid trainer: one configuration against the official 4 x 3 x 3 grid, on one data set.

    python -m paperbook.memory.clam_bench [--dataset zoo] [--epochs 20] [--repeats 3]

Prints the median wall time of each fit and the cost of the 36-configuration grid per configuration.
"""

from __future__ import annotations

import argparse
import statistics
import time

from .clam_train import fit_clam_grid, grid_configs
from .cluster_data import DATASETS, load_clustering

OFFICIAL_GRID = {"betas": (1.1, 1.5, 1.9, 2.4), "lrs": (0.001, 0.01, 0.1), "fills": ("mean", "max", "min")}


def median_fit_seconds(X, configs, repeats: int) -> float:
    """Median wall time of fit_clam_grid over `repeats` fits (same seed: the same work each time)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit_clam_grid(X, configs, seed=0)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="zoo", choices=DATASETS)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    X, _, k = load_clustering(args.dataset)
    shared = {"epochs": args.epochs, "batch": 8}  # the official batch size
    one = median_fit_seconds(X, grid_configs(k, betas=[1.9], lrs=[0.01], fills=["mean"], **shared), args.repeats)
    grid = median_fit_seconds(X, grid_configs(k, **OFFICIAL_GRID, **shared), args.repeats)
    n = len(OFFICIAL_GRID["betas"]) * len(OFFICIAL_GRID["lrs"]) * len(OFFICIAL_GRID["fills"])
    out = {"one configuration s": one, f"grid of {n} s": grid, "grid / one": grid / one,
           "per configuration, grid / one": grid / one / n}
    print(f"{args.dataset}, {args.epochs} epochs, batch 8, median of {args.repeats}: "
          + ", ".join(f"{name} {value:.3g}" for name, value in out.items()))
    return out


if __name__ == "__main__":
    main()
