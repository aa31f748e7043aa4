"""Chapter 04's claims table (spec section 5): one function per row, keyword inputs, the paper's statement beside
ours and a rule with its origin.

The paper's per-split numbers, table and figure ids are unverified against the PDF: its side of each row is the
abstract's statement ("perfect generalization on both the SCAN and COGS benchmarks using just 14 examples for SCAN
and 22 examples for COGS"). CPG is scored on full test sets (exact values, no interval); the GRU on seeded samples
(intervals). A rule of perfection (>= 1.0) is decided by a single miss, so its values carry no interval (a
bootstrap would call a few misses inconclusive). The abstract's "1000x improvement in sample efficiency" is not a
row: the ratio of training-set sizes is a constant of the data, not a measurement at equal accuracy.
"""

from __future__ import annotations

import pandas as pd

from ...compose.cogs import TRAIN_DEPTH
from ...compose.cpg import GOLD
from ...core.claims import (
    CHECK,
    CLAIM_HARD,
    CLAIM_REPORTED,
    CONTROL,
    POST_HOC,
    SPEC,
    THEORY,
    Claims,
    Sample,
    at_least,
    at_most,
    below,
    each,
)

PERFECT = "1.0 (abstract: perfect generalization)"
CURATED = "recovers the program consistent with a curated set of 14: "
BY_CONSTRUCTION = ("holds by construction given the lexicon: each rule type appears alone in exactly one of the 14 "
                   "curated commands and every template consistent with it is the gold one (control G12)")
GRU_TRAIN_FLOOR, GRU_SIMPLE_FLOOR = 0.60, 0.95  # spec section 5, G7: fast (training samples), full (simple test)


def _worst(cpg: pd.DataFrame, training_set: str, split: str) -> float:
    """The lowest exact match over seeds of CPG trained on a set, on a split's full test set."""
    return float(cpg.loc[cpg["training set"] == training_set, split].min())


def _seeds(cpg: pd.DataFrame) -> str:
    return f"{cpg['seed'].nunique()} seed(s), worst shown"


def _hits(accuracy: float, n: int) -> list[float]:
    """The per-item 0/1 values of an exact-match accuracy measured on n items."""
    right = round(accuracy * n)
    return [1.0] * right + [0.0] * (n - right)


def g1(claims: Claims, *, cpg: pd.DataFrame, standard: pd.DataFrame) -> None:
    value = _worst(cpg, "addjump14", "addprim_jump")
    claims.quote("cpg_addjump", value)
    row = standard[standard["split"] == "addprim_jump"]
    ours = {"14 examples": value, "standard": None if row.empty else float(row["test accuracy"].iloc[0])}
    claims.add("G1", CURATED + "perfect add-jump generalisation (also from the whole training set)", PERFECT, ours,
               each({k: at_least(1.0) for k in ours}), kind=CLAIM_HARD, source="abstract", origin=SPEC,
               note=f"{BY_CONSTRUCTION}; official add-jump test, every command; addjump14 ({_seeds(cpg)}) and the "
               "whole training set (standard)")


def g2(claims: Claims, *, cpg: pd.DataFrame) -> None:
    claims.add("G2", CURATED + "perfect length (productive) generalisation", PERFECT,
               _worst(cpg, "length14", "length"), at_least(1.0), kind=CLAIM_HARD, source="abstract", origin=SPEC,
               note=f"{BY_CONSTRUCTION}; length14 on the whole length test; {_seeds(cpg)}")


def g3(claims: Claims, *, cpg: pd.DataFrame) -> None:
    ours = {"around_right": _worst(cpg, "aroundright14", "around_right"),
            "all 20,910": _worst(cpg, "aroundright14", "all 20,910")}
    claims.add("G3", CURATED + "perfect generalisation to 'around right', absent from training", PERFECT, ours,
               each({k: at_least(1.0) for k in ours}), kind=CLAIM_HARD, source="abstract", origin=SPEC,
               note=f"{BY_CONSTRUCTION}; aroundright14 (the book's variant of addjump14); {_seeds(cpg)}")


