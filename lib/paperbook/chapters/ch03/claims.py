"""Chapter 03's claims table (spec section 5): one function per row, keyword inputs, the paper's statement beside
ours and a rule.

The paper's theorem statements, constants and numbering are unverified against the PDF, so its side of every row
is the abstract's qualitative statement; P1 and P2 are the book's derivations "following Ram et al.", and the
tree-ops experiment is the book's illustration, not an experiment of the paper. Rows that hold by construction or
by a proved proposition (T1-T3, T6, T8, T9) are checks; T4, T5g/T5t, T7 and T8b are the empirical rows. T5 is
split per baseline (g: GRU, t: transformer), each guarded by a post-hoc control (C1g, C1t) that says whether that
baseline fits its training distribution well enough for its T5 row to be tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...compose import scan as scan_grammar
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
)
from .experiments import blind_accuracy, grammar_bounds, loglog_slope, range_label

TOL = 1 + 1e-6  # a bound "holds" up to float64 rounding of the forward pass
WITHIN_BOUND = Rule("<= 1 (+1e-6 for rounding)", at_most(TOL).decide)
EXACT = predicate("= 0 (exact)", lambda mismatches: mismatches == 0)
GAP = 0.3  # spec: T5's accuracy gap, also the most a baseline may trail TreeNet in distribution (C1, post hoc)
BASELINES = {"gru": ("g", "GRU"), "transformer": ("t", "transformer")}  # model: (id suffix, name)
SPEC_N, SPEC_N_T7 = 2000, 200  # spec: the training sizes T4-T6 and T7 are read at
ITEMS_ONLY = "the interval covers the test items only, not the variation between training runs"


def _row(ops: pd.DataFrame, model: str, n: int, label: str) -> pd.Series | None:
    row = ops[(ops["model"] == model) & (ops["n_train"] == n) & (ops["range"] == label)]
    return None if row.empty else row.iloc[0]


def _acc(ops: pd.DataFrame, model: str, n: int, label: str) -> float | None:
    row = _row(ops, model, n, label)
    return None if row is None else float(row["accuracy"])


def _items(ops: pd.DataFrame, model: str, n: int, label: str) -> Sample:
    """Per-item correctness over the test items of every repeat."""
    return Sample(np.asarray(_row(ops, model, n, label)["correct"], dtype=float).tolist())


def _paired(ops: pd.DataFrame, first: str, second: str, n: int, label: str) -> Sample:
    """Per-item differences of two models' correctness on the same test items."""
    a, b = (np.asarray(_row(ops, m, n, label)["correct"], dtype=float) for m in (first, second))
    return Sample((a - b).tolist())


def _largest(ops: pd.DataFrame) -> tuple[int, str]:
    """The largest training size (T4-T6 read it) and a note where it is not the spec's."""
    n = int(ops["n_train"].max())
    return n, "" if n == SPEC_N else f" (the spec's n = {SPEC_N} is not this profile's largest size)"


def _t7_size(ops: pd.DataFrame) -> tuple[int, str]:
    """The spec's n = 200 where it ran, else the smallest size, and a note saying so."""
    sizes = set(ops["n_train"].astype(int))
    if SPEC_N_T7 in sizes:
        return SPEC_N_T7, ""
    return min(sizes), f" (the spec's n = {SPEC_N_T7} is not run in this profile: the smallest size is used)"


def _longer(train_leaves, ops: pd.DataFrame) -> str:
    """The label of the shortest test range beyond the training lengths (the chapter's 'len 8-12')."""
    labels = list(dict.fromkeys(ops["range"]))
    lows = {label: int(label.split("-")[0]) for label in labels}
    return min((lab for lab in labels if lows[lab] > train_leaves[1]), key=lows.get)


def _mismatches(sweep: pd.DataFrame, model: str) -> int:
    return int((~sweep.loc[sweep["model"] == model, "ok"].astype(bool)).sum())


def t1(claims: Claims, *, sweep: pd.DataFrame) -> None:
    """Check: the dynamic programme's path counts against the closed forms of a (causal) transformer."""
    tf = sweep[sweep["model"] == "transformer"]
    span = f"L 2..{sweep['L'].max()}, M 1..{int(tf['M'].max())}"
    ours = {"off L^(M-1)": _mismatches(sweep, "transformer"),
            "causal, off C(L+M-2, M-1)": _mismatches(sweep, "causal transformer")}
    claims.add("T1", "a transformer's interaction between tokens grows exponentially with its depth M",
               "exponential in M (unverified: secondary source)", ours, each({k: EXACT for k in ours}),
               kind=CHECK, source="text", origin=THEORY,
               note=f"settings whose max path-LoI is off the closed form, for every {span} ({len(tf)} settings "
               "each, exact integers); holds by construction: a mismatch is a bug in the cDAG code")


