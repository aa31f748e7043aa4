"""Chapter 06's claims table (spec section 5): one function per claim, keyword inputs, the paper's statement beside
ours, and a rule.

Only the abstract's numbers are quoted on the paper's side: the per-data-set tables were not available offline
(the spec marks them unverified). AUC claims compare means over the model seeds.
"""

from __future__ import annotations

import pandas as pd

from ...core.claims import HARD, REPORTED, Claims, Rule, above, at_least, at_most, count_at_least, each, is_true
from ...logic.data import RULE_FEATURES

TIGHT = ("breast_cancer", "synthetic_rules")  # N2: |NRN - GBT| <= 0.02 here, AUC >= 0.9 GBT elsewhere


def _mean_auc(table: pd.DataFrame) -> pd.DataFrame:
    """Data sets x models: mean test AUC."""
    return table.pivot(index="data", columns="model", values="auc")


def n1(claims: Claims, *, table: pd.DataFrame) -> None:
    a = _mean_auc(table)
    gap = {d: float(a.loc[d, "R-NRN"] - a.loc[d, "MLP"]) for d in a.index}
    claims.quote("phoneme_vs_mlp", -gap["phoneme"])
    best_tree = a.loc["phoneme", ["GBT", "HGB", "RF"]].max()
    claims.quote("phoneme_vs_best_tree", float(best_tree - a.loc["phoneme", "R-NRN"]))
    claims.add("N1", "ROC AUC improves over an MLP: AUC(R-NRN) - AUC(MLP), per data set",
               "better than MLP over 22 data sets (abstract)", gap, each({d: at_least(0.0) for d in gap}),
               source="abstract", kind=REPORTED,
               note="one fixed setting against the paper's 400 tuned trials per model and data set")


def n2(claims: Claims, *, table: pd.DataFrame) -> None:
    a = _mean_auc(table)
    ours, rules = {}, {}
    for d in a.index:
        if d in TIGHT:
            ours[f"{d} |R-NRN - GBT|"] = float(abs(a.loc[d, "R-NRN"] - a.loc[d, "GBT"]))
            rules[f"{d} |R-NRN - GBT|"] = at_most(0.02)
        else:
            ours[f"{d} R-NRN / GBT"] = float(a.loc[d, "R-NRN"] / a.loc[d, "GBT"])
            rules[f"{d} R-NRN / GBT"] = at_least(0.9)
    claims.add("N2", "statistically similar to the trees (RF, XGB, GBT): R-NRN against GBT",
               "statistically similar (abstract; Mann-Whitney over 22 data-set means)", ours, each(rules),
               source="abstract", kind=REPORTED, note="thresholds ours (spec): with 3 seeds a per-data-set "
               "Mann-Whitney test cannot reach p < 0.05 unless the runs separate completely")


def n3(claims: Claims, *, table: pd.DataFrame, runs: pd.DataFrame) -> None:
    size = table.pivot(index="data", columns="model", values="size")
    nrn = runs[runs.model == "R-NRN"].groupby("data")[["size", "size_with_bandit"]].mean()
    ratio = {f"RF/{d}": float(size.loc[d, "RF"] / nrn.loc[d, "size"]) for d in size.index}
    low = {m: float((size[m] / nrn["size"]).min()) for m in ("GBT", "MLP")}
    with_bandit = float((size["RF"] / nrn["size_with_bandit"]).min())
    claims.quote("rf_ratio_min", min(ratio.values()))
    claims.quote("gbt_ratio_min", low["GBT"])
    claims.add("N3", "more than two orders of magnitude fewer parameters: RF nodes / R-NRN weights",
               "> 100x fewer on average (abstract)", ratio, each({k: at_least(100.0) for k in ratio}),
               source="abstract", kind=REPORTED,
               note=f"smallest ratios: GBT nodes {low['GBT']:.0f}x, MLP weights {low['MLP']:.0f}x; RF with the "
                    f"paper's bandit count (+2 per predicate) {with_bandit:.0f}x")


def time_ratio(table: pd.DataFrame) -> float:
    """R-NRN fit CPU-s over the mean of GBT's and RF's, median over data sets."""
    cpu = table.pivot(index="data", columns="model", values="cpu_s")
    return float((cpu["R-NRN"] / cpu[["GBT", "RF"]].mean(axis=1)).median())


def n4(claims: Claims, *, table: pd.DataFrame) -> None:
    claims.add("N4", "43% faster training: R-NRN fit CPU-s <= 0.57 x the mean of GBT's and RF's (median over "
               "data sets)", "43% faster (abstract)", time_ratio(table) <= 0.57, is_true(), source="abstract",
               kind=REPORTED, note="not comparable: the paper times Optuna trials of tuned models; ours are single "
                                   "CPU fits. The ratio itself varies with the machine: see the timing cell")


