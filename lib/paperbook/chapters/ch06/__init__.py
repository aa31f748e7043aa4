"""Chapter 06: Neural Reasoning Networks (Carrow, Erwin, Vilenskaia, Ram, Klinger, Khan, Makondo and Gray, arXiv
2410.07966, AAAI 2025) on offline tabular data: R-NRN against scikit-learn baselines, with explanations that are
sufficient by construction.

Parameters: the data (datasets, n_train_max, test_size, seeds), the network (layer_sizes, normal_form, k_*), its
training (weight_init, lr, weight_decay, batch_size, epochs, patience, val_frac), the bandit (prune_*, regrow_*,
ucb_scale, delta), the random search of the full profile (search_trials), the baselines (rf_trees) and the
explanation checks (explain_rows, completions, deletion_repeats); workers run fits side by side.
"""

from __future__ import annotations

from ...core.params import COMMON, Float, Int, List, Str
from ...logic.data import DATASETS

SLUG = "06_neural_reasoning_networks"
BUDGET_S = 120  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

NEEDED_DATASETS = ("phoneme", "synthetic_rules")  # claims N8 and N9 read them

PARAMS = {
    **COMMON,
    "datasets": List(str, choices=DATASETS),
    "n_train_max": Int(50, 100_000), "test_size": Float(0.05, 0.5), "val_frac": Float(0.05, 0.5),
    "seeds": List(int, low=0, high=2**31 - 1),
    "layer_sizes": List(int, low=1, high=256), "normal_form": Str("cnf", "dnf"),
    "k_in": Int(1, 64), "k_internal": Int(1, 64), "k_out": Int(1, 64),
    "weight_init": Float(1e-3, 2.0), "lr": Float(1e-5, 1.0), "weight_decay": Float(0.0, 1.0),
    "batch_size": Int(1, 8192), "epochs": Int(1, 10_000), "patience": Int(1, 10_000),
    "prune_quantile": Float(0.01, 0.99), "prune_plateau": Int(1, 100), "regrow_weight_max": Float(1e-4, 2.0),
    "ucb_scale": Float(0.0, 10.0), "delta": Float(1.0, 100.0), "search_trials": Int(0, 1000),
    "rf_trees": Int(1, 5000), "explain_rows": Int(1, 100_000), "completions": Int(10, 100_000),
    "deletion_repeats": Int(1, 100), "workers": Int(1, 16),
}

NRN_KEYS = ("layer_sizes", "normal_form", "k_in", "k_internal", "k_out", "weight_init", "lr", "weight_decay",
            "batch_size", "epochs", "patience", "val_frac", "prune_quantile", "prune_plateau", "regrow_weight_max",
            "ucb_scale", "delta")


def nrn_settings(p) -> dict:
    """The RNRNClassifier keyword arguments among the parameters (a dict or the run's config)."""
    get = p.get if isinstance(p, dict) else lambda k: getattr(p, k)
    return {k: tuple(get(k)) if k == "layer_sizes" else get(k) for k in NRN_KEYS}


def check(p: dict) -> list[str]:
    """Problems that involve several parameters: data sets and seeds listed once, the claims' data sets present,
    fan-ins that fit the layer widths."""
    problems = []
    for name in ("datasets", "seeds"):
        if len(set(p[name])) < len(p[name]):
            problems.append(f"{name!r} lists a value twice: {list(p[name])}")
    if not set(NEEDED_DATASETS) <= set(p["datasets"]):
        problems.append(f"'datasets' must include {list(NEEDED_DATASETS)} (the claims read them), got "
                        f"{list(p['datasets'])}")
    if p["k_out"] > p["layer_sizes"][-1]:
        problems.append(f"'k_out' = {p['k_out']} exceeds the last layer's width {p['layer_sizes'][-1]}")
    if len(p["layer_sizes"]) > 1 and p["k_internal"] > min(p["layer_sizes"][:-1]):
        problems.append(f"'k_internal' = {p['k_internal']} exceeds the narrowest inner layer's width "
                        f"{min(p['layer_sizes'][:-1])}")
    return problems