def g4(claims: Claims, *, templates: dict[str, pd.DataFrame]) -> None:
    worst = min(int(t["equal"].sum()) for t in templates.values())
    claims.add("G4", CURATED + "each grammar rule gets its own program, the gold one", "one module per rule", worst,
               at_least(len(GOLD)), kind=CLAIM_HARD, source="abstract", origin=SPEC,
               note=f"{BY_CONSTRUCTION}; rules whose learned template equals the gold one (canonical form), worst "
               f"of {len(templates)} fitted models")


def g5(claims: Claims, *, incremental: dict) -> None:
    claims.add("G5", CURATED + "new rules are learned incrementally without forgetting", "without forgetting",
               {"all 20,910": incremental["all 20,910"]}, each({"all 20,910": at_least(1.0)}), kind=CLAIM_HARD,
               source="abstract", origin=SPEC,
               note=f"{BY_CONSTRUCTION}; {incremental['frozen first']} rules frozen on the 1-2 word commands of "
               f"addjump14, then {incremental['frozen after']} after the whole set; exact match of the final "
               "program on every command (that no frozen template changed is check G5c)")


def g5c(claims: Claims, *, incremental: dict) -> None:
    claims.add("G5c", "the training loop never rewrites a frozen template", "n/a (ours)", incremental["changed"],
               at_most(0), kind=CHECK, source="spec", origin=SPEC,
               note=f"templates frozen in the first phase of G5 ({incremental['frozen first']} rules) that differ "
               "after the second; freezing makes them equal, so a change is a bug of the training loop")


def _gru(gru: pd.DataFrame, split: str) -> pd.Series | None:
    row = gru[gru["split"] == split]
    return None if row.empty else row.iloc[0]


def _gru_test(gru: pd.DataFrame, split: str) -> Sample | None:
    """The GRU's per-command test exact match on its test sample."""
    row = _gru(gru, split)
    return None if row is None else Sample(_hits(row["test accuracy"], int(row["test evaluated"])))


def _gru_note(gru: pd.DataFrame) -> str:
    return (f"GRU encoder-decoder without attention, {int(gru['steps'].iloc[0])} steps; intervals over test samples "
            f"of {int(gru['test evaluated'].min())}+ commands")


def g6(claims: Claims, *, gru: pd.DataFrame) -> None:
    limits = {"addprim_jump": 0.05, "length": 0.20, "around_right": 0.05}  # spec section 5
    ours = {k: v for k in limits if (v := _gru_test(gru, k)) is not None}
    claims.quote("gru_addjump", float(_gru(gru, "addprim_jump")["test accuracy"]))
    claims.add("G6", "a standard seq2seq model fails these splits", "fails (Lake and Baroni 2018)", ours,
               each({k: at_most(limits[k]) for k in ours}), kind=CLAIM_HARD, source="text", origin=SPEC,
               note=_gru_note(gru))


def g7(claims: Claims, *, gru: pd.DataFrame) -> None:
    ours = {f"{r['split']} train": Sample(_hits(r["train-sample accuracy"], int(r["train evaluated"])))
            for _, r in gru.iterrows()}
    rules = {k: at_least(GRU_TRAIN_FLOOR) for k in ours}
    if (simple := _gru_test(gru, "simple")) is not None:
        ours["simple test"], rules["simple test"] = simple, at_least(GRU_SIMPLE_FLOOR)
    claims.quote("gru_train", float(gru["train-sample accuracy"].min()))
    claims.add("G7", "the baseline fits its training distribution", "n/a (protocol)", ours, each(rules),
               kind=CONTROL, source="spec", origin=SPEC, guards=["G6", "G8"],
               note="exact match on seeded samples of each split's training lines (and the simple split's test, "
               "where it runs); the spec's thresholds, set before any run (the spec calls the fast floor "
               "provisional: to be re-set once, about 0.1 under the first measured value, then frozen); when it "
               "fails, the baseline is not fitted and G6, G8 say nothing")


def g8(claims: Claims, *, cpg: pd.DataFrame, gru: pd.DataFrame) -> None:
    cpg_value = _worst(cpg, "addjump14", "addprim_jump")
    gaps = Sample([cpg_value - x for x in _gru_test(gru, "addprim_jump").values])
    claims.add("G8", "CPG far above the baseline on add-jump", "100% vs a failing seq2seq", gaps, at_least(0.9),
               kind=CLAIM_HARD, source="abstract", origin=SPEC,
               note="CPG (14 examples, full test set: exact) minus the GRU (whole training set) per command of the "
               "GRU's test sample: the interval is the GRU's sampling noise")


