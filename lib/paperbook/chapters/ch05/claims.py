"""Chapter 05's claims table (spec section 5): one function per claim, keyword inputs, the paper's statement or the
released reference logs' value beside ours, and a rule.

The paper's own tables were not available offline: its side of each row is the v1 abstract's statement and,
where the spec transcribed them, the released logs of the companion repository (unverified as the paper's runs).
Accuracy claims are means over puzzles (each puzzle scored by the share of model seeds that answer it right):
they carry the per-puzzle values, paired where two encodings answer the same puzzles, and a gap between two
levels carries per-puzzle values centred within each level (`level_gap`); the alignment and movement statistics
are means over the model seeds, with an interval when there are several.
"""

from __future__ import annotations

import pandas as pd

from ...core.claims import (
    CLAIM_HARD,
    CLAIM_REPORTED,
    CONTROL,
    PAPER,
    POST_HOC,
    SPEC,
    Claims,
    Sample,
    above,
    at_least,
    each,
)
from .experiments import HUMAN, REFERENCE_LOGS

ORDER_SLACK = 0.02  # E5: a level may beat the easier one by this much and still count as ordered (spec)
FITTED = 0.7  # E5 reads the encodings with at least this test accuracy (spec)


def _ref(sigma: float | None, column: str) -> float:
    rows = REFERENCE_LOGS[REFERENCE_LOGS["sigma"].isna()] if sigma is None else \
        REFERENCE_LOGS[REFERENCE_LOGS["sigma"] == sigma]
    return float(rows[column].iloc[0])


def _small(acc: pd.DataFrame) -> list[str]:
    """The small-σ configurations the claims compare with σ = 1 (σ ≤ 0.2)."""
    return [c for c in acc["config"] if c.startswith("learn:") and float(c.split(":")[1]) <= 0.2]


def _paired(items: pd.DataFrame, a: str, b: str) -> Sample:
    """Per-puzzle differences of encoding a's and b's scores: a paired comparison on the same puzzles."""
    return Sample((items[a] - items[b]).tolist())


def _over_seeds(values: pd.Series) -> Sample | float:
    """A statistic per model seed: a Sample (mean and interval) with several seeds, the value with one."""
    return Sample(values.tolist()) if len(values) > 1 else float(values.iloc[0])


def _per_seed(seeds: pd.DataFrame, config: str, column: str) -> pd.Series:
    return seeds[seeds["config"] == config].set_index("seed")[column]


def e1(claims: Claims, *, seeds: pd.DataFrame, null: pd.Series) -> None:
    def rho(config, column):
        return _per_seed(seeds, config, column)
    ours = {"rho_rowcol(0.1)": _over_seeds(rho("learn:0.1", "rho_rowcol")),
            "rho_rowcol(0.1) - rho_rowcol(1.0)": _over_seeds(rho("learn:0.1", "rho_rowcol")
                                                             - rho("learn:1.0", "rho_rowcol")),
            "rho_manh(0.1) - rho_manh(1.0)": _over_seeds(rho("learn:0.1", "rho_manh") - rho("learn:1.0", "rho_manh"))}
    claims.quote("rho_rowcol_small", rho("learn:0.1", "rho_rowcol").mean())
    claims.quote("rho_rowcol_null", null["rho_rowcol"])
    claims.add("E1", "a small-norm initialisation uncovers the ground-truth positions", "stated (abstract, v1)",
               ours, each({"rho_rowcol(0.1)": at_least(0.5), "rho_rowcol(0.1) - rho_rowcol(1.0)": at_least(0.3),
                           "rho_manh(0.1) - rho_manh(1.0)": above(0.0)}),
               source="abstract", kind=CLAIM_HARD, origin=SPEC, note="RSA of the trained input table against the "
               f"grid (the book's statistic); untrained-table 99th pct: {null['rho_rowcol']:.2f}")


def e2(claims: Claims, *, items: dict[str, pd.DataFrame]) -> None:
    claims.add("E2", "the initialisation strongly affects generalisation: OOD acc(σ=1) - acc(σ=2)",
               f"{_ref(1.0, 'human-val') - _ref(2.0, 'human-val'):.3f} (ref. logs, human-val)",
               _paired(items["ood"], "learn:1.0", "learn:2.0"), at_least(0.05), source="abstract; ref. logs",
               kind=CLAIM_HARD, origin=SPEC, note="spec: provisional at the fast budget")