def t2(claims: Claims, *, sweep: pd.DataFrame) -> None:
    """Check: chains and balanced trees have one path per token, and their closed-form depth and size."""
    ours = {"chain, off": _mismatches(sweep, "chain"), "tree, off": _mismatches(sweep, "tree")}
    claims.add("T2", "recurrent and tree models: one path from each token to the output (bounded interaction)",
               "bounded (qualitative)", ours, each({k: EXACT for k in ours}), kind=CHECK, source="text",
               origin=THEORY, note=f"lengths L 2..{sweep['L'].max()} off the closed forms (chain: 1 path per token, "
               "depth L, L nodes; tree: 1 path, depth ceil(log2 L), L-1 nodes); holds by construction. Path counts "
               "(lambda = 1): LoI_i(lambda) of a chain grows as lambda^(L-i+1) for lambda > 1")


def t3(claims: Claims, *, sensitivity: pd.DataFrame) -> None:
    """Check: P1, a proved bound, on random instances."""
    worst = float(sensitivity["max_ratio"].max())
    claims.quote("p1_worst_ratio", worst)
    n = sensitivity.groupby(["dag", "lam"]).ngroups
    claims.add("T3", "sensitivity to a token is governed by the cDAG (P1, book form: |df| <= L_h |delta| LoI_i)",
               "bound (book's derivation)", worst, WITHIN_BOUND, kind=CHECK, source="text", origin=THEORY,
               note=f"holds by P1 (proved in the chapter): max observed |df| / (|delta| LoI_i) over {n} cDAG x "
               "lambda settings, every token; a ratio above 1 is a bug")


def t4(claims: Claims, *, ops: pd.DataFrame, train_leaves) -> None:
    (n, off), iid, longer = _largest(ops), range_label(train_leaves), _longer(train_leaves, ops)
    claims.quote("treenet_iid", _acc(ops, "treenet", n, iid))
    claims.quote("treenet_longer", _acc(ops, "treenet", n, longer))
    ours = {label: _items(ops, "treenet", n, label) for label in (iid, longer)}
    claims.add("T4", "a model whose cDAG matches the input's structure generalises systematically",
               "guarantee (qualitative)", ours, each({iid: at_least(0.97), longer: at_least(0.90)}),
               kind=CLAIM_HARD, source="text", origin=SPEC,
               note=f"TreeNet on the gold parse, n_train = {n}{off} (book's experiment); {ITEMS_ONLY}")


def t5(claims: Claims, *, ops: pd.DataFrame, train_leaves) -> None:
    """One row per baseline, so that each is read under its own control."""
    (n, off), longer = _largest(ops), _longer(train_leaves, ops)
    for model, (suffix, name) in BASELINES.items():
        claims.add(f"T5{suffix}", f"input-agnostic cDAGs are limited in approximating input-dependent ones "
                   f"(negative result): TreeNet against the {name}", "negative result (qualitative)",
                   _paired(ops, "treenet", model, n, longer), at_least(GAP), kind=CLAIM_HARD, source="text",
                   origin=SPEC, note=f"accuracy gap TreeNet - {name} on {longer}, n_train = {n}{off}; paired over "
                   f"test items; {ITEMS_ONLY}")


def c1(claims: Claims, *, ops: pd.DataFrame, train_leaves) -> None:
    """Controls of T5: a baseline already GAP behind TreeNet in distribution would make T5 hold by underfitting."""
    (n, off), iid = _largest(ops), range_label(train_leaves)
    for model, (suffix, name) in BASELINES.items():
        claims.add(f"C1{suffix}", f"the {name} fits its training distribution: in-distribution gap to TreeNet",
                   "(protocol)", _paired(ops, "treenet", model, n, iid), below(GAP), kind=CONTROL, source="book",
                   origin=POST_HOC, guards=(f"T5{suffix}",),
                   note=f"post hoc: chosen after the transformer's in-distribution accuracy was known, and it reuses "
                   f"T5's threshold for another quantity (a baseline that trails TreeNet by as much in distribution "
                   f"would give T5's gap on longer inputs without any failure to generalise); accuracy gap "
                   f"TreeNet - {name} on {iid}, n_train = {n}{off}, paired over test items; {ITEMS_ONLY}")


def t6(claims: Claims, *, ops: pd.DataFrame, train_leaves, table: np.ndarray) -> None:
    """Check: a bracket-blind TreeNet, and the best bracket-blind predictor it cannot beat, stay under 0.75."""
    (n, off), iid = _largest(ops), range_label(train_leaves)
    ours = {"TreeNet-balanced": _items(ops, "treenet_balanced", n, iid)}
    bound = blind_accuracy(table, train_leaves)
    claims.quote("blind_bound", float("nan") if bound is None else bound)  # the prose formats it
    if bound is not None:
        ours["best bracket-blind predictor (expected)"] = bound
    claims.add("T6", "the same for a fixed tree: a balanced TreeNet that ignores the bracketing",
               "negative result (qualitative)", ours, each({k: at_most(0.75) for k in ours}), kind=CHECK,
               source="text", origin=SPEC, note=f"accuracy on {iid}, n_train = {n}{off}; holds by construction: this "
               "model never sees the brackets, and no predictor that sees only the leaves can expect more than the "
               "second value (exact, over the training distribution; the held-out test items are longer, where it is "
               "lower)")


