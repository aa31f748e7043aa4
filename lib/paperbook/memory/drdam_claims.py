"""Chapter 01's claims table (spec section 5), computed from the experiments' tables.

Each function below reads one experiment's table; `chapter_claims` assembles D1-D10. Thresholds are the
spec's; where our measurement differs from the spec's assumption the row's note says so.
"""

from __future__ import annotations

import pandas as pd

from ..claims import Claims, above, at_least, at_most, each, is_true, within
from .drdam_experiments import loglog_slope

SLOPE_LAW = (-0.6, -0.4)  # the window for the 1/sqrt(Y) law where nothing clamps


def lawful_slopes(slopes: pd.DataFrame) -> pd.DataFrame:
    """The (D, beta, query) cells where no query was clamped at any Y: where the 1/sqrt(Y) law should hold."""
    return slopes[slopes["max_clamp_frac"] == 0.0]


def ordering(errors: pd.DataFrame, column: str) -> dict[float, bool]:
    """beta -> err(mem) < err(near) < err(rand) for `column`, one D and Y per beta."""
    out = {}
    for beta, g in errors.groupby("beta"):
        e = g.set_index("query")[column]
        out[float(beta)] = bool(e["mem"] < e["near"] < e["rand"])
    return out


def _cell(errors: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=errors.index)
    for k, v in where.items():
        mask &= errors[k] == v
    return errors[mask]


