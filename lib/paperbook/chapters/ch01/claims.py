"""Chapter 01's claims table (spec section 5): one function per claim, computed from the experiments' tables.

Every rule's origin is stated: the spec's thresholds (section 5, or an issue written before the chapter's first run)
are SPEC; an identity of the construction is THEORY; a threshold of ours with no record before the chapter's first
run, or a rule set after its value was seen, is POST_HOC, its reason in the note (a replaced rule of record stays
beside it). A claim whose setting is absent from the run (e.g. no beta = 30 in the grid) is "not run". Means over
queries are given per query (`Sample`), so the table shows their 95% intervals. Values the prose
cites are recorded with `claims.quote`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.claims import (
    CHECK,
    CLAIM_HARD,
    CLAIM_REPORTED,
    CONTROL,
    POST_HOC,
    SPEC,
    THEORY,
    Claims,
    Rule,
    Sample,
    above,
    at_least,
    at_most,
    below,
    each,
    predicate,
    within,
)
from .experiments import CompletionResult, loglog_slope, nearest_memory_hits

SLOPE_LAW = (-0.6, -0.4)    # issue 3's window for the 1/sqrt(Y) law where nothing clamps (set before the first run)
D1_WINDOW = (-0.65, -0.35)  # the spec's window for D1
GATE_BETA = 30.0            # the beta at which the spec gates gradient ordering and retrieval
FAR_Y_MAX = 64000           # D3: the spec's range Y <= 64k
GUESS_SHARE, CLIP_SHARE = 0.5, 0.3  # D3 (spec): |dE| >= half the random-guess level, >= 30% of queries clipped
MEM_LIMIT, NEAR_LIMIT, RAND_FLOOR = 0.01, 0.05, 0.15  # D4 (spec): Hamming of fixed points
PAIRING = ("near - mem is paired by query (near query i flips bits of memory i); rand - near is not a true pair "
           "(random query i is unrelated to near query i): its index-paired interval only approximates a two-sample "
           "one")


def lawful_slopes(slopes: pd.DataFrame) -> pd.DataFrame:
    """The (D, beta, query) cells where no query was clamped at any Y: where the 1/sqrt(Y) law should hold."""
    return slopes[slopes["max_clamp_frac"] == 0.0]


def ordering_gaps(errors: pd.DataFrame, column: str) -> dict[str, Sample]:
    """Per beta, the per-query gaps err(near) - err(mem) and err(rand) - err(near) of the per-query `column`
    (ITEMS), taken by query index: a true pair for near - mem (near query i flips bits of memory i), not for
    rand - near (random query i is unrelated to near query i). Both > 0 is the ordering."""
    out = {}
    for beta, g in errors.groupby("beta"):
        e = g.set_index("query")[column].map(np.asarray)
        out[f"near - mem, beta={beta:g}"] = Sample(e["near"] - e["mem"])
        out[f"rand - near, beta={beta:g}"] = Sample(e["rand"] - e["near"])
    return out


def _cell(table: pd.DataFrame, **where) -> pd.DataFrame:
    mask = pd.Series(True, index=table.index)
    for k, v in where.items():
        mask &= table[k] == v
    return table[mask]


def d1(claims: Claims, *, errors: pd.DataFrame, slopes: pd.DataFrame) -> None:
    """D1: at memories (smallest D and beta) the energy and gradient errors fall as 1/sqrt(Y)."""
    dim, beta, Ymax = int(errors["D"].min()), float(errors["beta"].min()), int(errors["Y"].max())
    cell = _cell(slopes, D=dim, beta=beta, query="mem").iloc[0]
    top = _cell(errors, D=dim, beta=beta, query="mem", Y=Ymax).iloc[0]
    top_E, top_grad = f"|dE| at Y={Ymax}", f"|dgrad| at Y={Ymax}"
    claims.quote("d1_D", dim)
    claims.quote("d1_beta", beta)
    claims.quote("d1_slope_E", float(cell["slope_E"]))
    claims.quote("d1_slope_grad", float(cell["slope_grad"]))
    claims.add(
        "D1", f"E^ and grad E^ approach E, grad E as 1/sqrt(Y) (D={dim}, beta={beta:g}, at memories)", "slope -0.5",
        {"slope E": cell["slope_E"], "slope grad": cell["slope_grad"], top_E: Sample(top["items_E"]),
         top_grad: Sample(top["items_grad"])},
        each({"slope E": within(*D1_WINDOW), "slope grad": within(*D1_WINDOW), top_E: at_most(1.5e-3),
              top_grad: at_most(5e-3)}), kind=CLAIM_HARD, source="Fig 3", origin=SPEC)


def d1b(claims: Claims, *, slopes: pd.DataFrame) -> None:
    """D1b: the same law in every (D, beta, query) cell where no query is clamped at any Y."""
    lawful = lawful_slopes(slopes)
    both = pd.concat([lawful["slope_E"], lawful["slope_grad"]])
    claims.quote("law_min", float(both.min()) if len(both) else float("nan"))
    claims.quote("law_max", float(both.max()) if len(both) else float("nan"))
    claims.quote("law_cells", int(len(lawful)))
    claims.quote("law_total", int(len(slopes)))
    claims.add("D1b", "the 1/sqrt(Y) law wherever no query is clamped (every such D, beta, query type)", "slope -0.5",
               {"min slope": float(both.min()), "max slope": float(both.max())} if len(both) else None,
               each({"min slope": at_least(SLOPE_LAW[0]), "max slope": at_most(SLOPE_LAW[1])}), kind=CLAIM_HARD,
               source="Fig 3", origin=SPEC,
               note=f"{len(lawful)} of {len(slopes)} cells have no clamped query at any Y; window from issue 3")


def high_beta_quotes(claims: Claims, *, errors: pd.DataFrame, slopes: pd.DataFrame) -> None:
    """Quotes for the prose: random queries' energy slope and largest clipped share at the smallest D, largest
    beta (Fig 3's table; no claim)."""
    far = _cell(slopes, D=int(errors["D"].min()), beta=float(errors["beta"].max()), query="rand").iloc[0]
    claims.quote("rand_hi_slope", float(far["slope_E"]))
    claims.quote("rand_hi_clamp", float(far["max_clamp_frac"]))


def _setting(order: pd.DataFrame) -> str:
    return f"D={int(order['D'].iloc[0])}, K={int(order['K'].iloc[0])}, Y={int(order['Y'].iloc[0])}"


def d2(claims: Claims, *, order: pd.DataFrame) -> None:
    """D2: energy error at memories < near memories < random queries, at every beta of the ordering run."""
    gaps = ordering_gaps(order, "items_E")
    claims.add("D2", "energy error: at memories < near < random queries (gaps of mean |dE|)", "ordered", gaps,
               each({k: above(0.0) for k in gaps}), kind=CLAIM_HARD, source="Fig 3", origin=SPEC,
               note=f"{_setting(order)}; {PAIRING}")


def d2g(claims: Claims, *, order: pd.DataFrame) -> None:
    """D2g: the same ordering for the gradient error, gated at beta = 30 (other betas shown, not gated)."""
    gaps, gate = ordering_gaps(order, "items_grad"), f"beta={GATE_BETA:g}"
    gated = [k for k in gaps if k.endswith(gate)]
    claims.add("D2g", f"gradient error ordered the same way (gated at {gate})", "ordered", gaps if gated else None,
               each({k: above(0.0) for k in gated} or {f"near - mem, {gate}": above(0.0)}), kind=CLAIM_HARD,
               source="Fig 3", origin=SPEC,
               note=f"{_setting(order)}; at other beta shown, not gated: near queries can sit just above the clip, "
                    f"where eq-01-drgrad divides by a tiny <phi, T>; {PAIRING}")


def _far(table: pd.DataFrame, query: str = "rand") -> pd.DataFrame:
    """One query type at the smallest D and largest beta, every Y <= 64k (none of an empty table)."""
    if table.empty:
        return table
    rows = _cell(table, D=int(table["D"].min()), beta=float(table["beta"].max()), query=query)
    return rows[rows["Y"] <= FAR_Y_MAX]


def _where(far: pd.DataFrame, recipe: str) -> str:
    return (f"D={int(far['D'].min())}, beta={float(far['beta'].max()):g}, random queries, every Y <= {FAR_Y_MAX}; "
            f"{recipe} patterns")


def _recipe(far: pd.DataFrame, recipe: str) -> pd.DataFrame:
    return far[far["recipe"] == recipe]


def guess_ratios(rand: pd.DataFrame, what: str) -> dict[str, Sample]:
    """Per Y, the per-query error divided by the random-guess level (`what`: "E" or "grad"); the mean of each
    Sample is mean error / guess."""
    return {f"|d{what}|/guess at Y={int(r['Y'])}": Sample(np.asarray(r[f"items_{what}"]) / r[f"guess_{what}"])
            for _, r in rand.sort_values("Y").iterrows()}


def _guess_rule(ratios: dict) -> Rule:
    """The spec's D3 rule: every ratio >= 0.5, and >= 30% of the random queries clipped."""
    return each({**{k: at_least(GUESS_SHARE) for k in ratios}, "min clamped fraction": at_least(CLIP_SHARE)})


def _quote_text(claims: Claims, key: str, value: float | None, spec: str) -> None:
    """Quote `value` formatted with `spec` for the prose, or "n/a" where its experiment did not run."""
    claims.quote(key, "n/a" if value is None else format(value, spec))


def _spec_rule_row(claims: Claims, claim_id: str, far: pd.DataFrame, recipe: str, kind: str) -> str:
    """The spec's rule for the caveat on one pattern recipe: at every Y <= 64k, mean |dE| >= half the random-guess
    level and >= 30% of the random queries clipped. Not run without the recipe (its quotes read "n/a")."""
    rand, key, ours, note = _far(_recipe(far, recipe)), claim_id.lower(), None, ""
    ran = bool(len(rand))
    ratios = guess_ratios(rand, "E") if ran else {}
    _quote_text(claims, f"{key}_ratio", min(float(np.mean(s.values)) for s in ratios.values()) if ran else None,
                ".2f")
    _quote_text(claims, f"{key}_clamp", float(rand["clamp_frac"].min()) if ran else None, ".0%")
    _quote_text(claims, f"{key}_sqdist", float(rand["sqdist"].iloc[0]) if ran else None, ".3f")
    if ran:
        ours = {**ratios, "min clamped fraction": float(rand["clamp_frac"].min())}
        note = (f"guess level mean |E(memory i) - E^(random i)| = {rand['guess_E'].min():.2g} to "
                f"{rand['guess_E'].max():.2g} (the spec's prototype: 0.077); mean squared distance of the random "
                f"queries to the memories {float(rand['sqdist'].iloc[0]):.3f}")
    where = _where(far, recipe) if len(rand) else f"{recipe} patterns"
    return claims.add(claim_id, f"poor approximation far from memories at high beta: |dE| >= half the random-guess "
                      f"level ({where})", "authors' caveat", ours, _guess_rule(ours or {}), kind=kind,
                      source="Fig 3", origin=SPEC, note=note)


def d3(claims: Claims, *, far: pd.DataFrame) -> None:
    """D3: the caveat under the spec's rule, the claim of record, on i.i.d. patterns (hard), with the range of the
    guess level; D3o: the same rule on the official scripts' sorted patterns (reported), with its energy slope."""
    _spec_rule_row(claims, "D3", far, "iid", CLAIM_HARD)
    iid = _far(_recipe(far, "iid"))
    _quote_text(claims, "d3_guess_lo", float(iid["guess_E"].min()) if len(iid) else None, ".2g")
    _quote_text(claims, "d3_guess_hi", float(iid["guess_E"].max()) if len(iid) else None, ".2g")
    _spec_rule_row(claims, "D3o", far, "official", CLAIM_REPORTED)
    official = _far(_recipe(far, "official"))
    _quote_text(claims, "d3o_slope", loglog_slope(official["Y"], official["err_E"]) if len(official) else None,
                ".2f")


LAW_BREAKS = each({"slope rand": at_least(-0.25), "min clamped fraction": at_least(CLIP_SHARE),
                   "slope mem": within(*D1_WINDOW)})


def d3s(claims: Claims, *, far: pd.DataFrame) -> None:
    """D3s: the rule that replaced D3's after D3 was measured: random queries' energy error does not fall as
    1/sqrt(Y) (slope >= -0.25) while at least 30% are clipped, where at memories the same cell follows the law."""
    rows = _recipe(far, "iid")
    rand, mem = _far(rows), _far(rows, "mem")
    ours = None
    if len(rand):
        ours = {"slope rand": loglog_slope(rand["Y"], rand["err_E"]),
                "min clamped fraction": float(rand["clamp_frac"].min()),
                "slope mem": loglog_slope(mem["Y"], mem["err_E"])}
    _quote_text(claims, "d3s_slope", ours["slope rand"] if ours else None, ".2f")
    claims.add(
        "D3s", f"energy error far from memories breaks the 1/sqrt(Y) law ({_where(far, 'iid')})", "authors' caveat",
        ours, LAW_BREAKS, kind=CLAIM_REPORTED, source="Fig 3", origin=POST_HOC,
        note="set after D3's spec rule was measured below its threshold (issues 3 and 15); it partly holds by "
             "construction: a clipped query's energy is pinned at log(1/eps)/beta whatever Y is, so with >= 30% of "
             "the queries clipped the slope is flattened")


def d3g(claims: Claims, *, far: pd.DataFrame) -> None:
    """D3g: the spec rule's form for gradients (the paper's Fig 3 metric), reported only."""
    rand = _far(_recipe(far, "iid"))
    ratios = guess_ratios(rand, "grad") if len(rand) else {}
    claims.add("D3g", f"the same for gradients, the paper's Fig 3 metric ({_where(far, 'iid')})",
               "errors reach the rand-guess line",
               {**ratios, "min clamped fraction": float(rand["clamp_frac"].min())} if len(rand) else None,
               _guess_rule(ratios), kind=CLAIM_REPORTED, source="Fig 3", origin=POST_HOC,
               note="D3's energy threshold carried over to gradients after D3 was measured; a clipped query has "
                    "grad E^ = 0: it adds |grad E| to the error and almost nothing to the guess, so once many "
                    "queries are clipped this ratio is large by construction")


def _items(table: pd.DataFrame) -> pd.Series:
    return table.set_index("query")["items_hamming"]


def d4(claims: Claims, *, retrieval: pd.DataFrame) -> None:
    """D4: Hamming distance between the binarised fixed points of DrDAM and MrDAM at beta = 30, smallest Y, at and
    near memories; D4x: far from them; D4c (control): MrDAM itself retrieves its memories there."""
    Y = int(retrieval["Y"].min())
    cell = _cell(retrieval, beta=GATE_BETA, Y=Y)
    ham, ran = _items(cell), len(cell) == 3
    setting = f"beta={GATE_BETA:g}, Y={Y}, K={int(retrieval['K'].iloc[0])}"
    claims.add(
        "D4", f"DrDAM dynamics match MrDAM ({setting}): Hamming of fixed points", "~0 near memories",
        {q: Sample(ham[q]) for q in ("mem", "near")} if ran else None,
        each({"mem": at_most(MEM_LIMIT), "near": at_most(NEAR_LIMIT)}), kind=CLAIM_HARD, source="Fig 4A",
        origin=SPEC)
    claims.add("D4x", f"far from memories the fixed points differ ({setting}): Hamming, random queries",
               "not stated", Sample(ham["rand"]) if ran else None, at_least(RAND_FLOOR), kind=CLAIM_HARD,
               source="Fig 4A", origin=SPEC,
               note="the third part of the spec's D4 (hard); the paper states the caveat, not this number")
    own = cell.set_index("query")["bit_error_Mr"]
    claims.add("D4c", f"MrDAM retrieves its memories ({setting}): its own bit error started at them", "(protocol)",
               float(own["mem"]) if ran else None, at_most(MEM_LIMIT), kind=CONTROL, source="Fig 4A", origin=SPEC,
               guards=("D4", "D4x"), note="the spec's D4 limit at memories, applied to MrDAM: otherwise D4 and D4x "
                                           "compare two spurious mixtures")


def d4p(claims: Claims, *, retrieval: pd.DataFrame) -> None:
    """D4p: D4's rule at the paper's Fig 4A setting (D = 30, K = 500, alpha = 0.03, 1000 steps), every beta and Y;
    the note gives MrDAM's own bit error at the memories (where it is large, MrDAM itself does not retrieve)."""
    ours, own = None, ""
    if len(retrieval):
        at = retrieval[retrieval["query"].isin(["mem", "near"])]
        ours = {f"{r.query}, beta={r.beta:g}, Y={r.Y}": Sample(r.items_hamming) for r in at.itertuples()}
        mem = retrieval[retrieval["query"] == "mem"].groupby("beta")["bit_error_Mr"].first()
        own = "; MrDAM's own bit error at memories: " + ", ".join(f"{e:.2f} at beta={b:g}" for b, e in mem.items())
        setting = (f"D={int(retrieval['D'].iloc[0])}, K={int(retrieval['K'].iloc[0])}, "
                   f"alpha={retrieval['alpha'].iloc[0]:g}, {int(retrieval['depth'].iloc[0])} steps")
    limits = {"mem": at_most(MEM_LIMIT), "near": at_most(NEAR_LIMIT)}
    rule = each({k: limits[k.split(",")[0]] for k in ours}) if ours else each(limits)
    statement = f"D4 at the paper's Fig 4A setting ({setting if ours else 'not run'}): Hamming of fixed points"
    claims.add("D4p", statement, "~0 near memories", ours, rule, kind=CLAIM_REPORTED,
                                           source="Fig 4A", origin=SPEC,
                                           note=f"limits: mem <= {MEM_LIMIT:g}, near <= {NEAR_LIMIT:g}" + own)


def d5(claims: Claims, *, vs_k: pd.DataFrame, storage: dict) -> None:
    """D5 (check): the size of T measured after every `add` is constant; adding and removing a memory is exact."""
    add_key, remove_key, sizes = "max|T_all - (T_K-1 + phi)|", "max|remove(add(T)) - T|", "sizes of T while adding"
    claims.add("D5", "parameter count fixed in K; a memory is added by modifying the weights", "T += phi(xi)",
               {sizes: int(vs_k["dim_T"].nunique()), add_key: storage[add_key], remove_key: storage[remove_key]},
               each({sizes: predicate("== 1", lambda n: n == 1), add_key: at_most(1e-12),
                     remove_key: at_most(1e-12)}), kind=CHECK, source="text", origin=SPEC,
               note="exact by construction (T is a sum): a failure is a bug in our code")


def d6(claims: Claims, *, completion: CompletionResult) -> None:
    """D6: nearest-memory accuracy of DrDAM's completions at the largest Y, per query."""
    Y = max(completion.dr_final)
    hits = nearest_memory_hits(completion.dr_final[Y], completion.memories, completion.sources)
    claims.add("D6", f"completes occluded images (Fig 1 analog, Y={Y}): nearest-memory accuracy", "qualitative",
               Sample(hits.double().tolist()), at_least(0.9), kind=CLAIM_HARD, source="Fig 1", origin=SPEC)


def d7(claims: Claims, *, completion: CompletionResult) -> None:
    """D7: the largest gap between DrDAM's and the true energy along DrDAM's path, at the largest Y."""
    dr = completion.table[completion.table["model"] == "DrDAM"].set_index("Y")
    Y = int(dr.index.max())
    claims.add("D7", f"energy along the DrDAM path tracks the true energy (Y={Y}): max |E^ - E|", "curves overlap",
               float(dr.loc[Y, "max_energy_gap"]), at_most(0.05), kind=CLAIM_REPORTED, source="Fig 1",
               origin=POST_HOC,
               note="the spec reports D7 without a number (the paper gives none); the limit 0.05 is ours and first "
                    "appears with the chapter's first golden, so it may have been set after the value was seen")


def d8(claims: Claims, *, vs_k: pd.DataFrame) -> None:
    """D8: log-log slope of |dE| against K at memories and at random queries (smallest D and beta)."""
    dim, beta = int(vs_k["D"].min()), float(vs_k["beta"].min())
    k_slopes = {q: loglog_slope(g["K"], g["err_E"]) for q, g in _cell(vs_k, D=dim, beta=beta).groupby("query")}
    claims.quote("k_slope_mem", float(k_slopes["mem"]))
    claims.quote("k_slope_rand", float(k_slopes["rand"]))
    trend = lambda s: "grows" if s > 0 else "falls"  # noqa: E731
    claims.add("D8", f"error vs number of memories K at fixed Y (D={dim}, beta={beta:g}): log-log slope of |dE|",
               "trend [unverified]", {"mem": k_slopes["mem"], "rand": k_slopes["rand"]},
               each({"mem": above(0.0), "rand": at_most(0.0)}), kind=CLAIM_REPORTED, source="Fig 5", origin=SPEC,
               note=f"directions: the spec's expected outcomes; with K the error {trend(k_slopes['mem'])} at "
                    f"memories and {trend(k_slopes['rand'])} at random queries")


def d9(claims: Claims, *, ablation: pd.DataFrame) -> None:
    """D9: SinCos against the runner-up map: per-cell differences of the gradient error over (beta, Y, where);
    a negative mean is rank 1 by mean gradient error."""
    cells = ablation.pivot_table(index=["beta", "Y", "at"], columns="kind", values="err_grad")
    mean_grad = cells.mean().sort_values()
    runner_up = next(k for k in mean_grad.index if k != "sincos")
    claims.quote("fig6_rank", " < ".join(mean_grad.index))
    claims.add("D9", f"SinCos is the best feature map: gradient error of SinCos - {runner_up} (the runner-up), "
                     "mean over (beta, Y, where)", "rank 1",
               Sample((cells["sincos"] - cells[runner_up]).tolist()), below(0.0), kind=CLAIM_REPORTED,
               source="Fig 6", origin=SPEC, note="rank by mean gradient error: " + " < ".join(mean_grad.index))


def d10(claims: Claims, *, cost: pd.DataFrame, Y: int, dim: int) -> None:
    """D10 (check): the parameter ratio MrDAM / DrDAM counted by the models is K*D / 2Y at every K of the cost
    grid, so DrDAM is smaller exactly beyond K = 2Y/D (arithmetic; the measured times are in the figure)."""
    n = cost.pivot_table(index="K", columns="model", values="n_params")
    ratio = n["MrDAM"] / n["DrDAM"]
    gap, top = "max |ratio - K*D/2Y|", f"ratio at K={int(n.index.max())}"
    claims.quote("break_even_K", float(2 * Y / dim))
    claims.add("D10", "memory efficiency: MrDAM's K*D parameters over DrDAM's 2Y, at every K of the cost grid",
               "DrDAM smaller for large K",
               {top: float(ratio.iloc[-1]), gap: float((ratio - n.index * dim / (2 * Y)).abs().max())},
               each({gap: at_most(1e-12)}), kind=CHECK, source="text", origin=THEORY,
               note=f"holds by construction: DrDAM is smaller beyond K = 2Y/D = {2 * Y / dim:g}; a failure is a bug "
                    "in our parameter counts")


def chapter_claims(*, errors: pd.DataFrame, slopes: pd.DataFrame, order: pd.DataFrame, far: pd.DataFrame,
                   retrieval: pd.DataFrame, retrieval_paper: pd.DataFrame, vs_k: pd.DataFrame, storage: dict,
                   completion: CompletionResult, ablation: pd.DataFrame, cost: pd.DataFrame, cost_Y: int,
                   cost_dim: int, seed: int = 0) -> Claims:
    """The claims D1-D10 in the order of the claims table; `seed` seeds the bootstrap intervals. errors, order
    and both retrieval tables carry their per-query columns (experiments.ITEMS)."""
    claims = Claims(digits=2, significant=True, seed=seed)
    d1(claims, errors=errors, slopes=slopes)
    d1b(claims, slopes=slopes)
    high_beta_quotes(claims, errors=errors, slopes=slopes)
    d2(claims, order=order)
    d2g(claims, order=order)
    d3(claims, far=far)
    d3s(claims, far=far)
    d3g(claims, far=far)
    d4(claims, retrieval=retrieval)
    d4p(claims, retrieval=retrieval_paper)
    d5(claims, vs_k=vs_k, storage=storage)
    d6(claims, completion=completion)
    d7(claims, completion=completion)
    d8(claims, vs_k=vs_k)
    d9(claims, ablation=ablation)
    d10(claims, cost=cost, Y=cost_Y, dim=cost_dim)
    return claims
