"""Chapter 01: Dense Associative Memory through the lens of random features (DrDAM).

Parameters are named after the figure they drive (fig3_*, fig4a_*, ...); fig4a_paper_* rerun Fig 4A at the paper's
D = 30 setting, fig4b_* the Fig 4B grid (with Fig 1's occlusion, step size and depth); kernel_* and cost_* drive the
two figures the paper does not have (fig-x-kernel-scatter, fig-x-cost-vs-memories).
"""

from __future__ import annotations

from ...core.params import COMMON, Float, Int, List, Str
from ...memory.features import KINDS
from ...memory.patterns import DATA_SETS, OFFICIAL_POOL, RECIPES

SLUG = "01_dense_am_random_features"
BUDGET_S = 120  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

PARAMS = {
    **COMMON,
    "kernel_dim": Int(1, 10_000), "kernel_betas": List(float, low=1e-6), "kernel_Ys": List(int, low=1),
    "kernel_pairs": Int(2, 100_000),
    "fig3_dims": List(int, low=2, high=100_000), "fig3_K": Int(1), "fig3_nq": Int(1),
    "fig3_betas": List(float, low=1e-6), "fig3_Ys": List(int, low=1, min_len=2),
    "fig3_order_K": Int(1), "fig3_order_Y": Int(1), "fig3_order_betas": List(float, low=1e-6),
    "fig3_recipe": Str(*RECIPES), "fig3_far_recipes": List(str, choices=RECIPES),
    "fig4a_D": Int(2, 100_000), "fig4a_K": Int(1), "fig4a_nq": Int(1), "fig4a_betas": List(float, low=1e-6),
    "fig4a_Ys": List(int, low=1), "fig4a_alpha": Float(1e-6, 10.0), "fig4a_depth": Int(1, 100_000),
    "fig4a_paper_D": Int(2, 100_000), "fig4a_paper_K": Int(1), "fig4a_paper_betas": List(float, low=1e-6, min_len=0),
    "fig4a_paper_Ys": List(int, low=1), "fig4a_paper_alpha": Float(1e-6, 10.0), "fig4a_paper_depth": Int(1, 100_000),
    "fig4b_dataset": Str(*DATA_SETS), "fig4b_K": Int(1), "fig4b_nq": Int(1),
    "fig4b_betas": List(float, low=1e-6), "fig4b_Ys": List(int, low=1),
    "fig5_Ks": List(int, low=1, min_len=2), "fig5_Y": Int(1), "fig5_betas": List(float, low=1e-6),
    "fig5_dims": List(int, low=2, high=100_000), "fig5_nq": Int(1),
    "cost_Ks": List(int, low=1, min_len=2), "cost_Y": Int(1), "cost_nq": Int(1), "cost_reps": Int(1, 1000),
    "fig6_dataset": Str(*DATA_SETS), "fig6_K": Int(1), "fig6_nq": Int(1), "fig6_kernels": List(str, choices=KINDS),
    "fig6_betas": List(float, low=1e-6), "fig6_Ys": List(int, low=1),
    "fig1_dataset": Str(*DATA_SETS), "fig1_K": Int(1), "fig1_nq": Int(1), "fig1_occlude": Float(0.01, 0.99),
    "fig1_beta": Float(1e-6), "fig1_Ys": List(int, low=1), "fig1_alpha": Float(1e-6, 10.0),
    "fig1_depth": Int(1, 100_000),
}

DATA_ROWS = {"digits": 1797, "letter": 20000, "patches": 520}  # rows of each data set, known without loading it


def _low(v):
    return min(v) if isinstance(v, list) else v


def _high(v):
    return max(v) if isinstance(v, list) else v


def check(p: dict) -> list[str]:
    """Problems that involve several parameters (checked before any compute): query counts vs memory counts,
    distinct binary patterns, the ablation's rows and its reference kernel."""
    problems = []
    for nq, K in (("fig3_nq", "fig3_K"), ("fig3_nq", "fig3_order_K"), ("fig4a_nq", "fig4a_K"),
                  ("fig4a_nq", "fig4a_paper_K"), ("fig5_nq", "fig5_Ks"), ("fig1_nq", "fig1_K"), ("fig6_nq", "fig6_K"),
                  ("fig4b_nq", "fig4b_K")):
        memories = _low(p[K])
        if p[nq] > memories:
            problems.append(f"{nq!r} = {p[nq]} queries at memories need {K!r} >= {p[nq]} memories, got {memories}")
    for K, dim in (("fig3_K", "fig3_dims"), ("fig3_order_K", "fig3_dims"), ("fig4a_K", "fig4a_D"),
                   ("fig4a_paper_K", "fig4a_paper_D"), ("fig5_Ks", "fig5_dims")):
        count, bits = _high(p[K]), _low(p[dim])
        if bits < 62 and count > 2 ** bits:
            problems.append(f"{K!r}: only 2^{bits} distinct binary patterns of dimension {bits} ({dim!r}), "
                            f"asked for {count}")
    rows = DATA_ROWS[p["fig6_dataset"]]
    if p["fig6_K"] + p["fig6_nq"] > rows:
        problems.append(f"'fig6_K' + 'fig6_nq' = {p['fig6_K'] + p['fig6_nq']} exceeds the {rows} rows of "
                        f"{p['fig6_dataset']}")
    for K, data in (("fig1_K", "fig1_dataset"), ("fig4b_K", "fig4b_dataset")):
        if p[K] > DATA_ROWS[p[data]]:
            problems.append(f"{K!r} = {p[K]} exceeds the {DATA_ROWS[p[data]]} rows of {p[data]}")
    official = "official" in {p["fig3_recipe"], *p["fig3_far_recipes"]}
    if official and max(p["fig3_K"], p["fig3_order_K"]) > OFFICIAL_POOL:
        problems.append(f"the official pattern recipe keeps at most {OFFICIAL_POOL} of its draws: 'fig3_K' and "
                        f"'fig3_order_K' must be <= {OFFICIAL_POOL}")
    if "sincos" not in p["fig6_kernels"]:
        problems.append("'fig6_kernels' must include 'sincos', the map the ablation ranks")
    return problems
