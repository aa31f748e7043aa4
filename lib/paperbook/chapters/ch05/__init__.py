"""Chapter 05: the importance of positional-encoding initialisation in transformers for relational reasoning (Ito,
Cocchi, Klinger, Ram, Campbell and Hearne, arXiv 2406.08272 v1), on the book's Latin Square Task puzzles.

Parameters: the puzzles (n_*, k_*), the grid transformer (d_model, n_layers, n_heads, pe_every_block), its
training (lr, batch, epochs, weight_decay, model_seeds), the encodings compared (pe_configs: "learn:<σ>" or a
fixed kind), the noise protocol (noise_levels, noise_std) and the alignment null (n_random_pe_draws).
"""

from __future__ import annotations

from ...core.params import COMMON, Bool, Float, Int, List
from ...relational.pe import KINDS

SLUG = "05_learnable_positional_encoding"
# The fast profile's budget on a 2-core CPU (seconds; the golden's duration is tested): 240 s, as issue 29 allows
# this chapter (its fast profile took 94-121 s on the 2-core machine, against the 120 s declared before).
BUDGET_S = 240

NEEDED_CONFIGS = ("learn:0.1", "learn:1.0", "learn:2.0", "sin2d", "sin1d", "nope")  # the claims read these

PARAMS = {
    **COMMON,
    "model_seeds": List(int, low=0, high=2**31 - 1),
    "n_train": Int(30, 30_000), "n_test": Int(30, 10_000), "n_ood": Int(30, 10_000),
    "k_train": List(int, low=1, high=15, min_len=2), "k_ood": List(int, low=1, high=15, min_len=2),
    "d_model": Int(4, 512), "n_layers": Int(1, 8), "n_heads": Int(1, 16), "pe_every_block": Bool(),
    "lr": Float(1e-6, 0.1), "batch": Int(1, 4096), "epochs": Int(1, 10_000), "weight_decay": Float(0.0, 1.0),
    "pe_configs": List(str), "noise_levels": List(float, low=0.0, high=10.0, min_len=2),
    "noise_std": Float(0.0, 10.0), "n_random_pe_draws": Int(10, 100_000), "workers": Int(1, 16),
}


def parse_config(config: str) -> tuple[str, float]:
    """"learn:0.1" -> ("learn", 0.1); "sin2d" -> ("sin2d", 0.0). ValueError for anything else."""
    kind, _, sigma = config.partition(":")
    if kind not in KINDS or (kind == "learn") != bool(sigma):
        raise ValueError(f"positional encoding {config!r} is not 'learn:<sigma>' or one of "
                         f"{[k for k in KINDS if k != 'learn']}")
    value = float(sigma) if sigma else 0.0
    if kind == "learn" and not 0 < value <= 10:
        raise ValueError(f"learnable-PE init std in {config!r} must be in (0, 10]")
    return kind, value


def check(p: dict) -> list[str]:
    """Problems that involve several parameters: encodings, the k ranges, model shape and noise levels."""
    problems = []
    for config in p["pe_configs"]:
        try:
            parse_config(config)
        except ValueError as e:
            problems.append(f"'pe_configs': {e}")
    if len(set(p["pe_configs"])) < len(p["pe_configs"]) or not set(NEEDED_CONFIGS) <= set(p["pe_configs"]):
        problems.append(f"'pe_configs' must list each entry once and include {list(NEEDED_CONFIGS)} (the claims "
                        f"read them), got {list(p['pe_configs'])}")
    for name in ("k_train", "k_ood"):
        if len(p[name]) != 2 or p[name][0] > p[name][1]:
            problems.append(f"{name!r} must be [low, high] with low <= high, got {list(p[name])}")
    if p["d_model"] % p["n_heads"] or p["d_model"] % 4:
        problems.append(f"'d_model' = {p['d_model']} must be divisible by 4 (sin2d) and by 'n_heads' = "
                        f"{p['n_heads']}")
    if p["noise_std"] not in p["noise_levels"] or 0.0 not in p["noise_levels"]:
        problems.append(f"'noise_levels' must include 0 and 'noise_std' = {p['noise_std']} (claim E7 reads it), "
                        f"got {list(p['noise_levels'])}")
    if len(set(p["model_seeds"])) < len(p["model_seeds"]):
        problems.append(f"'model_seeds' lists a value twice: {list(p['model_seeds'])}")
    return problems
