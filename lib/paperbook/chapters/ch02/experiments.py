"""Chapter 02's experiments, one call each: basins vs Voronoi, elongated Gaussians, the SC table, the
masking ablation. Each returns tidy DataFrames (and the labels a figure needs).

Every function takes the run's master seed; the random streams are named inside the library (ClAM's init,
batches, masks and noise, k-means, SKM, spectral; paperbook.core.rng), so that every configuration of a grid, and
every variant of the ablation, shares its initial prototypes, batches and masks.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_samples
from tqdm import tqdm

from ...memory.clam_train import ClAMConfig, config_table, fit_clam_grid, grid_configs, labels_of
from ...memory.cluster_data import BASIN_MEMORIES, elongated_gaussians, load_clustering, voronoi_grid
from ...memory.cluster_eval import (
    agglomerative_grid,
    basin_maps,
    effective_size,
    evaluate,
    kmeans_baseline,
    spectral_grid,
    voronoi_agreement,
)
from ...memory.skm import dcec_soft_kmeans


def basins(betas: Sequence[float], n: int, alpha: float, steps: int) -> tuple[pd.DataFrame, dict]:
    """Agreement of AM basins (after `steps` AM steps) with the Voronoi cells of the n x n grid per beta
    (ascending), and the label maps to draw. Shown as `tab-basins-agreement`: not in the paper (the book's own
    measure of the paper's basins figure)."""
    maps = basin_maps(BASIN_MEMORIES, voronoi_grid(n), sorted(betas), alpha=alpha, steps=steps)
    return voronoi_agreement(maps), maps


SCORES = ["sc", "nmi", "ari", "n_nonempty", "n_effective", "sizes"]  # a data set without labels has no NMI/ARI


def fit_and_score(X, y, configs: Sequence[ClAMConfig], *, device, seed: int, min_size: int = 1):
    """Fit a grid jointly and score every configuration (clusters of fewer than `min_size` samples do not count
    as effective); returns (table, labels (G, n), fit)."""
    fit = fit_clam_grid(X, configs, device=device, seed=seed)
    labels = labels_of(fit, X, configs)
    scores = pd.DataFrame([evaluate(X, lab, y, min_size=min_size) for lab in labels]).reindex(columns=SCORES)
    table = pd.concat([config_table(configs), scores], axis=1)
    table["best_epoch"], table["failed"] = fit.best_epoch, fit.failed
    return table, labels, fit


def gaussians(data_seed: int, alpha: float, lrs, betas, epochs: int, noise: float, kmeans_n_init: int, *,
              min_cluster_size: int, device, seed: int) -> dict:
    """Unmasked ClAM (noisy input, every coordinate free) vs k-means on three elongated Gaussians drawn with
    `data_seed` (the official generator's seed); `seed` is the run's master seed. Shown as `tab-gaussians-grid`:
    not in the paper (the book's own)."""
    X, y = elongated_gaussians(data_seed)
    min_size = effective_size(len(X), min_cluster_size)
    configs = grid_configs(3, betas=betas, lrs=lrs, fills=["mean"], alpha=alpha, epochs=epochs, batch=32,
                           self_supervised=False, noise_std=noise)
    table, labels, _ = fit_and_score(X, y, configs, device=device, seed=seed, min_size=min_size)
    best = int(table[~table["failed"]]["sc"].idxmax())  # as _best: a NaN-aborted configuration is never shown
    km = kmeans_baseline(X, 3, n_init=kmeans_n_init, seed=seed)
    return {"X": X, "y": y, "grid": table, "clam_labels": labels[best], "clam_config": table.iloc[best].to_dict(),
            "kmeans_labels": km, "kmeans": evaluate(X, km, y, min_size=min_size)}


def _best_index(table: pd.DataFrame, k: int | None = None):
    """Index of the best-SC row of a grid, over all rows or over those with exactly k effective clusters (each of
    at least the minimum size); a configuration aborted by a NaN loss is never selected (the official code drops
    it). None when no row qualifies."""
    rows = table[~table["failed"]] if "failed" in table else table
    rows = rows if k is None else rows[rows["n_effective"] == k]
    return None if rows.empty else rows["sc"].idxmax()


def _best(table: pd.DataFrame, k: int | None = None) -> dict | None:
    """Best-SC row of a grid (see _best_index) as a dict; None when no row qualifies."""
    i = _best_index(table, k)
    return None if i is None else table.loc[i].to_dict()


def point_silhouettes(X, labels) -> np.ndarray | None:
    """Silhouette of every sample (their mean is the SC); None for a single cluster (SC -1 by convention)."""
    return silhouette_samples(X, labels) if len(np.unique(labels)) > 1 else None


def _clam_points(X, table: pd.DataFrame, labels: np.ndarray, k: int) -> dict:
    """Per-sample silhouettes of ClAM best of grid and best at k (absent where no configuration qualifies)."""
    picks = {"ClAM best of grid": _best_index(table), "ClAM best at k": _best_index(table, k)}
    return {m: point_silhouettes(X, labels[i]) for m, i in picks.items() if i is not None}


def _skm(X, y, k: int, intervals: Sequence[int], *, seed: int, device, min_size: int) -> tuple[pd.DataFrame, dict]:
    """SKM over the update intervals (memory.skm.skm_grid, keeping the labels): its table, and the per-sample
    silhouettes of its best at k (absent when no interval has k effective clusters)."""
    labels = [dcec_soft_kmeans(X, k, update_interval=ui, seed=seed, device=device) for ui in intervals]
    table = pd.DataFrame([{"update_interval": ui, **evaluate(X, lab, y, min_size=min_size)}
                          for ui, lab in zip(intervals, labels)])
    i = _best_index(table, k)
    return table, ({} if i is None else {"SKM best at k": point_silhouettes(X, labels[i])})


def sc_comparison(names: Sequence[str], *, num_clusters: int, min_cluster_size: int, betas, lrs, fills,
                  epochs: int, batch: int, mask_p: float, min_masked: int, kmeans_n_init: int,
                  kmeans_max_iter: int, extra: bool, skm_intervals: Sequence[int], device,
                  seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict, dict]:
    """The paper's table: per data set, ClAM best of grid, ClAM best at exactly k effective clusters, k-means,
    SKM best of grid and at k (when skm_intervals is not empty) and, with extra, spectral and agglomerative;
    each with SC, NMI, ARI (labelled sets), non-empty and effective clusters and the cluster sizes. Also every
    ClAM grid row, the fits, and per data set the per-sample silhouettes of the ClAM rows, k-means and SKM best
    at k (the claims' paired intervals). Shown as `tab-sc-comparison`: the paper's SC table (its number not yet
    read from the PDF), and `tab-sc-grid`: not in the paper (the book's own)."""
    summary, grids, fits, points = [], [], {}, {}
    for name in tqdm(names, desc="SC table: data sets", leave=False):
        X, y, n_classes = load_clustering(name)
        k, min_size = num_clusters or n_classes, effective_size(len(X), min_cluster_size)
        configs = grid_configs(k, betas=betas, lrs=lrs, fills=fills, epochs=epochs, batch=batch, mask_p=mask_p,
                               min_masked=min_masked)
        table, labels, fit = fit_and_score(X, y, configs, device=device, seed=seed, min_size=min_size)
        fits[name] = (fit, table)
        grids.append(table.assign(dataset=name, k=k))
        base = {"dataset": name, "n": X.shape[0], "d": X.shape[1], "k": k, "min_size": min_size}
        kmeans = kmeans_baseline(X, k, kmeans_n_init, kmeans_max_iter, seed)
        points[name] = {**_clam_points(X, table, labels, k), "k-means": point_silhouettes(X, kmeans)}
        methods = {"ClAM best of grid": _best(table), "ClAM best at k": _best(table, k),
                   "k-means": evaluate(X, kmeans, y, min_size=min_size)}
        if skm_intervals:
            skm, skm_points = _skm(X, y, k, skm_intervals, seed=seed, device=device, min_size=min_size)
            points[name].update(skm_points)
            methods["SKM best of grid"], methods["SKM best at k"] = _best(skm), _best(skm, k)
        if extra:
            methods["spectral best of grid"] = _best(spectral_grid(X, k, y, seed=seed, min_size=min_size))
            methods["agglomerative best of grid"] = _best(agglomerative_grid(X, k, y, min_size=min_size))
        for method, row in methods.items():
            scores = {m: (row or {}).get(m) for m in SCORES}
            summary.append({**base, "method": method, **scores,
                            "beta": (row or {}).get("beta") if method.startswith("ClAM") else None})
    return pd.DataFrame(summary), pd.concat(grids, ignore_index=True), fits, points


def sc_table_view(summary: pd.DataFrame) -> pd.DataFrame:
    """The SC table as the book shows it in one column: effective clusters as "effective/k", cluster sizes that may
    wrap after each "/" (a zero-width space), NMI and ARI; beta and the minimum size stay in the CSV."""
    effective = [f"{int(e)}/{k}" if pd.notna(e) else None for e, k in zip(summary["n_effective"], summary["k"])]
    sizes = summary["sizes"].map(lambda s: s.replace("/", "/\u200b"), na_action="ignore")
    return pd.DataFrame({"dataset": summary["dataset"], "method": summary["method"], "sc": summary["sc"],
                         "effective/k": effective, "sizes": sizes, "nmi": summary["nmi"], "ari": summary["ari"]})


def ablation_configs(k: int, **shared) -> dict[str, ClAMConfig]:
    """The masking ablation's variants by name: each fill, the official mask sampling, and no masking."""
    variants = {f"masked, fill {f}": ClAMConfig(k=k, fill=f, **shared) for f in ("mean", "min", "max")}
    variants["masked, fill mean, official quirks"] = ClAMConfig(k=k, official_quirks=True, min_masked=0, **shared)
    variants["unmasked"] = ClAMConfig(k=k, self_supervised=False, **shared)
    return variants


def masking_ablation(names: Sequence[str], *, beta: float, lr: float, epochs: int, batch: int, mask_p: float,
                     min_masked: int, min_cluster_size: int, device, seed: int) -> tuple[pd.DataFrame, dict]:
    """Self-supervised ClAM with each fill (mean/min/max), with the official mask sampling (with replacement,
    never dimension 0, possibly empty), and unmasked ClAM; same seed, init, batches and masks. Also, per data
    set and variant, the per-sample silhouettes (the claims' paired intervals). Shown as `tab-ablation-masking`:
    the paper's masking ablation (its number not yet read from the PDF)."""
    rows, points = [], {}
    for name in tqdm(names, desc="masking ablation: data sets", leave=False):
        X, y, k = load_clustering(name)
        variants = ablation_configs(k, beta=beta, lr=lr, epochs=epochs, batch=batch, mask_p=mask_p)
        variants = {v: c if c.official_quirks else replace(c, min_masked=min_masked) for v, c in variants.items()}
        scores, points[name] = {}, {}
        for quirks in (False, True):  # the mask sampler is shared by a jointly trained grid: two fits
            group = {v: c for v, c in variants.items() if c.official_quirks == quirks}
            table, labels, _ = fit_and_score(X, y, list(group.values()), device=device, seed=seed,
                                             min_size=effective_size(len(X), min_cluster_size))
            scores.update({v: table.iloc[i][SCORES].to_dict() for i, v in enumerate(group)})
            points[name].update({v: point_silhouettes(X, labels[i]) for i, v in enumerate(group)})
        rows += [{"dataset": name, "k": k, "variant": v, **scores[v]} for v in variants]
    return pd.DataFrame(rows), points


def grid_overview(grid: pd.DataFrame) -> pd.DataFrame:
    """Per data set of an SC-comparison grid: configurations, those with exactly k non-empty clusters and those
    with exactly k effective ones, those aborted by a NaN loss, and the range of SC over the grid."""
    rows = [{"dataset": name, "k": int(g["k"].iloc[0]), "configs": len(g),
             "k_nonempty": int((g["n_nonempty"] == g["k"]).sum()),
             "k_effective": int((g["n_effective"] == g["k"]).sum()), "failed": int(g["failed"].sum()),
             "sc_min": g["sc"].min(), "sc_max": g["sc"].max()}
            for name, g in grid.groupby("dataset", sort=False)]
    return pd.DataFrame(rows)
