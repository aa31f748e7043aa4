"""Chapter 04: the experiments on small settings, the claim logic on hand-made tables (each rule can pass and can
fail), and the parameter checks."""

import pandas as pd
import pytest

from paperbook.chapters import ch04
from paperbook.chapters.ch04 import experiments as ex
from paperbook.chapters.ch04.claims import chapter_claims
from paperbook.compose import cpg
from paperbook.core.claims import NOT_REPRODUCED, REPRODUCED
from paperbook.core.params import validate

DEFAULTS = {"profile": "fast", "seed": 0, "device": "cpu", "cpg_sets": ["addjump14", "length14", "aroundright14"],
            "cpg_seeds": [0], "cpg_K": 8, "cpg_lr": 0.05, "cpg_window": 30, "cpg_max_iters": 20000,
            "curve_ks": [5, 14],
            "cpg_standard_splits": ["addprim_jump"], "gru_splits": ["addprim_jump", "length"], "gru_steps": 3,
            "gru_dim": 8,
            "gru_batch": 8, "gru_lr": 0.005, "gru_dropout": 0.1, "eval_n_train": 20, "eval_n_test": 20,
            "cogs_per_type": 1, "cogs_n_test": 20, "cogs_max_depth": 4}


def test_check_accepts_consistent_parameters():
    assert ch04.check(validate(DEFAULTS, ch04.PARAMS)) == []


@pytest.mark.parametrize("change, words", [
    ({"cpg_sets": ["addjump14", "length14"]}, "'cpg_sets' must list each entry once and include"),
    ({"cpg_sets": ["addjump14", "length14", "aroundright14", "length14"]}, "'cpg_sets' must list each entry once"),
    ({"gru_splits": ["addprim_jump"]}, "'gru_splits' must list each entry once and include"),
    ({"cpg_seeds": [0, 0]}, "'cpg_seeds' lists a value twice"),
    ({"curve_ks": [5, 8]}, "'curve_ks' must include 14"),
    ({"cpg_K": 7}, "'cpg_K' = 7 slots cannot express"),
    ({"cpg_standard_splits": ["length"]}, "'cpg_standard_splits' must list each entry once and include"),
])
def test_check_reports_cross_parameter_problems(change, words):
    problems = ch04.check(validate({**DEFAULTS, **change}, ch04.PARAMS))
    assert len(problems) == 1 and words in problems[0], problems


def test_program_accuracy_of_the_gold_program_and_of_a_program_missing_a_rule():
    commands = ["walk around left twice", "jump after run", "look"]
    assert ex.program_accuracy(cpg.GOLD, commands) == 1.0
    partial = {k: v for k, v in cpg.GOLD.items() if k != "c: s AFTER s"}
    assert ex.program_accuracy(partial, commands) == pytest.approx(2 / 3)


def test_seven_slots_cannot_express_around_and_eight_can_once():
    assert ex.slots_needed(7)["correct"] == 0 and ex.slots_needed(8)["correct"] == 1


def test_templates_compare_canonical_forms():
    model = cpg.CPG()
    model.frozen.update(cpg.GOLD)
    assert ex.templates(model)["equal"].all()
    model.frozen["c: s AND s"] = (3, 1)
    table = ex.templates(model).set_index("rule")
    assert not table.loc["c: s AND s", "equal"] and table["equal"].sum() == len(cpg.GOLD) - 1


def test_the_gru_experiment_runs_and_reports_lengths():
    gru, by_length = ex.train_gru(["length"], steps=2, dim=8, batch=4, lr=1e-3, dropout=0.0, n_train_eval=10,
                                  n_test_eval=10, seed=0, device="cpu")
    assert list(gru["split"]) == ["length"] and gru["test evaluated"].iloc[0] == 10
    assert by_length["commands"].sum() == 10 and (by_length["output length"] >= 24).all()


def _tables(cpg_acc=1.0, gru_jump=0.0, gru_train=0.7, cogs_acc=1.0, unchanged=True, equal=10, k7=0,
            standard=1.0):
    splits = ("addprim_jump", "length", "around_right", "simple", "all 20,910")
    runs = pd.DataFrame([{"training set": s, "seed": 0, **{k: cpg_acc for k in splits}}
                         for s in ("addjump14", "length14", "aroundright14")])
    templates = {("addjump14", 0): pd.DataFrame({"equal": [True] * equal + [False] * (10 - equal)})}
    gru = pd.DataFrame([{"split": s, "training lines": n, "steps": 600, "train-sample accuracy": gru_train,
                         "test accuracy": a, "test evaluated": 500}
                        for s, n, a in (("addprim_jump", 14670, gru_jump), ("length", 16990, 0.05))])
    cogs_table = pd.DataFrame({"category": ["in_distribution", "pp_recursion"], "CPG exact match": [1.0, cogs_acc]})
    return dict(cpg=runs, standard=pd.DataFrame({"split": ["addprim_jump"], "test accuracy": [standard]}),
                templates=templates, incremental={"frozen first": 4, "frozen after": 10,
                "unchanged": unchanged, "all 20,910": cpg_acc}, gru=gru, cogs_style=cogs_table, n_cogs_train=26,
                slots={"K": 7, "templates": 16384, "correct": k7})


def test_claims_reproduce_on_the_expected_tables():
    table = chapter_claims(**_tables())
    assert all(table.verdict(f"G{i}") == REPRODUCED for i in range(1, 12))


@pytest.mark.parametrize("change, failing", [
    ({"cpg_acc": 0.999}, {"G1", "G2", "G3", "G5"}),
    ({"gru_jump": 0.2}, {"G6", "G8"}),
    ({"gru_jump": 1.0}, {"G6", "G8", "G9"}),
    ({"gru_train": 0.3}, {"G7"}),
    ({"cogs_acc": 0.99}, {"G10"}),
    ({"unchanged": False}, {"G5"}),
    ({"equal": 9}, {"G4"}),
    ({"k7": 1}, {"G11"}),
    ({"standard": 0.5}, {"G1"}),
])
def test_each_claim_can_fail(change, failing):
    table = chapter_claims(**_tables(**change))
    assert {f"G{i}" for i in range(1, 12) if table.verdict(f"G{i}") == NOT_REPRODUCED} == failing
