"""Chapter 06's claims table (spec section 5): one function per claim, keyword inputs, the paper's statement beside
ours, and a rule.

Only the abstract's numbers are quoted on the paper's side: the per-data-set tables were not available offline
(the spec marks them unverified), so every paper claim is reported. AUC claims pass the per-seed values (paired
differences where two models are compared), so the table shows their spread over the model seeds; explanation
lengths pass the explained rows, deletion areas the permutation repeats. N4's CPU-time ratio is volatile (it
changes between runs). N6 and N10 check our own machinery.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...core.claims import (
    CHECK,
    CLAIM_REPORTED,
    PAPER,
    SPEC,
    THEORY,
    Claims,
    Sample,
    above,
    at_least,
    at_most,
    each,
    share_at_least,
    within,
)
from ...logic.data import RULE_FEATURES
from .experiments import ranked

TIGHT = ("breast_cancer", "synthetic_rules")  # N2: |NRN - tree| <= 0.02 here, AUC >= 0.9 tree elsewhere
TREES = {"N2": "GBT", "N2b": "RF", "N2c": "HGB"}  # the spec's comparison (GBT) first, then the abstract's others


def per_seed(results: pd.DataFrame) -> pd.DataFrame:
    """(data, seed) x models: test AUC of each fit (seedless baselines repeat their one fit)."""
    return results.pivot(index=["data", "seed"], columns="model", values="auc")


def _paired(results: pd.DataFrame, model: str, other: str) -> dict[str, Sample]:
    """Per data set: AUC(model) - AUC(other), one difference per model seed."""
    auc = per_seed(results)
    return {d: Sample(list(g[model] - g[other])) for d, g in auc.groupby(level="data", sort=False)}


def n1(claims: Claims, *, results: pd.DataFrame) -> None:
    gap = _paired(results, "R-NRN", "MLP")
    mean = per_seed(results).groupby(level="data").mean()
    claims.quote("phoneme_vs_mlp", float(mean.loc["phoneme", "R-NRN"] - mean.loc["phoneme", "MLP"]))
    claims.quote("phoneme_vs_best_tree", float(mean.loc["phoneme", ["GBT", "HGB", "RF"]].max()
                                               - mean.loc["phoneme", "R-NRN"]))
    claims.add("N1", "ROC AUC improves over an MLP: AUC(R-NRN) - AUC(MLP), per data set, paired over seeds",
               "better than MLP over 22 data sets (abstract)", gap, each({d: at_least(0.0) for d in gap}),
               kind=CLAIM_REPORTED, source="abstract", origin=SPEC,
               note="one fixed setting against the paper's 400 tuned trials per model and data set")


def tree_similarity(results: pd.DataFrame, tree: str) -> tuple[dict[str, Sample], dict]:
    """The spec's N2 metric against one tree ensemble, per data set and seed: the difference R-NRN - tree on the
    TIGHT data sets, the ratio R-NRN / tree elsewhere; and each value's rule."""
    auc, ours, rules = per_seed(results), {}, {}
    for d, g in auc.groupby(level="data", sort=False):
        tight = d in TIGHT
        key = f"{d} R-NRN {'-' if tight else '/'} {tree}"
        ours[key] = Sample(list(g["R-NRN"] - g[tree] if tight else g["R-NRN"] / g[tree]))
        rules[key] = within(-0.02, 0.02) if tight else at_least(0.9)
    return ours, rules


def n2(claims: Claims, *, results: pd.DataFrame) -> None:
    """N2 against GBT (the spec's claim of record), N2b against RF, N2c against HGB (for XGBoost)."""
    seeds = results["seed"].nunique()
    for cid, tree in TREES.items():
        ours, rules = tree_similarity(results, tree)
        claims.add(cid, f"statistically similar to the trees (RF, XGB, GBT): R-NRN against {tree}, paired over "
                        "seeds", "statistically similar (abstract; Mann-Whitney over 22 data-set means)", ours,
                   each(rules), kind=CLAIM_REPORTED, source="abstract", origin=SPEC,
                   note=f"the spec's thresholds: with {seeds} seeds a per-data-set Mann-Whitney test cannot "
                        "reach p < 0.05 unless the runs separate completely"
                        + ("" if tree == "GBT" else f"; the spec compares GBT only, the same rule is applied to "
                                                    f"{tree} because the abstract names RF and XGBoost too"))


