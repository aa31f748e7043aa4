"""Chapter 07: in-context learning with Linear Probe Calibration (Abbas, Zhou, Ram, Baracaldo, Samulowitz, Salonidis
and Chen, AISTATS 2024, arXiv 2401.12406), on SmolLM2-135M-Instruct: ICL against contextual calibration against
LinC on templated offline tasks.

Parameters: the tasks and prompts (tasks, shots, demo_seeds, n_test, n_val, n_train, val_demos), LinC (linc_init,
linc_lr, linc_epochs, val_sizes, and the sensitivity grid lr_grid x epoch_grid), the robustness studies on
sst2_like at 4 shots (proportions, permutations, templates), and the model (route, batch_size, num_threads).
"""

from __future__ import annotations

from ...core.params import COMMON, Float, Int, List, Str
from ...icl.tasks import PROMPT_FORMATS, TASKS

SLUG = "07_linear_probe_calibration"
BUDGET_S = 240  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

ORDER_TASK, ORDER_SHOTS = "sst2_like", 4   # claim L2 and the robustness studies read this cell
NVAL_TASK, NVAL_SHOTS = "sst5_like", 4     # claim L7 and the val-size figure read this cell
# Where LinC's probe prompts take their demonstrations from: one set drawn from a fixed seed for every demo seed (the
# official code's val_seed), a new set per demo seed, or the test prompts' own.
PROTOCOLS = ("fixed", "independent", "same")

PARAMS = {
    **COMMON,
    "tasks": List(str, choices=TASKS),
    "shots": List(int, low=0, high=16),
    "demo_seeds": List(int, low=0, high=2**31 - 1),
    "n_test": Int(6, 2000), "n_val": Int(5, 1000), "n_train": Int(16, 5000),
    "val_demos": Str(*PROTOCOLS),
    "linc_init": Str("cc", "identity"),
    "linc_lr": Float(1e-6, 100.0), "linc_epochs": Int(0, 10_000),
    "val_sizes": List(int, low=1, high=1000),
    "lr_grid": List(float, low=1e-6, high=100.0, min_len=0), "epoch_grid": List(int, low=0, high=10_000, min_len=0),
    "proportions": List(float, low=0.0, high=1.0, min_len=0),
    "permutations": Int(0, 24),
    "templates": List(str, choices=PROMPT_FORMATS, min_len=0),
    "route": Str("transformers", "gguf"), "batch_size": Int(1, 512), "num_threads": Int(1, 64),
}


def check(p: dict) -> list[str]:
    """Problems that involve several parameters: lists without repeats, the cells the claims read, val sizes that
    fit the val set, demonstrations that fit the train pool, and a sensitivity grid given in full or not at all."""
    problems = []
    for name in ("tasks", "shots", "demo_seeds", "val_sizes", "lr_grid", "epoch_grid", "proportions", "templates"):
        if len(set(p[name])) < len(p[name]):
            problems.append(f"{name!r} lists a value twice: {list(p[name])}")
    for task, shots, why in ((ORDER_TASK, ORDER_SHOTS, "claim L2"), (NVAL_TASK, NVAL_SHOTS, "claim L7")):
        if task not in p["tasks"] or shots not in p["shots"]:
            problems.append(f"'tasks' must include {task!r} and 'shots' {shots} ({why} reads that cell)")
    if max(p["val_sizes"]) > p["n_val"]:
        problems.append(f"'val_sizes' goes up to {max(p['val_sizes'])}, over 'n_val' = {p['n_val']}")
    if max(p["shots"]) > p["n_train"] // 2:
        problems.append(f"'shots' up to {max(p['shots'])} needs 'n_train' >= {2 * max(p['shots'])} (the order and "
                        f"proportion studies draw k demonstrations of one class), got {p['n_train']}")
    if bool(p["lr_grid"]) != bool(p["epoch_grid"]):
        problems.append("'lr_grid' and 'epoch_grid' are given together or both left empty")
    return problems