def chapter_claims(errors: pd.DataFrame, slopes: pd.DataFrame, order: pd.DataFrame, retrieval: pd.DataFrame,
                   vs_k: pd.DataFrame, storage: dict, completion: pd.DataFrame, ablation: pd.DataFrame,
                   cost: pd.DataFrame) -> tuple[Claims, dict]:
    """The claims D1-D10 and the numbers the prose quotes (for myst_nb.glue)."""
    claims = Claims(digits=2, significant=True)
    dim, Ymax = int(errors["D"].min()), int(errors["Y"].max())
    beta_lo, beta_hi = float(errors["beta"].min()), float(errors["beta"].max())

    d1 = _cell(slopes, D=dim, beta=beta_lo, query="mem").iloc[0]
    at_top = _cell(errors, D=dim, beta=beta_lo, query="mem", Y=Ymax).iloc[0]
    claims.add("D1", f"E^ and grad E^ approach E, grad E as 1/sqrt(Y) (Fig 3; D={dim}, beta={beta_lo:g}, at memories)",
               "slope -0.5", {"slope E": d1["slope_E"], "slope grad": d1["slope_grad"],
                              f"|dE| at Y={Ymax}": at_top["err_E"], f"|dgrad| at Y={Ymax}": at_top["err_grad"]},
               each({"slope E": within(-0.65, -0.35), "slope grad": within(-0.65, -0.35),
                     f"|dE| at Y={Ymax}": at_most(1.5e-3), f"|dgrad| at Y={Ymax}": at_most(5e-3)}))

    lawful = lawful_slopes(slopes)
    both = pd.concat([lawful["slope_E"], lawful["slope_grad"]])
    claims.add("D1b", "the 1/sqrt(Y) law wherever no query is clamped (every such D, beta, query type)", "slope -0.5",
               {"min slope": float(both.min()), "max slope": float(both.max())} if len(both) else None,
               each({"min slope": at_least(SLOPE_LAW[0]), "max slope": at_most(SLOPE_LAW[1])}),
               note=f"{len(lawful)} of {len(slopes)} cells have no clamped query at any Y")

    energy_order, grad_order = ordering(order, "err_E"), ordering(order, "err_grad")
    claims.add("D2", "energy error: at memories < near < random queries (Fig 3)", "ordered",
               {f"beta={b:g}": v for b, v in energy_order.items()}, each({f"beta={b:g}": is_true() for b in energy_order}),
               note=f"D={int(order['D'].iloc[0])}, K={int(order['K'].iloc[0])}, Y={int(order['Y'].iloc[0])}")
    gate = min(grad_order)
    claims.add("D2g", f"gradient error ordered the same way (gated at beta={gate:g})", "ordered",
               {f"beta={b:g}": v for b, v in grad_order.items()}, each({f"beta={gate:g}": is_true()}),
               note="at high beta near queries sit just above the clamp, where eq-01-drgrad divides by a tiny "
                    "<phi, T>; reported there, not gated")

    rand = _cell(errors, D=dim, beta=beta_hi, query="rand")
    claims.add("D3", f"poor energy approximation far from memories at high beta (beta={beta_hi:g}, random queries, "
               "every Y)", "authors' caveat",
               {"min |dE|/guess": float((rand["err_E"] / rand["guess_E"]).min()),
                "min clamped fraction": float(rand["clamp_frac"].min())},
               each({"min |dE|/guess": at_least(0.5), "min clamped fraction": at_least(0.3)}), kind="reported",
               note="guess = mean |E(memory i) - E^(random i)|, the official red-line definition at the same cell; "
                    "the spec's threshold assumed a smaller guess level")
    claims.add("D3g", f"the same for gradients, the paper's Fig 3 metric (beta={beta_hi:g}, random queries, every Y)",
               "errors reach the rand-guess line",
               {"min |dgrad|/guess": float((rand["err_grad"] / rand["guess_grad"]).min()),
                "min clamped fraction": float(rand["clamp_frac"].min())},
               each({"min |dgrad|/guess": at_least(0.5), "min clamped fraction": at_least(0.3)}))

    ret = _cell(retrieval, beta=30.0, Y=int(retrieval["Y"].min())).set_index("query")["hamming"]
    claims.add("D4", f"DrDAM dynamics match MrDAM (Fig 4A; beta=30, Y={int(retrieval['Y'].min())}): Hamming of fixed "
               "points", "~0 near memories", ret.to_dict() if len(ret) == 3 else None,
               each({"mem": at_most(0.01), "near": at_most(0.05), "rand": at_least(0.15)}))

    claims.add("D5", "parameter count fixed in K; a memory is added by modifying the weights", "T += phi(xi)",
               {"dim T constant over K": bool(vs_k["n_params_Dr"].nunique() == 1),
                "max|T_all - (T_K-1 + phi)|": storage["max|T_all - (T_K-1 + phi)|"],
                "max|remove(add(T)) - T|": storage["max|remove(add(T)) - T|"]},
               each({"dim T constant over K": is_true(), "max|T_all - (T_K-1 + phi)|": at_most(1e-12),
                     "max|remove(add(T)) - T|": at_most(1e-12)}))

    dr = completion[completion["model"] == "DrDAM"].set_index("Y")
    y_img = float(dr.index.max())
    claims.add("D6", f"completes occluded images (Fig 1 analog, digits, Y={int(y_img)}): nearest-memory accuracy",
               "qualitative", float(dr.loc[y_img, "accuracy"]), at_least(0.9))
    claims.add("D7", f"energy along the DrDAM path tracks the true energy (Fig 1, Y={int(y_img)}): max |E^ - E|",
               "curves overlap", float(dr.loc[y_img, "max_energy_gap"]), at_most(0.05), kind="reported")

    k_slopes = {q: loglog_slope(g["K"], g["err_E"]) for q, g in vs_k.groupby("query")}
    claims.add("D8", "error vs number of memories K at fixed Y (Fig 5): log-log slope of |dE|", "trend [unverified]",
               {"mem": k_slopes["mem"], "rand": k_slopes["rand"]}, each({"mem": above(0.0), "rand": at_most(0.0)}),
               kind="reported", note="at memories the error grows with K; at random queries it shrinks (the kernel "
                                     "sum moves away from the clamp)")

    mean_grad = ablation.groupby("kind")["err_grad"].mean().sort_values()
    claims.add("D9", "SinCos is the best feature map (Fig 6): rank by mean gradient error over (beta, Y, where)",
               "rank 1", int(list(mean_grad.index).index("sincos")) + 1, at_most(1), kind="reported",
               note=" < ".join(mean_grad.index))

    top = cost[cost["K"] == cost["K"].max()].set_index("model")["n_params"]
    claims.add("D10", f"memory efficiency: parameters at K={int(cost['K'].max())}, DrDAM 2Y vs MrDAM K*D",
               "DrDAM smaller for large K",
               {"DrDAM": int(top["DrDAM"]), "MrDAM": int(top["MrDAM"]), "MrDAM / DrDAM": top["MrDAM"] / top["DrDAM"]},
               each({"MrDAM / DrDAM": above(1.0)}), kind="reported",
               note="break-even at K = 2Y/D; the measured time per step is in the cost figure")

    d3_ratio = float((rand["err_E"] / rand["guess_E"]).min())
    hi = _cell(slopes, D=dim, beta=beta_hi, query="rand").iloc[0]
    glue = {"d1_slope_E": float(d1["slope_E"]), "d1_slope_grad": float(d1["slope_grad"]),
            "law_min": float(both.min()), "law_max": float(both.max()), "law_cells": int(len(lawful)),
            "law_total": int(len(slopes)), "d3_ratio": d3_ratio, "d3_verdict": _verdict(claims, "D3"),
            "rand_hi_slope": float(hi["slope_E"]), "rand_hi_clamp": float(hi["max_clamp_frac"]),
            "k_slope_mem": float(k_slopes["mem"]), "k_slope_rand": float(k_slopes["rand"]),
            "abl_rank": " < ".join(mean_grad.index)}
    return claims, glue


def _verdict(claims: Claims, cid: str) -> str:
    return next(row["verdict"] for row in claims.rows if row["id"] == cid)
