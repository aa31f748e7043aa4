"""Chapter 03: what makes models compositional? (Ram, Klinger and Gray, IJCAI 2024), the theory made executable.

Parameters are named after what they drive: cdag_* and cnn_k (the complexity table), loi_plot_Ls (max LoI against
length), sweep_* (the closed-form sweep of claims T1-T2), p1_* (the sensitivity bound P1, whose cDAGs and
lambdas the error-propagation check p2_* reuses), ops_* (the tree-ops task) and cpg_* (SCAN's parse cDAGs).
"""

from __future__ import annotations

from ...compose.treeops_models import MODELS
from ...core.params import COMMON, Bool, Float, Int, List

SLUG = "03_compositional_complexity"
BUDGET_S = 120  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

NEEDED_MODELS = ("treenet", "gru", "transformer", "treenet_balanced")  # the claims compare these

PARAMS = {
    **COMMON,
    "cdag_Ls": List(int, low=2, high=256), "cdag_Ms": List(int, low=1, high=8), "cnn_k": Int(2, 8),
    "loi_plot_Ls": List(int, low=2, high=512, min_len=2),
    "sweep_max_L": Int(2, 128), "sweep_max_M": Int(1, 6),
    "p1_L": Int(2, 64), "p1_dim": Int(1, 256), "p1_lams": List(float, low=1e-3, high=10.0),
    "p1_delta": Float(1e-9, 1.0), "p1_trials": Int(1, 100_000),
    "p2_eps": List(float, low=1e-9, high=1.0, min_len=2), "p2_trials": Int(1, 100_000),
    "ops_table_seed": Int(0), "ops_train_leaves": List(int, low=1, high=64, min_len=2),
    "ops_test_ranges": List(List(int, low=1, high=64, min_len=2), min_len=2),
    "ops_n_train": List(int, low=1, high=1_000_000), "ops_n_test": Int(1, 1_000_000), "ops_repeats": Int(1, 20),
    "ops_models": List(str, choices=MODELS), "ops_steps": Int(1, 1_000_000), "ops_batch": Int(1, 100_000),
    "ops_lr": Float(1e-6, 1.0), "ops_dim": Int(2, 1024),
    "cpg_link": Bool(), "cpg_tf_blocks": Int(1, 8),
}


def _pair(name: str, leaf_range) -> list[str]:
    if len(leaf_range) != 2 or leaf_range[0] > leaf_range[1]:
        return [f"{name!r} must hold [lo, hi] leaf counts with lo <= hi, got {list(leaf_range)}"]
    return []


def check(p: dict) -> list[str]:
    """Problems that involve several parameters: leaf ranges, the ranges the claims read, the models they
    compare, and cDAG sizes the CNN of the sensitivity check needs."""
    problems = _pair("ops_train_leaves", p["ops_train_leaves"])
    for leaf_range in p["ops_test_ranges"]:
        problems += _pair("ops_test_ranges", leaf_range)
    if problems:
        return problems
    train, ranges = list(p["ops_train_leaves"]), [list(r) for r in p["ops_test_ranges"]]
    if train not in ranges or not any(r[0] > train[1] for r in ranges):
        problems.append(f"'ops_test_ranges' must contain the training range {train} (in distribution) and a range "
                        f"of longer expressions (lo > {train[1]}), got {ranges}")
    if len(set(map(tuple, ranges))) < len(ranges):
        problems.append(f"'ops_test_ranges' lists a range twice: {ranges}")
    missing = [m for m in NEEDED_MODELS if m not in p["ops_models"]]
    if missing or len(set(p["ops_models"])) < len(p["ops_models"]):
        problems.append(f"'ops_models' must list each model once and include {list(NEEDED_MODELS)} (the claims "
                        f"compare them), got {p['ops_models']}")
    if len(set(p["ops_n_train"])) < len(p["ops_n_train"]):
        problems.append(f"'ops_n_train' lists a size twice: {p['ops_n_train']}")
    if p["p1_L"] < 1 + 3 * (p["cnn_k"] - 1):
        problems.append(f"'p1_L' = {p['p1_L']} is too short for the sensitivity check's CNN (3 layers of kernel "
                        f"'cnn_k' = {p['cnn_k']} need p1_L >= {1 + 3 * (p['cnn_k'] - 1)})")
    return problems