def size_ratios(results: pd.DataFrame, runs: pd.DataFrame, model: str, column: str) -> dict[str, Sample]:
    """Per data set: the baseline's size over the R-NRN's `column` (size or size_with_bandit), one ratio per
    seed."""
    base = results[results.model == model].set_index(["data", "seed"])["size"]
    nrn = runs[runs.model == "R-NRN"].set_index(["data", "seed"])[column]
    ratio = (base / nrn).dropna()
    return {d: Sample(list(r)) for d, r in ratio.groupby(level="data", sort=False)}


def _smallest(ratios: dict[str, Sample]) -> float:
    """The smallest per-data-set mean ratio."""
    return float(min(np.mean(s.values) for s in ratios.values()))


def n3(claims: Claims, *, results: pd.DataFrame, runs: pd.DataFrame) -> None:
    """N3 on the paper's parameter count (weights + 2 per predicate, the row of record); N3b on the weights."""
    paper = size_ratios(results, runs, "RF", "size_with_bandit")
    weights = size_ratios(results, runs, "RF", "size")
    low = {m: _smallest(size_ratios(results, runs, m, "size_with_bandit")) for m in ("GBT", "MLP")}
    claims.quote("rf_ratio_min", _smallest(paper))
    claims.quote("rf_ratio_weights_min", _smallest(weights))
    claims.quote("gbt_ratio_min", low["GBT"])
    claims.add("N3", "more than two orders of magnitude fewer parameters: RF nodes / R-NRN parameters (the "
               "paper's count: weights + 2 per predicate)", "> 100x fewer on average (abstract)", paper,
               each({d: at_least(100.0) for d in paper}), kind=CLAIM_REPORTED, source="abstract", origin=SPEC,
               note=f"smallest ratios on the same count: GBT nodes {low['GBT']:.0f}x, MLP weights "
                    f"{low['MLP']:.0f}x")
    claims.add("N3b", "the same, counting the R-NRN's weights only: RF nodes / R-NRN weights",
               "> 100x fewer on average (abstract)", weights, each({d: at_least(100.0) for d in weights}),
               kind=CLAIM_REPORTED, source="abstract", origin=SPEC,
               note="the bandit's two numbers per predicate are not trained by gradient descent")


def time_ratio(table: pd.DataFrame) -> float:
    """R-NRN fit CPU-s over the mean of GBT's and RF's, median over data sets (table: one row per data set and
    model, or per fit; fits are averaged over seeds)."""
    cpu = table.pivot_table(index="data", columns="model", values="cpu_s", aggfunc="mean")
    return float((cpu["R-NRN"] / cpu[["GBT", "RF"]].mean(axis=1)).median())


def n4(claims: Claims, *, results: pd.DataFrame) -> None:
    claims.add("N4", "43% faster training: R-NRN fit CPU-s / the mean of GBT's and RF's (median over data sets)",
               "43% faster (abstract), a ratio of 0.57", time_ratio(results), at_most(0.57), kind=CLAIM_REPORTED,
               source="abstract", origin=PAPER,
               volatile=True,
               note="not comparable: the paper times Optuna trials of tuned models; ours are single CPU fits. The "
                    "ratio itself varies with the machine and between runs: see the timing cell")


def n5(claims: Claims, *, per_row: pd.DataFrame) -> None:
    """Mean |S| <= 6 and <= the depth-5 tree's mean path, the latter as paired per-row differences."""
    ours, rules = {}, {}
    for d, g in per_row.groupby("data", sort=False):
        ours[d], rules[d] = Sample(list(g["length"])), at_most(6.0)
        paired = f"{d} - tree path"
        ours[paired], rules[paired] = Sample(list(g["length"] - g["tree path"])), at_most(0.0)
    claims.add("N5", "shorter explanations: conditions per explanation, and its difference to a depth-5 tree's "
               "path on the same rows", "shorter than the baselines' (abstract)", ours, each(rules),
               kind=CLAIM_REPORTED, source="abstract", origin=SPEC, note="mean over the explained test rows")


def n6(claims: Claims, *, per_row: pd.DataFrame) -> None:
    a_fail = int((per_row["A agreement"] < 1.0).sum())
    b_fail = int(per_row["B violations"].sum())
    claims.add("N6", "our explanations are sufficient, as certified: violations of invariants A and B",
               "textual explanations (not stated as sufficient)", {"A": a_fail, "B": b_fail},
               each({"A": at_most(0), "B": at_most(0)}), kind=CHECK, source="book", origin=THEORY,
               note=f"{len(per_row)} explained test rows; A: rows where a random input satisfying the explanation "
                    "got another decision; B: test rows doing so. Zero by the interval certificate")


