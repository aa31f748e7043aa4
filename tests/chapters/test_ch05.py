"""Chapter 05: the parameter checks, a tiny end-to-end run of the experiments (serial and in two processes, the
same numbers), the claims on what the experiments return, and the claim logic on hand-made tables (each rule can
pass and can fail; a failed control makes E5 not testable; a level gap's per-puzzle values average to the gap)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from paperbook.chapters import ch05
from paperbook.chapters.ch05 import claims, plots
from paperbook.chapters.ch05 import experiments as ex
from paperbook.core.claims import FAILS, HOLDS, NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED, REPRODUCED_POST_HOC, VERDICTS
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
        assert all((a["right"][k] == b["right"][k]).all() for k in a["right"])
    acc = ex.accuracy_table(serial)
    assert list(acc["config"]) == configs and acc["test acc"].between(0, 1).all()
    alignment = ex.alignment_table(serial, ex.null_alignment(16, 10, seed=0))
    assert list(alignment["config"]) == ["learn:0.1", "null"]
    items = ex.item_scores(serial, splits)
    assert list(items) == ["train", "test", "ood", "fixed 0", "fixed 0.2", "scaled 0", "scaled 0.2"]
    assert items["test"].shape == (30, 2) and items["test"].mean().tolist() == acc["test acc"].tolist()
    assert (items["fixed 0.2"].index == splits["test"].level).all()
    assert (items["ood"].index == splits["ood"].level).all()
    noise = ex.noise_table(serial)
    assert set(noise["protocol"]) == {"fixed", "scaled"}
    assert list(ex.noise_view(noise).columns) == ["encoding", "fixed 0.2", "scaled 0.2"]
    assert ex.accuracy_view(acc)["test 1 / 2 / 3"].str.count(" / ").eq(2).all()
    curves = ex.loss_curves(serial)
    assert len(curves) == 2 and set(curves["epoch"]) == {1}
    matrices = ex.distances(serial)
    assert list(matrices) == ["grid", "learn:0.1"] and matrices["grid"][0, 15] == 6
    assert all(m.shape == (16, 16) and np.allclose(m, m.T) for m in matrices.values())


def test_the_claims_read_what_the_experiments_return():
    """Every encoding the claims read, two model seeds, one epoch: each claim gets a value and a verdict."""
    splits = ex.make_splits(60, 30, 30, [3, 7], [9, 12], seed=0)
    fits = ex.fit_all(list(ch05.NEEDED_CONFIGS), [0, 1], splits, workers=1, **_settings())
    seeds = ex.seed_table(fits)
    unit = {f["seed"]: np.linalg.norm(f["table0"]) for f in fits if f["config"] == "learn:1.0"}
    small = next(f for f in fits if f["config"] == "learn:0.1" and f["seed"] == 1)
    moved = seeds.set_index(["config", "seed"]).loc[("learn:0.1", 1), "movement, σ=1 units"]
    assert moved == pytest.approx(np.linalg.norm(small["table"] - small["table0"]) / unit[1])
    alignment = ex.alignment_table(fits, ex.null_alignment(16, 10, seed=0))
    acc, items = ex.accuracy_table(fits), ex.item_scores(fits, splits)
    for config, row in acc.set_index("config").iterrows():  # each level gap's per-puzzle values average to it
        for a, b in ((1, 2), (2, 3)):
            gap = claims.level_gap(items["test"][config], a, b)
            assert np.mean(gap.values) == pytest.approx(row[f"test acc{a}"] - row[f"test acc{b}"], abs=1e-12)
    c = claims.chapter_claims(acc=acc, items=items, seeds=seeds, alignment=alignment, noise_std=0.2)
    table = c.table()
    assert list(table["id"]) == [*(f"E{i}" for i in range(1, 10)), "C1"]
    assert (table["ours"] != "n/a").all() and table["verdict"].isin(VERDICTS).all()
    assert table.set_index("id").loc["E8", "interval"] != ""  # two seeds: an interval


N = 200  # puzzles per level of a hand-made split


def _scores(shares: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """Per-puzzle scores indexed by level, with the given accuracy per encoding and level (the first share x N
    puzzles of each level right)."""
    right = {c: np.concatenate([np.arange(N) < round(a * N) for a in levels]).astype(float)
             for c, levels in shares.items()}
    return pd.DataFrame(right, index=pd.Index(np.repeat([1, 2, 3], N), name="level"))


TEST = {"learn:0.1": 0.8, "learn:1.0": 0.85, "learn:2.0": 0.7, "sin2d": 0.85, "sin1d": 0.6, "nope": 0.4}


def _acc(test=TEST, gaps=(0.1, 0.1), **ood):
    rows = []
    for config, a in test.items():
        rows.append({"config": config, "encoding": config, "steps": 100, "train acc": a, "test acc": a,
                     "test acc1": a + gaps[0], "test acc2": a, "test acc3": a - gaps[1],
                     "ood acc": ood.get(config.replace("learn:", "s").replace(".", ""), a)})
    return pd.DataFrame(rows)


def _items(acc, noisy=(0.5, 0.4)):
    a = acc.set_index("config")
    test = {c: tuple(a.loc[c, f"test acc{lv}"] for lv in (1, 2, 3)) for c in a.index}
    noise = _scores({"learn:0.1": (noisy[0],) * 3, "learn:1.0": (noisy[1],) * 3})
    return {"test": _scores(test), "ood": _scores({c: (a.loc[c, "ood acc"],) * 3 for c in a.index}),
            "fixed 0.2": noise, "scaled 0.2": noise}


def _seeds(small=0.7, large=0.1, moved=(0.5, 0.1), unit=1.0):
    """Two seeds; moved: ||P_T - P_0|| of the σ = 0.1 and σ = 1 tables, unit: the σ = 1 table's initial norm."""
    rows = []
    for seed, jitter in ((0, 0.0), (1, 0.01)):
        for config, rho, move, norm in (("learn:0.1", small, moved[0], unit / 10),
                                        ("learn:1.0", large, moved[1], unit)):
            rows.append({"config": config, "seed": seed, "rho_manh": rho + jitter, "rho_rowcol": rho + jitter,
                         "movement": move / norm, "movement, σ=1 units": move / unit + jitter})
    return pd.DataFrame(rows)


