"""Chapter 02: end-to-end differentiable clustering with associative memories (ClAM).

Parameters are named after the experiment they drive: basin_* (AM basins vs the Voronoi tessellation), gauss_*
(the elongated Gaussians), datasets, num_clusters, min_cluster_size, clam_*, kmeans_*, skm_* and extra_baselines
(the SC comparison table) and abl_* (the masking ablation, which reuses clam_epochs, clam_batch, clam_mask_p and
clam_min_masked).
"""

from __future__ import annotations

from ...core.params import COMMON, Bool, Float, Int, List
from ...memory.clam import FILLS
from ...memory.cluster_data import DATASETS

SLUG = "02_am_clustering"
BUDGET_S = 120  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

PARAMS = {
    **COMMON,
    "basin_betas": List(float, low=1e-6), "basin_grid": Int(10, 2000), "basin_alpha": Float(1e-3, 1.0),
    "basin_steps": Int(1, 1000),
    "gauss_seed": Int(0), "gauss_alpha": Float(1e-3, 1.0), "gauss_lrs": List(float, low=1e-6, high=10.0),
    "gauss_betas": List(float, low=1e-6), "gauss_epochs": Int(1, 10_000), "gauss_noise": Float(0.0, 1.0),
    "datasets": List(str, choices=DATASETS), "num_clusters": Int(0, 1000), "min_cluster_size": Int(0, 100_000),
    "clam_betas": List(float, low=1e-6), "clam_lrs": List(float, low=1e-6, high=10.0),
    "clam_fills": List(str, choices=FILLS), "clam_epochs": Int(1, 10_000), "clam_batch": Int(1, 100_000),
    "clam_mask_p": Float(0.0, 1.0), "clam_min_masked": Int(0, 1000), "kmeans_n_init": Int(1, 10_000),
    "kmeans_max_iter": Int(1, 100_000), "extra_baselines": Bool(),
    "skm_intervals": List(int, low=1, high=100_000, min_len=0),
    "abl_datasets": List(str, choices=DATASETS, min_len=0), "abl_beta": Float(1e-6), "abl_lr": Float(1e-6, 10.0),
}

# Samples and k (classes; the paper's class count for zoo and ecoli) of each data set, known without loading
# it (tests/chapters/test_ch02.py pins them).
DATA_SIZES = {"iris": (150, 3), "wine": (178, 3), "breast_cancer": (569, 2), "digits": (1797, 10),
              "blobs": (500, 5), "movement_libras": (360, 15), "segment": (2310, 7), "zoo": (101, 7),
              "ecoli": (336, 8)}


def check(p: dict) -> list[str]:
    """Problems that involve several parameters: repeated data sets, and a data set too small for k clusters
    of at least `min_cluster_size` samples each (k = num_clusters, or the data set's own k)."""
    problems = [f"{name!r} lists a data set twice: {p[name]}" for name in ("datasets", "abl_datasets")
                if len(set(p[name])) < len(p[name])]
    need = {n: (p["num_clusters"] or DATA_SIZES[n][1]) * max(p["min_cluster_size"], 1) for n in p["datasets"]}
    small = [n for n in p["datasets"] if need[n] > DATA_SIZES[n][0]]
    if small:
        problems.append(f"'num_clusters' x 'min_cluster_size' needs {[need[n] for n in small]} samples, more than "
                        f"{small} have ({', '.join(str(DATA_SIZES[n][0]) for n in small)}): k clusters of the "
                        f"minimum size cannot exist")
    return problems