def g10(claims: Claims, *, cogs_style: pd.DataFrame, n_train: int, n_roles: int) -> None:
    ours = dict(zip(cogs_style["category"], cogs_style["CPG exact match"].astype(float)))
    claims.quote("cogs_roles", n_roles)
    claims.quote("cogs_train_depth", TRAIN_DEPTH)
    claims.add("G10", "COGS-STYLE, not COGS: perfect structural generalisation from a few examples",
               "1.0 on COGS from 22 examples (COGS gen: not checkable offline)", ours,
               each({k: at_least(1.0) for k in ours}), kind=CLAIM_REPORTED, source="abstract", origin=SPEC,
               note=f"COGS-STYLE, the book's own language, not COGS; {n_train} training sentences. The interpreter "
               f"supplies the structure (parse, LF skeletons, determiners, prepositions): only {n_roles} role "
               "tuples (one per verb frame type) are learned; structural categories only")


def g11(claims: Claims, *, slots: dict) -> None:
    claims.add("G11", "K >= 8 slots are needed", "K = 8 (copy_template_len)", slots["correct"], at_most(0),
               kind=CHECK, source="code", origin=THEORY,
               note=f"7-slot templates of 'v: u AROUND DIRECTION' that interpret 'walk around left': all "
               f"{slots['templates']} tried; seven slots of one-action children give at most seven actions, the "
               "command has eight")


def g12(claims: Claims, *, enumeration: pd.DataFrame) -> None:
    reads = {"addjump14": "addprim_jump", "length14": "length", "aroundright14": "around_right"}  # as G1-G3
    by_set = enumeration.set_index("training set")
    ours = {f"{name} on {split}": float(by_set.loc[name, split]) for name, split in reads.items()}
    for name in ("addjump14", "aroundright14"):  # G5 and G3
        ours[f"{name} on all 20,910"] = float(by_set.loc[name, "all 20,910"])
    claims.quote("nograd_worst", min(ours.values()))
    claims.quote("nograd_best", max(ours.values()))
    claims.add("G12", "negative control: a learner with no gradient stays below the claims' level",
               "n/a (ours)", ours, each({k: below(1.0) for k in ours}), kind=CONTROL, source="ours",
               origin=POST_HOC, guards=["G1", "G2", "G3", "G4", "G5"],
               note="added after the runs (developers' guide; issue 28): the first template (product order) "
               "consistent with the commands, rule by rule, scored on G1-G5's splits. With the lexicon given and "
               "the curated 14, the program is determined without learning (each rule type appears alone in one "
               "curated command whose consistent templates all equal the gold one); where this learner reaches "
               "1.0, G1-G5 cannot show that CPG learns. Once CPG learns the word meanings (issue 28), the control "
               "can hold")


def chapter_claims(*, cpg: pd.DataFrame, standard: pd.DataFrame, templates: dict, incremental: dict, gru: pd.DataFrame,
                   cogs_style: pd.DataFrame, n_cogs_train: int, n_cogs_roles: int, slots: dict,
                   enumeration: pd.DataFrame, n_commands: int, seed: int) -> Claims:
    """Every row of the chapter, in the order of the claims table (`seed` seeds the intervals); each verdict, and
    SCAN's number of commands, is quoted for the prose."""
    claims = Claims(seed=seed)
    claims.quote("scan_commands", n_commands)
    g1(claims, cpg=cpg, standard=standard)
    g2(claims, cpg=cpg)
    g3(claims, cpg=cpg)
    g4(claims, templates=templates)
    g5(claims, incremental=incremental)
    g5c(claims, incremental=incremental)
    g6(claims, gru=gru)
    g7(claims, gru=gru)
    g8(claims, cpg=cpg, gru=gru)
    g10(claims, cogs_style=cogs_style, n_train=n_cogs_train, n_roles=n_cogs_roles)
    g11(claims, slots=slots)
    g12(claims, enumeration=enumeration)
    return claims