NULL = pd.DataFrame({"config": ["null"], "rho_manh": [0.2], "rho_rowcol": [0.2]})


def _claims(acc, items=None, seeds=None):
    return claims.chapter_claims(acc=acc, items=_items(acc) if items is None else items,
                                 seeds=_seeds() if seeds is None else seeds, alignment=NULL, noise_std=0.2)


def test_claims_pass_on_a_paper_like_table_and_fail_off_it():
    good = _claims(_acc(s01=0.95))
    assert all(good.verdict(f"E{i}") == REPRODUCED for i in (1, 2, 3, 4, 5, 6, 7, 9)), good.table()
    assert good.verdict("E8") == REPRODUCED_POST_HOC and good.verdict("C1") == HOLDS
    bad_acc = _acc(gaps=(0.1, -0.1), s20=0.84, s01=0.5)
    bad = _claims(bad_acc, items=_items(bad_acc, noisy=(0.3, 0.4)), seeds=_seeds(small=0.2, moved=(0.1, 0.2)))
    for cid in ("E1", "E2", "E3", "E5", "E7", "E8", "E9"):
        assert bad.verdict(cid) == NOT_REPRODUCED, cid
    weak = _acc(test={**{c: 0.5 for c in TEST}, "sin1d": 0.7, "nope": 0.4})
    w = _claims(weak)
    assert w.verdict("E4") == NOT_REPRODUCED and w.verdict("E6") == NOT_REPRODUCED


def test_e8_compares_movements_on_a_common_scale():
    """Ten times the movement relative to its own start is the same absolute movement when P_0 = σ Z."""
    same = _claims(_acc(), seeds=_seeds(moved=(0.1, 0.1)))
    table = same.table().set_index("id")
    assert same.verdict("E8") == NOT_REPRODUCED and "σ=0.1 / σ=1: 1.000" in table.loc["E8", "ours"]
    assert same.quotes["moved_small_own"] == pytest.approx(10 * same.quotes["moved_large_own"])


def test_c1_and_e5_read_the_same_point_value():
    """A best model at exactly the threshold: C1 holds and E5 reads it, though its interval straddles 0.7."""
    edge = _claims(_acc(test={**{c: 0.6 for c in TEST}, "learn:1.0": 0.7}))
    assert edge.verdict("C1") == HOLDS and edge.verdict("E5") == REPRODUCED
    assert edge.table().set_index("id").loc["E5", "ours"].startswith("learn:1.0 acc1 - acc2")