def t7(claims: Claims, *, ops: pd.DataFrame, train_leaves) -> None:
    (n, off), iid = _t7_size(ops), range_label(train_leaves)
    claims.quote("t7_n", n)
    ours = {"TreeNet - GRU": _paired(ops, "treenet", "gru", n, iid),
            "GRU - transformer": _paired(ops, "gru", "transformer", n, iid)}
    claims.add("T7", "lower compositional complexity means better sample efficiency",
               "book's hypothesis (the abstract names sample complexity, no ordering)", ours,
               each({k: above(0) for k in ours}), kind=CLAIM_REPORTED, source="text", origin=SPEC,
               note=f"strict ordering TreeNet > GRU > transformer: accuracy gaps on {iid} at n_train = {n}{off}, "
               f"paired over the test items of every repeat; {ITEMS_ONLY}")


def t8(claims: Claims, *, propagation: pd.DataFrame) -> None:
    """Check: P2, a proved bound, on random instances."""
    claims.add("T8", "component error propagates along the cDAG within the P2 bound (book form: |df| <= eps * "
               "error gain)", "bound (book's derivation)", float(propagation["max_ratio"].max()), WITHIN_BOUND,
               kind=CHECK, source="text", origin=THEORY, note="holds by P2 (proved in the chapter): max observed "
               "error / bound over every cDAG, lambda and eps; the error can sit far under the bound (tanh saturates)")


def t8b(claims: Claims, *, propagation: pd.DataFrame) -> None:
    """The error grows linearly in eps: a first-order effect, measured on fresh random errors per eps (noisy)."""
    slopes = [loglog_slope(g["eps"], g["max_err"]) for _, g in propagation.groupby(["dag", "lam"])]
    claims.add("T8b", "component error grows linearly in eps (slope of log error against log eps)",
               "book's derivation (not a statement of the paper)", {"min slope": min(slopes), "max slope": max(slopes)},
               each({"min slope": at_least(0.9), "max slope": at_most(1.1)}), kind=CLAIM_REPORTED, source="text",
               origin=SPEC, note=f"per cDAG and lambda ({len(slopes)} slopes) of the largest error over the trials; "
               "spec: slope ~ 1, read as 1 +- 0.1; the errors are fresh random directions at each eps, so the slope "
               "of their maximum is noisy with few trials")


def t9(claims: Claims, *, scan: pd.DataFrame | None) -> None:
    """Check: SCAN's parse cDAGs against what the grammar guarantees of any of its parses."""
    row = None if scan is None else scan[scan["input_dependent"]].iloc[0]
    bounds = grammar_bounds(scan_grammar.parser().rules)
    ours = None if row is None else {"max arity": int(row["max_arity"]), "max path-LoI": int(row["max_path_loi"]),
                                     "max depth": int(row["max_depth"])}
    commands = "" if row is None else f"over all {int(row['commands']):,} SCAN commands; "
    claims.add("T9", "parse-based models (CPG) have low compositional complexity",
               "book's link to chapter 04 (not a statement of the paper)", ours,
               each({k: at_most(v) for k, v in bounds.items()}), kind=CHECK, source="text", origin=THEORY,
               note=f"{commands}holds by construction: the bounds are read off SCAN's grammar (longest right-hand "
               "side; a parse is a tree; longest chain of nonterminals)")


def chapter_claims(*, sweep: pd.DataFrame, sensitivity: pd.DataFrame, propagation: pd.DataFrame,
                   ops: pd.DataFrame, train_leaves, table: np.ndarray, scan: pd.DataFrame | None) -> Claims:
    """Every row of the chapter, in the order of the claims table (`ops` is `experiments.ops_summary`, `table`
    the tree-ops operation table); the prose quotes every verdict as `<id>_verdict`."""
    claims = Claims()
    t1(claims, sweep=sweep)
    t2(claims, sweep=sweep)
    t3(claims, sensitivity=sensitivity)
    t4(claims, ops=ops, train_leaves=train_leaves)
    t5(claims, ops=ops, train_leaves=train_leaves)
    t6(claims, ops=ops, train_leaves=train_leaves, table=table)
    t7(claims, ops=ops, train_leaves=train_leaves)
    t8(claims, propagation=propagation)
    t8b(claims, propagation=propagation)
    t9(claims, scan=scan)
    c1(claims, ops=ops, train_leaves=train_leaves)
    return claims
