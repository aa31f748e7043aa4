"""Chapter 04's claims table (spec section 5): one function per claim, keyword inputs, the paper's statement
beside ours and a rule.

The paper's per-split numbers, table and figure ids are unverified against the PDF: its side of each row is the
abstract's statement ("perfect generalization on both the SCAN and COGS benchmarks using just 14 examples for SCAN
and 22 examples for COGS", "1000x improvement in sample efficiency").
"""

from __future__ import annotations

import pandas as pd

from ...compose.cpg import FEWSHOT, GOLD
from ...core.claims import HARD, REPORTED, Claims, at_least, at_most, each, is_true

PERFECT = "1.0 (abstract: perfect generalization)"


def _worst(cpg: pd.DataFrame, training_set: str, split: str) -> float:
    """The lowest exact match over seeds of CPG trained on a set, on a split's full test set."""
    return float(cpg.loc[cpg["training set"] == training_set, split].min())


def _seeds(cpg: pd.DataFrame) -> str:
    return f"{cpg['seed'].nunique()} seed(s), worst shown"


def g1(claims: Claims, *, cpg: pd.DataFrame, standard: pd.DataFrame) -> None:
    value = _worst(cpg, "addjump14", "addprim_jump")
    claims.quote("cpg_addjump", value)
    row = standard[standard["split"] == "addprim_jump"]
    ours = {"14 examples": value, "standard": None if row.empty else float(row["test accuracy"].iloc[0])}
    claims.add("G1", "perfect generalisation on SCAN add-jump, standard and few-shot", PERFECT, ours,
               each({k: at_least(1.0) for k in ours}), source="abstract", kind=HARD,
               note=f"official add-jump test (7,706); addjump14 ({_seeds(cpg)}) and the whole training set "
               "(13,204 distinct commands)")


def g2(claims: Claims, *, cpg: pd.DataFrame) -> None:
    claims.add("G2", "perfect length (productive) generalisation", PERFECT, _worst(cpg, "length14", "length"),
               at_least(1.0), source="abstract", kind=HARD,
               note=f"length14; length test (3,920, outputs of 24-48 actions); {_seeds(cpg)}")


def g3(claims: Claims, *, cpg: pd.DataFrame) -> None:
    ours = {"around_right": _worst(cpg, "aroundright14", "around_right"),
            "all 20,910": _worst(cpg, "aroundright14", "all 20,910")}
    claims.add("G3", "systematic generalisation to new compositions (no 'around right' in training)", PERFECT,
               ours, each({k: at_least(1.0) for k in ours}), source="abstract", kind=HARD,
               note=f"aroundright14 (the book's variant of addjump14); {_seeds(cpg)}")


def g4(claims: Claims, *, templates: dict[str, pd.DataFrame]) -> None:
    worst = min(int(t["equal"].sum()) for t in templates.values())
    claims.add("G4", "each grammar rule gets its own program", "one module per rule", worst, at_least(len(GOLD)),
               source="abstract", kind=HARD,
               note=f"rules whose learned template equals the gold one (canonical form), worst of {len(templates)} "
               "fitted models")


def g5(claims: Claims, *, incremental: dict) -> None:
    ours = {"earlier templates unchanged": incremental["unchanged"], "all 20,910": incremental["all 20,910"]}
    claims.add("G5", "new rules are learned incrementally without forgetting", "without forgetting", ours,
               each({"earlier templates unchanged": is_true(), "all 20,910": at_least(1.0)}), source="abstract",
               kind=HARD, note=f"{incremental['frozen first']} rules frozen on the 1-2 word commands of addjump14, "
               f"then {incremental['frozen after']} after the whole set")


def _gru(gru: pd.DataFrame, split: str, column: str = "test accuracy") -> float | None:
    row = gru[gru["split"] == split]
    return None if row.empty else float(row[column].iloc[0])