def test_a_model_at_chance_makes_e5_not_testable():
    low = _acc(test={c: 0.3 for c in TEST})
    c = _claims(low)
    assert c.verdict("C1") == FAILS and c.verdict("E5") == NOT_TESTABLE
    assert c.verdict_quotes()["e5_verdict"] == NOT_TESTABLE


def test_accuracy_claims_carry_per_puzzle_intervals():
    table = _claims(_acc(s01=0.95)).table().set_index("id")
    assert table.loc["E4", "interval"].startswith("[") and table.loc["E6", "interval"].startswith("- sin1d [")
    assert table.loc["E1", "interval"] != "" and table.loc["E2", "kind"] == "claim-hard"


def _plot_acc():
    """Three encodings with distinct test and OOD accuracies per level."""
    rows = [{"config": c, "encoding": c, "test acc": a, "ood acc": a - 0.1,
             **{f"{s} acc{lv}": a - 0.05 * lv for s in ("test", "ood") for lv in (1, 2, 3)}}
            for c, a in (("learn:0.1", 0.9), ("learn:1.0", 0.8), ("sin2d", 0.95))]
    return pd.DataFrame(rows)


def test_accuracy_plots_draw_every_encoding_and_the_released_logs():
    acc = _plot_acc()
    fig = plots.plot_accuracy_by_pe(acc)
    assert [ax.get_title() for ax in fig.axes] == ["test (k as in training)", "out of distribution"]
    assert len(fig.axes[0].patches) == 3 * 3 and fig.axes[0].patches[0].get_height() == pytest.approx(0.85)
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == list(acc["encoding"])
    plt.close(fig)
    fig = plots.plot_accuracy_vs_sigma(acc)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert ax.get_xscale() == "log" and lines["ours: test"].get_xdata().tolist() == [0.1, 1.0]
    assert len(lines["ref. logs: test"].get_xdata()) == (ex.REFERENCE_LOGS["encoding"] == "learn").sum()
    plt.close(fig)


def test_loss_and_noise_plots_draw_one_line_per_encoding():
    curves = pd.DataFrame({"encoding": ["a"] * 4 + ["b"] * 2, "seed": [0, 0, 1, 1, 0, 0],
                           "epoch": [1, 2, 1, 2, 1, 2], "loss": [1.4, 1.0, 1.3, 0.9, 1.39, 1.38]})
    fig = plots.plot_training_loss(curves)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3 + 1 and ax.get_lines()[-1].get_ydata()[0] == pytest.approx(np.log(4))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    plt.close(fig)
    noise = pd.DataFrame([{"config": c, "encoding": c, "protocol": p, "noise": s, "accuracy": 0.9 - s}
                          for c in ("learn:0.1", "nope") for p in ("fixed", "scaled") for s in (0.0, 0.2)])
    fig = plots.plot_noise(noise)
    assert [ax.get_title() for ax in fig.axes] == ["noise std fixed", "noise std × token RMS"]
    assert all(len(ax.get_lines()) == 2 + 1 for ax in fig.axes)  # two encodings and chance
    assert fig.axes[0].get_lines()[0].get_ydata().tolist() == pytest.approx([0.9, 0.7])
    plt.close(fig)


def test_geometry_plots_draw_the_grid_then_each_table():
    rng = np.random.default_rng(0)
    alignment = pd.DataFrame({"config": ["learn:0.1", "sin2d", "null"], "encoding": ["learn σ=0.1", "sin2d", "null"],
                              "rho_manh": [0.5, 0.9, 0.2], "rho_rowcol": [0.7, 0.5, 0.2]})
    pictures = {"learn:0.1": rng.normal(size=(16, 2)), "sin2d": rng.normal(size=(16, 2))}
    fig = plots.plot_pe_geometry(pictures, alignment)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "grid (ground truth)" and titles[1] == "learn σ=0.1\nρ_manh 0.50, ρ_rowcol 0.70"
    assert all(len(ax.texts) == 16 for ax in fig.axes)
    plt.close(fig)
    matrices = {"grid": np.zeros((16, 16)), "sin2d": np.ones((16, 16))}
    fig = plots.plot_distances(matrices, alignment)
    assert [ax.get_title() for ax in fig.axes] == ["grid (Manhattan)", "sin2d"]
    assert all(ax.get_images()[0].get_array().shape == (16, 16) for ax in fig.axes)
    plt.close(fig)