def e3(claims: Claims, *, acc: pd.DataFrame, items: dict[str, pd.DataFrame]) -> None:
    a, small = acc.set_index("config"), _small(acc)
    best = max(small, key=lambda c: a.loc[c, "ood acc"])
    for key, column in (("small_train", "train acc"), ("small_test", "test acc")):
        claims.quote(key, a.loc["learn:0.1", column])
    claims.quote("steps", int(a.loc["learn:0.1", "steps"]))
    claims.add("E3", "a small-norm initialisation generalises best: OOD acc(best σ ≤ 0.2) - acc(σ=1)",
               f"{max(_ref(0.1, 'human-val'), _ref(0.2, 'human-val')) - _ref(1.0, 'human-val'):.3f} "
               "(ref. logs, human-val)", _paired(items["ood"], best, "learn:1.0"), at_least(0.03),
               source="abstract; ref. logs", kind=CLAIM_REPORTED, origin=SPEC,
               note=f"best of {', '.join(small)} (by OOD acc): {best}; the reference trained 8,100 puzzles for "
                    "~253k steps")


def e4(claims: Claims, *, acc: pd.DataFrame, items: dict[str, pd.DataFrame]) -> None:
    a = acc.set_index("config")
    positional = [c for c in a.index if c == "sin2d" or (c.startswith("learn:") and float(c.split(":")[1]) <= 1)]
    best = max(positional, key=lambda c: a.loc[c, "test acc"])
    claims.quote("nope_test", a.loc["nope", "test acc"])
    claims.add("E4", "position information is needed: best test acc(learn σ ≤ 1, sin2d) - acc(NoPE)",
               "needed (the read-out cell must find the target's row and column)",
               _paired(items["test"], best, "nope"), at_least(0.30), source="text", kind=CLAIM_HARD, origin=SPEC,
               note=f"best (by test acc): {best}")


def fitted(claims: Claims, *, acc: pd.DataFrame) -> None:
    best = acc.loc[acc["test acc"].idxmax()]
    claims.add("C1", f"a model learned the task: best test acc (E5 reads the encodings >= {FITTED:g})",
               "n/a (protocol)", float(best["test acc"]), at_least(FITTED), source="spec", kind=CONTROL,
               origin=SPEC, guards=["E5"], note=f"best: {best['config']}; the point value, the rule E5 reads by")


def level_gap(scores: pd.Series, a: int, b: int) -> Sample:
    """Per-puzzle values whose mean is acc(level a) - acc(level b) (scores indexed by level): the gap plus each
    level's puzzles centred on their level's mean, scaled by n / n_level, so that the bootstrap of the mean
    approximates the two-sample interval of the gap."""
    r, level, n = scores.to_numpy(float), scores.index.to_numpy(), len(scores)
    ia, ib = level == a, level == b
    ma, mb = r[ia].mean(), r[ib].mean()
    return Sample((ma - mb + n / ia.sum() * ia * (r - ma) - n / ib.sum() * ib * (r - mb)).tolist())


def _level_gaps(scores: pd.Series) -> dict[str, Sample]:
    return {"acc1 - acc2": level_gap(scores, 1, 2), "acc2 - acc3": level_gap(scores, 2, 3)}


def e5(claims: Claims, *, acc: pd.DataFrame, items: dict[str, pd.DataFrame]) -> None:
    good = acc[acc["test acc"] >= FITTED]
    read = good["config"] if len(good) else [acc.loc[acc["test acc"].idxmax(), "config"]]
    ours = {f"{c} {k}": v for c in read for k, v in _level_gaps(items["test"][c]).items()}
    claims.add("E5", "human-consistent behaviour: accuracy falls with relational complexity",
               f"humans {HUMAN[1]:.3f} > {HUMAN[2]:.3f} > {HUMAN[3]:.3f}", ours,
               each({k: at_least(-ORDER_SLACK) for k in ours}), source="abstract; human data", kind=CLAIM_HARD,
               origin=SPEC, note=f"on test, every encoding with test acc >= {FITTED:g} (the best one when none is: "
                                 "then C1 fails)")


def e6(claims: Claims, *, acc: pd.DataFrame, items: dict[str, pd.DataFrame]) -> None:
    a = acc.set_index("config")
    learned = [c for c in a.index if c.startswith("learn:")]
    best = max(learned, key=lambda c: a.loc[c, "test acc"])
    others = [c for c in ("sin1d", "rope", "relative2d") if c in a.index]
    ours = {f"- {c}": _paired(items["test"], best, c) for c in others}
    claims.add("E6", "a learnable PE beats absolute, relative and rotary PEs: test acc(best learn) - acc(other)",
               "stated (abstract, v1)", ours, each({k: above(0.0) for k in ours}), source="abstract",
               kind=CLAIM_REPORTED, origin=SPEC,
               note=f"best learnable (by test acc): {best}; the full profile adds rope and relative2d")