def g6(claims: Claims, *, gru: pd.DataFrame) -> None:
    limits = {"addprim_jump": 0.05, "length": 0.20, "around_right": 0.05}
    ours = {k: v for k in limits if (v := _gru(gru, k)) is not None}
    claims.quote("gru_addjump", ours["addprim_jump"])
    claims.add("G6", "a standard seq2seq model fails these splits", "fails (Lake and Baroni 2018)", ours,
               each({k: at_most(limits[k]) for k in ours}), source="text", kind=HARD,
               note=f"GRU encoder-decoder, {int(gru['steps'].iloc[0])} steps; test samples of "
               f"{int(gru['test evaluated'].min())}+ commands")


def g7(claims: Claims, *, gru: pd.DataFrame) -> None:
    value = float(gru["train-sample accuracy"].min())
    claims.quote("gru_train", value)
    claims.add("G7", "(control) the baseline fits its training distribution", "fits in distribution", value,
               at_least(0.5), source="ours", kind=HARD,
               note="lowest exact match on training samples over the splits; threshold ours, 0.14 under the first "
               "measured fast-profile value (0.64)")


def g8(claims: Claims, *, cpg: pd.DataFrame, gru: pd.DataFrame) -> None:
    gap = _worst(cpg, "addjump14", "addprim_jump") - _gru(gru, "addprim_jump")
    claims.add("G8", "CPG far above the baseline on add-jump", "100% vs a failing seq2seq", gap, at_least(0.9),
               source="abstract", kind=HARD, note="CPG (14 examples) minus GRU (14,670 training lines)")


def g9(claims: Claims, *, cpg: pd.DataFrame, gru: pd.DataFrame) -> None:
    lines = int(gru.loc[gru["split"] == "addprim_jump", "training lines"].iloc[0])
    ratio = lines / len(FEWSHOT["addjump14"])
    below = _gru(gru, "addprim_jump") < _worst(cpg, "addjump14", "addprim_jump")
    claims.quote("data_ratio", ratio)
    claims.add("G9", "about 1000x better sample efficiency", "1000x (abstract)",
               {"baseline lines / CPG's": ratio, "baseline still below CPG": below},
               each({"baseline lines / CPG's": at_least(1000), "baseline still below CPG": is_true()}),
               source="abstract", kind=REPORTED,
               note="the baseline is given ~1000x CPG's examples and stays below it: the ratio at equal accuracy is "
               "larger still, but not measured")


def g10(claims: Claims, *, cogs_style: pd.DataFrame, n_train: int) -> None:
    ours = dict(zip(cogs_style["category"], cogs_style["CPG exact match"].astype(float)))
    claims.add("G10", "COGS-STYLE, not COGS: perfect structural generalisation from a few examples",
               "1.0 on COGS from 22 examples (COGS gen: not checkable offline)", ours,
               each({k: at_least(1.0) for k in ours}),
               source="abstract", kind=REPORTED,
               note=f"COGS-STYLE, the book's own language, not COGS: {n_train} training sentences; role programs "
               "learned, parse and LF skeletons given; structural categories only")


def g11(claims: Claims, *, slots: dict) -> None:
    claims.add("G11", "(negative control) K >= 8 slots are needed", "K = 8 (copy_template_len)", slots["correct"],
               at_most(0), source="code", kind=HARD,
               note=f"7-slot templates of 'v: u AROUND DIRECTION' that interpret 'walk around left': all "
               f"{slots['templates']} tried")


def chapter_claims(*, cpg: pd.DataFrame, standard: pd.DataFrame, templates: dict, incremental: dict, gru: pd.DataFrame,
                   cogs_style: pd.DataFrame, n_cogs_train: int, slots: dict) -> Claims:
    """Every claim of the chapter, in the order of the claims table."""
    claims = Claims()
    g1(claims, cpg=cpg, standard=standard)
    g2(claims, cpg=cpg)
    g3(claims, cpg=cpg)
    g4(claims, templates=templates)
    g5(claims, incremental=incremental)
    g6(claims, gru=gru)
    g7(claims, gru=gru)
    g8(claims, cpg=cpg, gru=gru)
    g9(claims, cpg=cpg, gru=gru)
    g10(claims, cogs_style=cogs_style, n_train=n_cogs_train)
    g11(claims, slots=slots)
    return claims