def deletion_gaps(repeat_areas: pd.DataFrame) -> dict[str, Sample]:
    """Per data set: area(R-NRN) - area(RF impurity), one difference per deletion repeat (repeat r of each; the
    two models' permutations are drawn independently)."""
    a = repeat_areas.pivot(index=["data", "repeat"], columns="importance", values="area")
    gap = a["R-NRN"] - a["RF impurity"]
    return {d: Sample(list(g)) for d, g in gap.groupby(level="data", sort=False)}


def n7(claims: Claims, *, repeat_areas: pd.DataFrame) -> None:
    gap = deletion_gaps(repeat_areas)
    claims.add("N7", "more accurate feature importances: deletion area(R-NRN) - area(RF impurity), over the "
               "deletion repeats", "more accurate than RF, RF+SHAP and NAM (abstract; incremental deletion)", gap,
               share_at_least(2 / 3, at_most(0.0)), kind=CLAIM_REPORTED, source="abstract", origin=SPEC,
               note="area under the relative deletion curve, lower = steeper; each model permuted in its own order. "
                    "The interval covers the permutation repeats only: one model seed, one split")


def rule_share_gap(importance: np.ndarray) -> float:
    """Share of the total importance: the rule's weakest feature minus the strongest feature outside the rule
    (> 0 exactly when the rule's features are the top ones, all of positive importance)."""
    share = importance / importance.sum() if importance.sum() > 0 else np.zeros_like(importance)
    inside = np.isin(np.arange(len(share)), RULE_FEATURES)
    return float(share[inside].min() - share[~inside].max())


def n8(claims: Claims, *, importance: np.ndarray) -> None:
    top = ", ".join(f"x{j}" for j in ranked(importance, len(RULE_FEATURES))) or "none"
    claims.quote("top_features", top)
    claims.add("N8", "importances find the true rule: importance share of the rule's weakest feature minus the "
               "strongest other feature's, synthetic_rules", "x0, x1, x2 on top (the generating rule; book's test)",
               rule_share_gap(importance), above(0.0), kind=CLAIM_REPORTED, source="book", origin=SPEC,
               note=f"the spec's rule (top 3 = x0, x1, x2) with its margin; first model seed, top 3: {top}")


def n9(claims: Claims, *, ablation: pd.DataFrame) -> None:
    ours = {d: Sample(list(g["difference"])) for d, g in ablation.groupby("data", sort=False)}
    gain = ablation.groupby("data")["difference"].mean()
    claims.quote("bandit_gain_synthetic", float(gain["synthetic_rules"]))
    claims.quote("bandit_gain_phoneme", float(gain["phoneme"]))
    rules = {d: (above(0.0) if d == "phoneme" else at_least(-0.01)) for d in ours}
    claims.add("N9", "bandit structure learning helps: AUC(bandit) - AUC(static), over seeds",
               "R-NRN's rewiring (method; no ablation in the abstract)", ours, each(rules), kind=CLAIM_REPORTED,
               source="method", origin=SPEC, note="thresholds ours (spec)")


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
    per_class = ", ".join(f"{v:g}" for v in (runs["size"] / runs["channels"]).unique())
    claims.quote("weights_per_class", per_class)
    claims.add("N10", "weights: every fitted NRN has the width x fan-in count of its own shape",
               "sum of width x fan-in per class (official code's count)", mismatches, at_most(0), kind=CHECK,
               source="code", origin=THEORY, note=f"mismatching fits of {len(runs)}; per class here: {per_class}")



def chapter_claims(*, results: pd.DataFrame, runs: pd.DataFrame, ablation: pd.DataFrame, per_row: pd.DataFrame,
                   repeat_areas: pd.DataFrame, importance: np.ndarray, seed: int) -> Claims:
    """Every claim of the chapter, in the order of the claims table; `repeat_areas` holds the first-seed deletion
    areas per repeat (experiments.repeat_areas_table); `importance` is the first-seed R-NRN's on synthetic_rules;
    `seed` seeds the bootstrap intervals."""
    claims = Claims(seed=seed)
    n1(claims, results=results)
    n2(claims, results=results)
    n3(claims, results=results, runs=runs)
    n4(claims, results=results)
    n5(claims, per_row=per_row)
    n6(claims, per_row=per_row)
    n7(claims, repeat_areas=repeat_areas)
    n8(claims, importance=importance)
    n9(claims, ablation=ablation)
    n10(claims, runs=runs)
    return claims