def e7(claims: Claims, *, items: dict[str, pd.DataFrame], noise_std: float) -> None:
    ours = {p: _paired(items[f"{p} {noise_std:g}"], "learn:0.1", "learn:1.0") for p in ("fixed", "scaled")}
    claims.add("E7", f"a small-norm init generalises under noise: test acc(σ=0.1) - acc(σ=1) at noise {noise_std:g}",
               "stated (abstract, v1)", ours, each({k: above(0.0) for k in ours}), source="abstract",
               kind=CLAIM_REPORTED, origin=PAPER,
               note="> 0: the direction the abstract states (the spec sets no threshold); fixed std favours large "
                    "tables (higher signal to noise), scaled does not")


def e8(claims: Claims, *, seeds: pd.DataFrame) -> None:
    own = {s: _per_seed(seeds, f"learn:{s}", "movement") for s in ("0.1", "1.0")}
    common = {s: _per_seed(seeds, f"learn:{s}", "movement, σ=1 units") for s in ("0.1", "1.0")}
    ratio = common["0.1"] / common["1.0"]
    for key, values in (("moved_small_own", own["0.1"]), ("moved_large_own", own["1.0"]),
                        ("moved_small", common["0.1"]), ("moved_large", common["1.0"]), ("moved_ratio", ratio)):
        claims.quote(key, values.mean())
    ours = {"σ=0.1": _over_seeds(common["0.1"]), "σ=1": _over_seeds(common["1.0"]),
            "σ=0.1 / σ=1": _over_seeds(ratio)}
    claims.add("E8", "(mechanism) a small init moves farther in training than a large one: ||P_T - P_0|| in "
               "units of the σ=1 table's initial norm", "not stated (spec's prototype, on this scale: 0.12 / 0.11)",
               ours, each({"σ=0.1 / σ=1": above(1.0)}), source="book", kind=CLAIM_REPORTED, origin=POST_HOC,
               note="'moves farther' (the abstract's direction), set after the spec's >= 3 was seen to have no "
                    "basis here: the spec set it on ||P_T - P_0|| / ||P_0||, each table on its own scale, where "
                    "both start from the same Z (P_0 = σZ) and the ratio holds a factor 10 by construction; on "
                    "this common scale the spec's own prototype gives about 1.1")


def e9(claims: Claims, *, acc: pd.DataFrame, items: dict[str, pd.DataFrame]) -> None:
    best = acc.loc[acc["test acc"].idxmax()]
    levels = {lv: float(best[f"test acc{i}"]) for i, lv in ((1, "binary"), (2, "ternary"), (3, "quaternary"))}
    gaps = _level_gaps(items["test"][best["config"]])
    ours = {**levels, "binary - ternary": gaps["acc1 - acc2"], "ternary - quaternary": gaps["acc2 - acc3"]}
    claims.add("E9", "human-like by level: binary > ternary > quaternary, strictly, for the best encoding",
               f"humans {HUMAN[1]:.3f} / {HUMAN[2]:.3f} / {HUMAN[3]:.3f}", ours,
               each({"binary - ternary": above(0.0), "ternary - quaternary": above(0.0)}),
               source="abstract; human data", kind=CLAIM_REPORTED, origin=SPEC,
               note=f"best encoding on test: {best['encoding']}")


def chapter_claims(*, acc: pd.DataFrame, items: dict[str, pd.DataFrame], seeds: pd.DataFrame,
                   alignment: pd.DataFrame, noise_std: float, seed: int = 0) -> Claims:
    """Every claim of the chapter, in the order of the claims table; `seed` seeds the intervals. The prose
    states each verdict through the quote "<id>_verdict"."""
    claims = Claims(seed=seed)
    e1(claims, seeds=seeds, null=alignment.set_index("config").loc["null"])
    e2(claims, items=items)
    e3(claims, acc=acc, items=items)
    e4(claims, acc=acc, items=items)
    e5(claims, acc=acc, items=items)
    e6(claims, acc=acc, items=items)
    e7(claims, items=items, noise_std=noise_std)
    e8(claims, seeds=seeds)
    e9(claims, acc=acc, items=items)
    fitted(claims, acc=acc)
    return claims
