"""Chapter 04: the Compositional Program Generator (Klinger, Liu, Dan, Crouse, Ram and Gray, arXiv 2309.16467) on
SCAN, regenerated exactly, and on the book's COGS-style language.

Parameters are named after what they drive: cpg_* (CPG on the 14-example SCAN sets, and cpg_standard_splits on
whole training sets; curve_ks its sample-efficiency curve), gru_* (the seq2seq baseline; eval_n_* its evaluation
samples) and cogs_* (the COGS-style language and CPG's role programs on it).
"""

from __future__ import annotations

from ...compose import cogs
from ...compose.cpg import FEWSHOT
from ...compose.scan import SPLITS
from ...core.params import COMMON, Float, Int, List

SLUG = "04_compositional_program_generator"
BUDGET_S = 120  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

NEEDED_SETS = ("addjump14", "length14", "aroundright14")  # claims G1-G3 read one split each
NEEDED_SPLITS = ("addprim_jump", "length")  # claims G6-G8 read the baseline on these
NEEDED_STANDARD = ("addprim_jump",)  # claim G1 reads CPG trained on this split's whole training set

PARAMS = {
    **COMMON,
    "cpg_sets": List(str, choices=tuple(FEWSHOT)), "cpg_seeds": List(int, low=0, high=2**31 - 1),
    "cpg_K": Int(1, 16), "cpg_lr": Float(1e-4, 1.0), "cpg_window": Int(1, 1000), "cpg_max_iters": Int(1, 10**6),
    "cpg_standard_splits": List(str, choices=SPLITS), "curve_ks": List(int, low=5, high=14, min_len=2),
    "gru_splits": List(str, choices=SPLITS), "gru_steps": Int(1, 10**6), "gru_dim": Int(4, 1024),
    "gru_batch": Int(1, 4096), "gru_lr": Float(1e-6, 1.0), "gru_dropout": Float(0.0, 0.9),
    "eval_n_train": Int(1, 30_000), "eval_n_test": Int(1, 30_000),
    "cogs_per_type": Int(1, 20), "cogs_n_test": Int(1, 10_000), "cogs_max_depth": Int(cogs.TRAIN_DEPTH + 1, 12),
}


def check(p: dict) -> list[str]:
    """Problems that involve several parameters: the sets and splits the claims read, and duplicates."""
    problems = []
    for name, needed in (("cpg_sets", NEEDED_SETS), ("gru_splits", NEEDED_SPLITS),
                         ("cpg_standard_splits", NEEDED_STANDARD)):
        if not set(needed) <= set(p[name]) or len(set(p[name])) < len(p[name]):
            problems.append(f"{name!r} must list each entry once and include {list(needed)} (the claims read "
                            f"them), got {list(p[name])}")
    for name in ("cpg_seeds", "curve_ks"):
        if len(set(p[name])) < len(p[name]):
            problems.append(f"{name!r} lists a value twice: {list(p[name])}")
    if 14 not in p["curve_ks"]:
        problems.append(f"'curve_ks' must include 14 (the whole set, CPG's point on the curve), got "
                        f"{list(p['curve_ks'])}")
    if p["cpg_K"] < 8:
        problems.append(f"'cpg_K' = {p['cpg_K']} slots cannot express 'x around right' (8 copies; claim G11 shows "
                        "it): use cpg_K >= 8")
    return problems
