"""Chapter 06: the parameter checks, a tiny end-to-end run of the experiments (serial and in two processes, the
same numbers), the random search, and the claim logic on hand-made tables (each rule can pass and can fail)."""

import numpy as np
import pandas as pd
import pytest

from paperbook.chapters import ch06
from paperbook.chapters.ch06 import claims
from paperbook.chapters.ch06 import experiments as ex
from paperbook.core.claims import NOT_REPRODUCED, REPRODUCED
from paperbook.core.params import ParameterError, validate

DEFAULTS = {"profile": "fast", "seed": 0, "device": "cpu", "datasets": ["phoneme", "synthetic_rules"],
            "n_train_max": 300, "test_size": 0.25, "val_frac": 0.2, "seeds": [0], "layer_sizes": [4, 4],
            "normal_form": "cnf", "k_in": 3, "k_internal": 3, "k_out": 3, "weight_init": 0.2, "lr": 0.02,
            "weight_decay": 1e-3, "batch_size": 64, "epochs": 4, "patience": 3, "prune_quantile": 0.3,
            "prune_plateau": 1, "regrow_weight_max": 0.05, "ucb_scale": 1.5, "delta": 2.0, "search_trials": 0,
            "rf_trees": 10, "explain_rows": 5, "completions": 50, "deletion_repeats": 1, "workers": 1}


def test_check_accepts_consistent_parameters():
    assert ch06.check(validate(DEFAULTS, ch06.PARAMS)) == []


@pytest.mark.parametrize("change, words", [
    ({"datasets": ["phoneme", "synthetic_rules", "phoneme"]}, "'datasets' lists a value twice"),
    ({"seeds": [3, 3]}, "'seeds' lists a value twice"),
    ({"datasets": ["breast_cancer", "phoneme"]}, "'datasets' must include ['phoneme', 'synthetic_rules']"),
    ({"k_out": 5}, "'k_out' = 5 exceeds the last layer's width 4"),
    ({"layer_sizes": [2, 8], "k_internal": 3, "k_out": 3}, "'k_internal' = 3 exceeds the narrowest inner layer"),
])
def test_check_reports_cross_parameter_problems(change, words):
    problems = ch06.check(validate({**DEFAULTS, **change}, ch06.PARAMS))
    assert len(problems) == 1 and words in problems[0], problems


@pytest.mark.parametrize("change, name", [({"datasets": ["mnist"]}, "datasets"), ({"lr": 5.0}, "lr"),
                                          ({"prune_quantile": 1.0}, "prune_quantile"),
                                          ({"normal_form": "xnf"}, "normal_form")])
def test_bad_values_name_the_parameter(change, name):
    with pytest.raises(ParameterError, match=repr(name)):
        validate({**DEFAULTS, **change}, ch06.PARAMS)


@pytest.fixture(scope="module")
def tiny():
    p = validate(DEFAULTS, ch06.PARAMS)
    splits = ex.load_splits(p["datasets"], n_train_max=300, test_size=0.25, seed=0)
    nrn = {name: ch06.nrn_settings(p) for name in splits}
    serial = ex.fit_all(splits, [0, 1], nrn, workers=1, device="cpu", rf_trees=10, seed=0)
    return splits, nrn, serial


def test_the_benchmark_runs_and_workers_change_nothing(tiny):
    splits, nrn, serial = tiny
    parallel = ex.fit_all(splits, [0, 1], nrn, workers=2, device="cpu", rf_trees=10, seed=0)
    assert [f["auc"] for f in serial] == [f["auc"] for f in parallel]
    results = ex.results_table(serial)
    assert len(results) == 2 * len(ex.MODELS) * 2 and results["auc"].between(0, 1).all()
    table = ex.auc_table(results)
    view = ex.auc_view(table)
    assert list(view.columns) == list(ex.MODELS) and view.stack().str.contains(" ± ").all()
    seedless = results[results.model == "GBT"].groupby("data")["auc"].nunique()
    assert (seedless == 1).all()  # one fit serves every seed
    runs = ex.nrn_runs(serial)
    assert (runs["size"] == 4 * 3 + 4 * 3 + 3).all() and set(runs["model"]) == set(ex.NRN_MODELS)
    ablation = ex.bandit_ablation(results)
    assert np.allclose(ablation["difference"], ablation["R-NRN"] - ablation["NRN static"])


def test_explanations_importances_and_deletion_curves(tiny):
    splits, _, fits = tiny
    analyses = ex.analyse_all(fits, splits, workers=1, device="cpu", n_rows=5, n_completions=50, repeats=1, seed=0)
    per_row = ex.per_row_table(analyses)
    suff = ex.sufficiency_table(per_row)
    assert (suff["rows"] == 5).all() and (suff["min_A_agreement"] == 1.0).all() and (suff["B_violations"] == 0).all()
    samples = ex.sample_explanations(analyses, splits, fits)
    assert samples["in words"].str.startswith("predicted because").all()
    assert set(samples["predicted class"]) <= {"0", "1", "rule false", "rule true"}
    curves = ex.curves_table(analyses)
    assert set(curves["importance"]) == {"R-NRN", "RF impurity", "RF permutation"}
    start = curves[curves["removed"] == 0]
    better = start["auc"] > 0.5
    assert np.allclose(start["relative"][better], 1.0) and start["relative"][~better].isna().all()
    areas = ex.deletion_areas(curves)
    assert list(areas["data"]) == list(splits) and len(ex.top_features(analyses, "synthetic_rules")) == 3