def n5(claims: Claims, *, sufficiency: pd.DataFrame) -> None:
    s = sufficiency.set_index("data")
    ours = {d: float(s.loc[d, "mean_length"]) for d in s.index}
    rules = {d: _at_most_shown(min(6.0, float(s.loc[d, "tree_path_mean"]))) for d in s.index}
    claims.add("N5", "shorter explanations: mean conditions per explanation, per data set",
               "shorter than the baselines' (abstract)", ours, each(rules), source="abstract", kind=REPORTED,
               note="threshold: <= 6 and <= the mean path of a depth-5 decision tree ("
                    + ", ".join(f"{d} {s.loc[d, 'tree_path_mean']:.1f}" for d in s.index) + ")")


def _at_most_shown(t: float) -> Rule:
    """<= t, with t shown to 2 decimals but compared in full."""
    return Rule(f"<= {t:.2f}", lambda x: x <= t)


def n6(claims: Claims, *, sufficiency: pd.DataFrame) -> None:
    a_fail = int((sufficiency["min_A_agreement"] < 1.0).sum())
    b_fail = int(sufficiency["B_violations"].sum())
    claims.add("N6", "logically sound explanations: violations of invariants A and B",
               "textual explanations (not stated as sufficient)", {"A": a_fail, "B": b_fail},
               each({"A": at_most(0), "B": at_most(0)}), source="text", kind=HARD,
               note=f"{int(sufficiency['rows'].sum())} explained test rows; A: data sets where a random input "
                    "satisfying an explanation got another decision; B: test rows doing so")


def n7(claims: Claims, *, areas: pd.DataFrame) -> None:
    a = areas.set_index("data")
    gap = {d: float(a.loc[d, "R-NRN"] - a.loc[d, "RF impurity"]) for d in a.index}
    need = -(-2 * len(gap) // 3)
    claims.add("N7", "more accurate feature importances: deletion area(R-NRN) - area(RF impurity)",
               "more accurate than RF, RF+SHAP and NAM (abstract; incremental deletion)", gap,
               count_at_least(need, at_most(0.0)), source="abstract", kind=REPORTED,
               note="area under the relative deletion curve, lower = steeper; each model permuted in its own order")


def n8(claims: Claims, *, top: list[int]) -> None:
    claims.quote("top_features", ", ".join(f"x{j}" for j in top))
    claims.add("N8", "importances find the true rule: top-3 R-NRN features on synthetic_rules",
               "x0, x1, x2 (the generating rule; book's test)", ", ".join(f"x{j}" for j in top),
               same_features(RULE_FEATURES), source="book", kind=REPORTED, note="first model seed")


def same_features(expected) -> Rule:
    """The listed features ('x2, x0, x1') are exactly `expected`, in any order."""
    want = sorted(f"x{j}" for j in expected)
    return Rule(f"= {{{', '.join(want)}}}", lambda ours: sorted(ours.split(", ")) == want)


def n9(claims: Claims, *, ablation: pd.DataFrame) -> None:
    gain = ablation.groupby("data")["difference"].mean()
    ours = {d: float(g) for d, g in gain.items()}
    claims.quote("bandit_gain_synthetic", ours["synthetic_rules"])
    claims.quote("bandit_gain_phoneme", ours["phoneme"])
    rules = {d: (above(0.0) if d == "phoneme" else at_least(-0.01)) for d in ours}
    claims.add("N9", "bandit structure learning helps: AUC(bandit) - AUC(static), mean over seeds",
               "R-NRN's rewiring (method; no ablation in the abstract)", ours, each(rules), source="method",
               kind=REPORTED, note="threshold ours (spec)")


def expected_weights(n_inputs: int, layer_sizes, k_in: int, k_internal: int, k_out: int) -> int:
    """Weights per class by the official code's count: each layer's width times its fan-in, a fan-in capped at
    the width below it."""
    widths = [n_inputs, *layer_sizes, 1]
    ks = [k_in] + [k_internal] * (len(layer_sizes) - 1) + [k_out]
    return sum(widths[i + 1] * min(ks[i], widths[i]) for i in range(len(ks)))


def n10(claims: Claims, *, runs: pd.DataFrame) -> None:
    expected = [expected_weights(r.n_predicates, r.layer_sizes, r.k_in, r.k_internal, r.k_out) * r.channels
                for r in runs.itertuples()]
    mismatches = int((runs["size"].to_numpy() != expected).sum())
    claims.add("N10", "weights: every fitted NRN has the width x fan-in count of its own shape",
               "68 per class at (8, 8), k 4/4/4 (official code's count)", mismatches, at_most(0), source="code",
               kind=HARD, note=f"mismatching fits of {len(runs)}; per class here: "
               + ", ".join(f"{v:g}" for v in (runs["size"] / runs["channels"]).unique()))


def chapter_claims(*, table: pd.DataFrame, runs: pd.DataFrame, ablation: pd.DataFrame, sufficiency: pd.DataFrame,
                   areas: pd.DataFrame, top: list[int]) -> Claims:
    """Every claim of the chapter, in the order of the claims table."""
    claims = Claims()
    n1(claims, table=table)
    n2(claims, table=table)
    n3(claims, table=table, runs=runs)
    n4(claims, table=table)
    n5(claims, sufficiency=sufficiency)
    n6(claims, sufficiency=sufficiency)
    n7(claims, areas=areas)
    n8(claims, top=top)
    n9(claims, ablation=ablation)
    n10(claims, runs=runs)
    return claims

