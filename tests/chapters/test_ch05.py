"""Chapter 05: the parameter checks, a tiny end-to-end run of the experiments (serial and in two processes, the
same numbers), and the claim logic on hand-made tables (each rule can pass and can fail)."""

import numpy as np
import pandas as pd
import pytest

from paperbook.chapters import ch05
from paperbook.chapters.ch05 import claims
from paperbook.chapters.ch05 import experiments as ex
from paperbook.core.claims import NOT_REPRODUCED, REPRODUCED
from paperbook.core.params import validate

DEFAULTS = {"profile": "fast", "seed": 0, "device": "cpu", "model_seeds": [0], "n_train": 60, "n_test": 30,
            "n_ood": 30, "k_train": [3, 7], "k_ood": [9, 12], "d_model": 16, "n_layers": 1, "n_heads": 2,
            "pe_every_block": False, "lr": 3e-3, "batch": 16, "epochs": 1, "weight_decay": 0.0,
            "pe_configs": list(ch05.NEEDED_CONFIGS), "noise_levels": [0.0, 0.2], "noise_std": 0.2,
            "n_random_pe_draws": 10, "workers": 1}


def test_check_accepts_consistent_parameters():
    assert ch05.check(validate(DEFAULTS, ch05.PARAMS)) == []


@pytest.mark.parametrize("change, words", [
    ({"pe_configs": [*ch05.NEEDED_CONFIGS, "alibi"]}, "'pe_configs': positional encoding 'alibi'"),
    ({"pe_configs": [*ch05.NEEDED_CONFIGS, "learn:-1"]}, "'pe_configs': learnable-PE init std"),
    ({"pe_configs": list(ch05.NEEDED_CONFIGS[1:])}, "'pe_configs' must list each entry once and include"),
    ({"k_ood": [12, 9]}, "'k_ood' must be [low, high]"),
    ({"d_model": 18}, "'d_model' = 18 must be divisible by 4"),
    ({"noise_std": 0.3}, "'noise_levels' must include 0 and 'noise_std' = 0.3"),
    ({"model_seeds": [1, 1]}, "'model_seeds' lists a value twice"),
])
def test_check_reports_cross_parameter_problems(change, words):
    problems = ch05.check(validate({**DEFAULTS, **change}, ch05.PARAMS))
    assert len(problems) == 1 and words in problems[0], problems


def test_parse_config():
    assert ch05.parse_config("learn:0.5") == ("learn", 0.5) and ch05.parse_config("rope") == ("rope", 0.0)
    for bad in ("learn", "sin2d:1", "learn:x"):
        with pytest.raises(ValueError):
            ch05.parse_config(bad)


def _settings():
    return dict(d=16, layers=1, heads=2, every_block=False, lr=3e-3, batch=16, epochs=1, weight_decay=0.0,
                noise_levels=[0.0, 0.2], seed=0, device="cpu")


def test_the_experiments_run_end_to_end_and_workers_change_nothing():
    splits = ex.make_splits(60, 30, 30, [3, 7], [9, 12], seed=0)
    counts = ex.level_counts(splits).set_index("split")
    assert counts.loc["train", ["binary", "ternary", "quaternary"]].tolist() == [20, 20, 20]
    configs = ["learn:0.1", "nope"]
    serial = ex.fit_all(configs, [0], splits, workers=1, **_settings())
    parallel = ex.fit_all(configs, [0], splits, workers=2, **_settings())
    for a, b in zip(serial, parallel):
        assert a["test acc"] == b["test acc"] and a["noise"] == b["noise"]
    acc = ex.accuracy_table(serial)
    assert list(acc["config"]) == configs and acc["test acc"].between(0, 1).all()
    alignment = ex.alignment_table(serial, ex.null_alignment(16, 10, seed=0))
    assert list(alignment["config"]) == ["learn:0.1", "null"]
    noise = ex.noise_table(serial)
    assert set(noise["protocol"]) == {"fixed", "scaled"}
    assert list(ex.noise_view(noise).columns) == ["encoding", "fixed 0.2", "scaled 0.2"]
    assert ex.accuracy_view(acc)["test 1 / 2 / 3"].str.count(" / ").eq(2).all()
    curves = ex.loss_curves(serial)
    assert len(curves) == 2 and set(curves["epoch"]) == {1}
    matrices = ex.distances(serial)
    assert list(matrices) == ["grid", "learn:0.1"] and matrices["grid"][0, 15] == 6
    assert all(m.shape == (16, 16) and np.allclose(m, m.T) for m in matrices.values())


def _acc(**ood):
    base = {"learn:0.1": 0.8, "learn:1.0": 0.85, "learn:2.0": 0.7, "sin2d": 0.85, "sin1d": 0.6, "nope": 0.4}
    rows = []
    for config, a in base.items():
        rows.append({"config": config, "encoding": config, "steps": 100, "train acc": a, "test acc": a,
                     "test acc1": a + 0.1, "test acc2": a, "test acc3": a - 0.1,
                     "ood acc": ood.get(config.replace("learn:", "s").replace(".", ""), a)})
    return pd.DataFrame(rows)


def _alignment(small=0.7, large=0.1, moved=(1.2, 0.1)):
    return pd.DataFrame({"config": ["learn:0.1", "learn:1.0", "null"], "rho_manh": [small, large, 0.2],
                         "rho_rowcol": [small, large, 0.2], "movement": [*moved, np.nan]})


def _noise(small=0.5, large=0.4):
    return pd.DataFrame([{"config": c, "protocol": p, "noise": 0.2, "accuracy": a}
                         for c, a in (("learn:0.1", small), ("learn:1.0", large)) for p in ("fixed", "scaled")])


def test_claims_pass_on_a_paper_like_table_and_fail_off_it():
    good = claims.chapter_claims(acc=_acc(s01=0.9), alignment=_alignment(), noise=_noise(), noise_std=0.2)
    assert all(good.verdict(f"E{i}") == REPRODUCED for i in range(1, 10)), good.table()
    bad = claims.chapter_claims(acc=_acc(s20=0.84, s01=0.5).assign(**{"test acc3": 0.95}),
                                alignment=_alignment(small=0.2, moved=(0.2, 0.1)), noise=_noise(0.3, 0.4),
                                noise_std=0.2)
    for cid in ("E1", "E2", "E3", "E5", "E7", "E8", "E9"):
        assert bad.verdict(cid) == NOT_REPRODUCED, cid
    weak = _acc().assign(**{"test acc": [0.5, 0.5, 0.5, 0.5, 0.7, 0.4]})
    w = claims.chapter_claims(acc=weak, alignment=_alignment(), noise=_noise(), noise_std=0.2)
    assert w.verdict("E4") == NOT_REPRODUCED and w.verdict("E6") == NOT_REPRODUCED