def test_random_search_is_seeded_and_selects_on_validation(tiny):
    splits, nrn, _ = tiny
    configs = ex.draw_configs(5, seed=0)
    assert configs == ex.draw_configs(5, seed=0) and configs != ex.draw_configs(5, seed=1)
    for c in configs:
        assert 2 <= c["layer_sizes"][0] <= 30 and 1 <= len(c["layer_sizes"]) <= 3
        assert 1e-4 <= c["lr"] <= 0.15 and c["normal_form"] in ("cnf", "dnf")
    chosen, trials = ex.search({"phoneme": splits["phoneme"]}, nrn["phoneme"], 2, workers=1, device="cpu",
                               rf_trees=10, seed=0)
    assert len(trials) == 3
    best = trials.loc[trials["val_auc"].idxmax(), "trial"]
    assert chosen["phoneme"] == {**nrn["phoneme"], **([{}] + configs[:2])[best]}


def _table(nrn=(0.95, 0.84, 0.94), gbt=(0.95, 0.92, 0.94), mlp=(0.94, 0.83, 0.93), cpu=(1.0, 1.0)):
    rows = []
    for i, d in enumerate(("breast_cancer", "phoneme", "synthetic_rules")):
        for model, auc, size, t in (("R-NRN", nrn[i], 68, cpu[0]), ("NRN static", nrn[i] - 0.01, 68, 1.0),
                                    ("GBT", gbt[i], 1400, cpu[1]), ("HGB", gbt[i], 3000, 0.3),
                                    ("RF", gbt[i], 20_000, cpu[1]), ("MLP", mlp[i], 5000, 1.0), ("LR", 0.8, 9, 0.01)):
            rows.append({"data": d, "model": model, "auc": auc, "auc_sd": 0.0, "size": size, "cpu_s": t})
    return pd.DataFrame(rows)


def _runs(size=68, layer_sizes=(8, 8), n_predicates=20):
    return pd.DataFrame([{"data": d, "model": m, "size": size, "size_with_bandit": 68 + 40, "channels": 1,
                          "n_predicates": n_predicates, "layer_sizes": layer_sizes, "k_in": 4, "k_internal": 4,
                          "k_out": 4} for d in ("breast_cancer", "phoneme", "synthetic_rules") for m in ex.NRN_MODELS])


def _ablation(phoneme=0.01):
    return pd.DataFrame([{"data": d, "seed": 0, "difference": phoneme if d == "phoneme" else 0.0}
                         for d in ("breast_cancer", "phoneme", "synthetic_rules")])


def _sufficiency(length=3.0, violations=0, agreement=1.0):
    return pd.DataFrame([{"data": d, "rows": 200, "mean_length": length, "tree_path_mean": 4.5,
                          "min_A_agreement": agreement, "B_violations": violations}
                         for d in ("breast_cancer", "phoneme", "synthetic_rules")])


def _areas(nrn=0.1):
    return pd.DataFrame({"data": ["breast_cancer", "phoneme", "synthetic_rules"], "R-NRN": [nrn] * 3,
                         "RF impurity": [0.2] * 3, "RF permutation": [0.3] * 3})


def _claims(**kw):
    args = dict(table=_table(), runs=_runs(), ablation=_ablation(), sufficiency=_sufficiency(), areas=_areas(),
                top=[2, 0, 1])
    return claims.chapter_claims(**{**args, **kw})


def test_claims_pass_on_a_paper_like_table_and_fail_off_it():
    good = _claims(table=_table(cpu=(0.5, 1.0)))
    assert all(good.verdict(f"N{i}") == REPRODUCED for i in range(1, 11)), good.table()
    bad = _claims(table=_table(nrn=(0.90, 0.70, 0.90), mlp=(0.94, 0.83, 0.93)), runs=_runs(size=70),
                  ablation=_ablation(phoneme=0.0), sufficiency=_sufficiency(length=7.0, violations=1, agreement=0.9),
                  areas=_areas(nrn=0.5), top=[2, 0, 5])
    for cid in ("N1", "N2", "N4", "N5", "N6", "N7", "N8", "N9", "N10"):
        assert bad.verdict(cid) == NOT_REPRODUCED, cid
    small_rf = _table().assign(size=lambda t: np.where(t.model == "RF", 5000, t["size"]))
    assert _claims(table=small_rf).verdict("N3") == NOT_REPRODUCED
    assert good.quotes["top_features"] == "x2, x0, x1"
    assert _claims(top=[2]).verdict("N8") == NOT_REPRODUCED  # fewer than three features of positive importance
    # fan-ins capped at the width below: (2,) with k 4/4/4 on 3 predicates has 2 * 3 + 1 * 2 = 8 weights
    assert _claims(runs=_runs(size=8, layer_sizes=(2,), n_predicates=3)).verdict("N10") == REPRODUCED
    assert claims.expected_weights(100, (8, 8), 4, 4, 4) == 68


def test_top_features_skip_features_of_zero_importance():
    analyses = {"synthetic_rules": {"importances": {"R-NRN": np.array([0.0, 0.0, 5.0, 0.0, 1.0])}}}
    assert ex.top_features(analyses, "synthetic_rules") == [2, 4]
