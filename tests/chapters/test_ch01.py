"""Chapter 01's experiment helpers and claims: reference values, a seeded regression, rules that can fail."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from paperbook.chapters import ch01
from paperbook.chapters.ch01 import claims, plots
from paperbook.chapters.ch01 import experiments as ex
from paperbook.core.claims import (
    CHECK,
    CLAIM_HARD,
    CLAIM_REPORTED,
    CONTROL,
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_RUN,
    NOT_TESTABLE,
    POST_HOC,
    REPRODUCED,
    REPRODUCED_POST_HOC,
    SPEC,
    THEORY,
)
from paperbook.memory.patterns import binary_patterns, load_images


def test_loglog_slope_and_envelope_on_an_exact_power_law():
    Y = np.array([1e3, 4e3, 1.6e4])
    err = 0.2 / np.sqrt(Y)
    assert ex.loglog_slope(Y, err) == pytest.approx(-0.5)
    assert ex.envelope(Y, err) == pytest.approx(0.2)
    assert ex.envelope(Y, err * np.array([1.0, 1.5, 1.0])) == pytest.approx(0.3)


def test_energy_offset_mae_ignores_a_constant_shift_but_not_noise():
    exact = torch.linspace(-1, 0, 50, dtype=torch.float64)
    assert ex.energy_offset_mae(exact, exact + 0.3) == pytest.approx(0.0, abs=1e-12)
    noisy = exact + 0.3 + 0.01 * torch.sign(torch.sin(torch.arange(50.0, dtype=torch.float64)))
    assert ex.energy_offset_mae(exact, noisy) > 0.005


def test_d1_seeded_regression():
    """Mean |dE| and per-coordinate |d grad E| at memories, D=30, K=100, beta=10 (golden, 3 significant digits)."""
    e = ex.error_vs_features([30], 100, 100, [10.0], [1000, 4000], seed=0, device="cpu")
    mem = e[e["query"] == "mem"].set_index("Y")
    assert mem.loc[1000, "err_E"] == pytest.approx(5.27e-3, rel=5e-3)
    assert mem.loc[4000, "err_E"] == pytest.approx(2.51e-3, rel=5e-3)
    assert mem.loc[1000, "err_grad"] == pytest.approx(1.73e-2, rel=5e-3)
    assert mem.loc[4000, "err_grad"] == pytest.approx(8.16e-3, rel=5e-3)


def test_query_sets_need_enough_memories():
    xi = torch.zeros(3, 10, dtype=torch.float64)
    with pytest.raises(ValueError, match="memories"):
        ex.query_sets(xi, 4, generator=torch.Generator())


def test_near_queries_flip_ten_percent_of_bits():
    g = torch.Generator().manual_seed(0)
    xi = binary_patterns(10, 30, generator=g)
    q = ex.query_sets(xi, 10, generator=g)
    assert ((q["near"] != q["mem"]).sum(-1) == 3).all()


def test_lawful_slopes_exclude_cells_with_any_clamped_query():
    slopes = pd.DataFrame({"D": [30, 30], "beta": [10.0, 50.0], "query": ["mem", "rand"], "slope_E": [-0.5, -0.1],
                           "slope_grad": [-0.5, 0.1], "max_clamp_frac": [0.0, 0.01]})
    assert claims.lawful_slopes(slopes)["beta"].tolist() == [10.0]


def test_ordering_gaps_pair_queries_and_detect_a_swap():
    rows = pd.DataFrame({"beta": [30.0] * 3 + [50.0] * 3, "query": ["mem", "near", "rand"] * 2,
                         "items_E": [(1, 1), (2, 3), (3, 5), (1, 1), (3, 3), (2, 2)]})
    gaps = {k: list(v.values) for k, v in claims.ordering_gaps(rows, "items_E").items()}
    assert gaps == {"near - mem, beta=30": [1, 2], "rand - near, beta=30": [1, 2],
                    "near - mem, beta=50": [2, 2], "rand - near, beta=50": [-1, -1]}


def test_per_query_items_average_to_the_table_means():
    e = ex.error_vs_features([30], 20, 10, [30.0], [500], seed=0, device="cpu", items=True)
    assert np.allclose(e["items_E"].map(np.mean), e["err_E"]) and np.allclose(e["items_grad"].map(np.mean),
                                                                              e["err_grad"])
    assert list(ex.without_items(e).columns) == list(ex.error_vs_features([30], 20, 10, [30.0], [500], seed=0,
                                                                          device="cpu").columns)
    r = ex.retrieval_agreement(30, 10, 5, [30.0], [500], 0.1, 20, seed=0, device="cpu")
    assert np.allclose(r["items_hamming"].map(np.mean), r["hamming"])


@pytest.fixture(scope="module")
def small_run():
    """Every experiment at a tiny scale (about 2 s): enough to exercise each claim's code path."""
    kw = dict(seed=0, device="cpu")
    errors = ex.error_vs_features([30], 40, 20, [10.0, 50.0], [500, 2000, 8000], items=True, **kw)
    return {"errors": errors, "slopes": ex.slopes(errors),
            "order": ex.error_vs_features([30], 100, 20, [30.0, 50.0], [4000], stream="fig3-order", items=True,
                                          **kw),
            "far": ex.far_from_memories(30, 40, 20, 50.0, [500, 2000, 8000], ["iid", "official"], **kw),
            "retrieval": ex.retrieval_agreement(30, 10, 5, [30.0], [2000], 0.1, 100, **kw),
            "retrieval_paper": ex.retrieval_agreement(30, 40, 5, [30.0, 50.0], [2000], 0.03, 50, **kw),
            "vs_k": ex.error_vs_memories([20, 40, 80], 4000, [30.0], [30], 20, **kw),
            "storage": ex.storage_check(30, 20, 500, 10.0, **kw),
            "completion": ex.completion(load_images("digits"), 10, 5, 30.0, [4000], 0.5, 0.1, 100, **kw),
            "ablation": ex.kernel_ablation(load_images("digits"), 30, 10, [10.0], [500], ["sincos", "exp"], **kw),
            "cost": ex.cost_vs_memories([10, 400], 500, 30, 10.0, 4, 1, **kw), "cost_Y": 500, "cost_dim": 30}


def claims_of(run) -> pd.DataFrame:
    return claims.chapter_claims(**run).table().set_index("id")


def test_chapter_claims_on_a_small_run(small_run):
    table_of = claims.chapter_claims(**small_run)
    table = table_of.table().set_index("id")
    assert list(table.index) == ["D1", "D1b", "D2", "D2g", "D3", "D3o", "D3s", "D3g", "D4", "D4x", "D4p", "D6",
                                 "D7", "D8", "D9", "D5", "D10", "D4c"]  # paper claims, then checks, then controls
    kinds, origins = dict(table["kind"]), dict(table["origin"])
    assert kinds["D3"] == CLAIM_HARD and origins["D3"] == SPEC  # the spec's rule is the claim of record
    assert kinds["D3s"] == CLAIM_REPORTED and origins["D3s"] == origins["D3g"] == origins["D7"] == POST_HOC
    assert kinds["D3o"] == kinds["D4p"] == CLAIM_REPORTED and kinds["D4x"] == CLAIM_HARD
    assert kinds["D5"] == kinds["D10"] == CHECK and origins["D10"] == THEORY and kinds["D4c"] == CONTROL
    assert table_of.verdict("D5") == HOLDS  # exact in float64 whatever the scale
    assert table_of.verdict("D3s") in (REPRODUCED_POST_HOC, NOT_REPRODUCED)  # slopes, no per-query sample
    assert not table.loc["D3s", "interval"]
    assert table.loc["D1", "interval"] and table.loc["D3", "interval"] and table.loc["D4", "interval"]
    assert table_of.verdict("D10") == HOLDS  # 400 x 30 parameters vs 2 x 500, and 10 x 30 vs 2 x 500
    assert set(table["source"]) <= {"Fig 1", "Fig 3", "Fig 4A", "Fig 5", "Fig 6", "text"}
    assert all(isinstance(v, (int, float, str)) and not isinstance(v, np.generic) for v in table_of.quotes.values())


def test_d5_check_fails_when_adding_is_not_exact(small_run):
    run = {**small_run, "storage": {**small_run["storage"], "max|T_all - (T_K-1 + phi)|": 1e-6}}
    assert claims.chapter_claims(**run).failed_checks() == ["D5"]
    grown = small_run["vs_k"].assign(dim_T=np.arange(len(small_run["vs_k"])))  # T grew while memories were added
    assert claims_of({**small_run, "vs_k": grown}).loc["D5", "verdict"] == FAILS


def test_d10_check_fails_when_a_parameter_count_is_wrong(small_run):
    cost = small_run["cost"].copy()
    cost.loc[cost["model"] == "DrDAM", "n_params"] += 1  # DrDAM counted one parameter too many
    assert claims.chapter_claims(**{**small_run, "cost": cost}).failed_checks() == ["D10"]


def test_d2_fails_when_near_queries_beat_memories(small_run):
    order = small_run["order"].copy()
    mem = order["query"] == "mem"
    order.loc[mem, "items_E"] = order.loc[mem, "items_E"].map(lambda v: tuple(x + 1.0 for x in v))
    assert claims_of({**small_run, "order": order}).loc["D2", "verdict"] == NOT_REPRODUCED


def test_d4_is_not_testable_when_mrdam_does_not_retrieve(small_run):
    retrieval = small_run["retrieval"].assign(bit_error_Mr=0.4)
    table = claims_of({**small_run, "retrieval": retrieval})
    assert table.loc["D4c", "verdict"] == FAILS
    assert table.loc["D4", "verdict"] == table.loc["D4x", "verdict"] == NOT_TESTABLE


def test_d9_fails_when_sincos_is_not_best(small_run):
    ablation = small_run["ablation"].copy()
    ablation.loc[ablation["kind"] == "sincos", "err_grad"] = 10.0
    assert claims_of({**small_run, "ablation": ablation}).loc["D9", "verdict"] == NOT_REPRODUCED


def test_gated_claims_are_not_run_without_beta_30(small_run):
    run = {**small_run, "order": small_run["order"].assign(beta=small_run["order"]["beta"] + 1.0),  # beta 31, 51
           "retrieval": small_run["retrieval"].assign(beta=40.0)}
    table = claims_of(run)
    assert table.loc["D2g", "verdict"] == NOT_RUN and table.loc["D4", "verdict"] == NOT_RUN
    assert table.loc["D4x", "verdict"] == NOT_RUN


def test_d3_uses_only_Y_up_to_64k(small_run):
    table = small_run["far"]
    far = table[table["Y"] == table["Y"].max()].assign(Y=10 ** 6, err_E=1e-9, clamp_frac=0.0,
                                                       items_E=[(1e-9,)] * int((table["Y"] == table["Y"].max()).sum()))
    run = {**small_run, "far": pd.concat([table, far], ignore_index=True)}  # a perfect large-Y cell: no change
    for cid in ("D3", "D3s", "D3g"):
        assert claims_of(run).loc[cid, "ours"] == claims_of(small_run).loc[cid, "ours"], cid


def test_far_from_memories_repeats_fig3_for_iid_and_draws_nearer_official_patterns(small_run):
    far, errors = small_run["far"], small_run["errors"]
    iid = far[far["recipe"] == "iid"].drop(columns="recipe").reset_index(drop=True)
    same = errors[errors["beta"] == 50.0].reset_index(drop=True)  # both keep their per-query items
    pd.testing.assert_frame_equal(iid, same)
    rand = far[far["query"] == "rand"].groupby("recipe")["sqdist"].first()
    assert rand["official"] < rand["iid"] - 0.03  # sorted draws share their leading zero bits


def test_d3s_holds_post_hoc_on_a_flat_clipped_error_and_fails_on_the_law(small_run):
    far = small_run["far"]
    rand = far["query"] == "rand"
    flat = far.assign(err_E=np.where(rand, 0.1, far["Y"] ** -0.5), clamp_frac=np.where(rand, 0.5, 0.0))
    assert claims_of({**small_run, "far": flat}).loc["D3s", "verdict"] == REPRODUCED_POST_HOC
    lawful = flat.assign(err_E=far["Y"] ** -0.5)  # random queries follow the law too: no caveat
    assert claims_of({**small_run, "far": lawful}).loc["D3s", "verdict"] == NOT_REPRODUCED
    assert claims_of({**small_run, "far": far[~far["recipe"].eq("official")]}).loc["D3o", "verdict"] == NOT_RUN


def _far_with_ratio(far: pd.DataFrame, ratios: list[float]) -> pd.DataFrame:
    """Random queries' per-query |dE| set to `ratios` times the guess level (cycled), half of them clipped."""
    def items(row):
        return tuple(ratios[i % len(ratios)] * row["guess_E"] for i in range(len(row["items_E"])))
    rand = far["query"] == "rand"
    out = far.assign(clamp_frac=np.where(rand, 0.5, far["clamp_frac"]))
    out.loc[rand, "items_E"] = out[rand].apply(items, axis=1)
    return out


def test_d3_spec_rule_reads_the_guess_ratio_with_its_interval(small_run):
    def verdict(ratios):
        return claims_of({**small_run, "far": _far_with_ratio(small_run["far"], ratios)}).loc["D3", "verdict"]
    assert verdict([0.6]) == REPRODUCED and verdict([0.4]) == NOT_REPRODUCED
    assert verdict([0.0, 1.0]) == INCONCLUSIVE  # mean 0.5, an interval on both sides of it


def test_d4p_states_mrdams_own_error_and_is_not_run_without_betas(small_run):
    table = claims_of(small_run)
    assert "MrDAM's own bit error at memories" in table.loc["D4p", "note"]
    assert claims_of({**small_run, "retrieval_paper": small_run["retrieval_paper"].iloc[:0]}).loc["D4p",
                                                                                                  "verdict"] == NOT_RUN


def test_check_catches_cross_parameter_problems():
    from notebook_utils import ROOT, parameter_defaults, parameters_cells, read
    defaults = parameter_defaults(parameters_cells(read(ROOT / "notebooks" / f"{ch01.SLUG}.ipynb"))[0])
    assert ch01.check(defaults) == []
    bad = {**defaults, "fig4a_nq": defaults["fig4a_K"] + 1, "fig6_kernels": ["cos"], "fig6_K": 1797,
           "fig5_Ks": [50, 2 ** 31]}
    problems = " | ".join(ch01.check(bad))
    assert "'fig4a_nq' = 21" in problems and "sincos" in problems and "rows of digits" in problems
    assert "distinct" in problems


def test_every_glue_key_the_notebook_cites_is_provided(small_run):
    """Prose keys ({glue:text}`key`) are parameters (start glues them), glue() calls of the notebook or quotes of
    the claims, each provided once."""
    import re

    from notebook_utils import ROOT, read
    nb = read(ROOT / "notebooks" / f"{ch01.SLUG}.ipynb")
    cited = {m for c in nb.cells if c.cell_type == "markdown" for m in re.findall(r"\{glue:text\}`(\w+)", c.source)}
    in_cells = [m for c in nb.cells if c.cell_type == "code" for m in re.findall(r"glue\(\s*\"(\w+)\"", c.source)]
    far = small_run["far"]
    for recipes in (["iid", "official"], ["iid"], ["official"]):  # fig3_far_recipes: D3's quotes read "n/a" if absent
        run = {**small_run, "far": far[far["recipe"].isin(recipes)]}
        table = claims.chapter_claims(**run)
        provided = list(ch01.PARAMS) + in_cells + list(table.quotes) + list(table.verdict_quotes())
        assert cited <= set(provided), (recipes, cited - set(provided))
        assert len(provided) == len(set(provided)), "a glue key is set twice"


def test_kernel_estimates_follow_the_exact_sd_and_shrink_as_one_over_sqrt_Y():
    table, scatter = ex.kernel_estimates(10, [1.0, 5.0], [100, 6400], 200, seed=0, device="cpu")
    assert list(table.columns) == ["beta", "Y", "rms_error", "rms_predicted", "mean_kappa"] and len(table) == 4
    for _, g in table.groupby("beta"):
        pred = g.set_index("Y")["rms_predicted"]
        assert pred[100] / pred[6400] == pytest.approx(8.0)  # same pairs: the SD scales exactly as 1/sqrt(Y)
    assert ((table["rms_error"] / table["rms_predicted"]).between(0.7, 1.4)).all()
    assert list(scatter) == [1.0, 5.0] and all(len(k) == len(e) == 200 for k, e in scatter.values())
    fig = plots.plot_kernel_scatter(table, scatter)
    assert len(fig.axes) == 3 and fig.axes[0].get_title() == "β = 1, Y = 6400"
    assert len(fig.axes[-1].lines) == 4  # per beta: measured dots and the exact SD line
    plt.close(fig)


def test_reconstruction_grid_repeats_the_completion_at_every_beta():
    args = (load_images("digits"), 6, 3)
    table, results = ex.reconstruction_grid(*args, [10.0, 30.0], [500], 0.5, 0.1, 20, seed=0, device="cpu")
    assert list(table.columns) == ["beta", "model", "Y", "accuracy", "mean_dist_to_original", "mean_dist_to_Mr",
                                   "max_energy_gap"]
    assert table["beta"].tolist() == [10.0, 10.0, 30.0, 30.0] and sorted(results) == [10.0, 30.0]
    alone = ex.completion(*args, 30.0, [500], 0.5, 0.1, 20, seed=0, device="cpu").table
    pd.testing.assert_frame_equal(table[table["beta"] == 30.0].drop(columns="beta").reset_index(drop=True), alone)
    fig = plots.plot_reconstruction_grid(results)
    assert len(fig.axes) == 2 * 4  # per beta: query, DrDAM at Y = 500, MrDAM, original
    assert [ax.get_title() for ax in fig.axes[:4]] == ["query", "DrDAM\nY = 500", "MrDAM", "original"]
    assert fig.axes[4].get_ylabel() == "β = 30"
    plt.close(fig)


@pytest.mark.parametrize("metric, ylabel", [("grad", "mean |Δ∇E| per coordinate"), ("E", "mean |ΔE|")])
def test_plot_error_vs_features_has_a_panel_per_query_type(small_run, metric, ylabel):
    fig = plots.plot_error_vs_features(small_run["errors"], metric)
    assert [ax.get_title() for ax in fig.axes] == [f"D = 30, {plots.QUERY_TITLES[q]}" for q in ex.QUERY_TYPES]
    assert fig.axes[0].get_ylabel() == ylabel and fig.axes[0].get_xlabel() == "random features Y"
    assert {t.get_text() for t in fig.legends[0].get_texts()} == {"β = 10", "β = 50", "rand guess"}
    plt.close(fig)


def test_plot_retrieval_draws_the_hamming_distances(small_run):
    retrieval = small_run["retrieval"]
    fig = plots.plot_retrieval(retrieval)
    assert len(fig.axes) == 3 and fig.axes[0].get_ylabel() == "Hamming(DrDAM, MrDAM)"
    for ax, query in zip(fig.axes, ex.QUERY_TYPES):
        assert list(ax.lines[0].get_ydata()) == retrieval.loc[retrieval["query"] == query, "hamming"].tolist()
    plt.close(fig)


def test_plot_error_vs_memories_and_cost_have_two_panels(small_run):
    fig = plots.plot_error_vs_memories(small_run["vs_k"])
    assert [ax.get_ylabel() for ax in fig.axes] == ["mean |ΔE|", "mean ‖Δ∇E‖ per query"]
    assert fig.axes[0].get_xlabel() == "stored memories K"
    plt.close(fig)
    cost = small_run["cost"]
    fig = plots.plot_cost(cost)
    assert len(fig.axes) == 2 and {line.get_label() for line in fig.axes[0].lines} == {"MrDAM", "DrDAM"}
    mr = next(line for line in fig.axes[0].lines if line.get_label() == "MrDAM")
    assert list(mr.get_ydata()) == cost.loc[cost["model"] == "MrDAM", "n_params"].tolist()  # [10 * 30, 400 * 30]
    plt.close(fig)


def test_plot_kernel_ablation_draws_each_feature_map(small_run):
    fig = plots.plot_kernel_ablation(small_run["ablation"])
    assert len(fig.axes) == 4  # one beta; |dE| and |d grad E| at memories and at queries
    assert all([line.get_label() for line in ax.lines] == ["sincos", "exp"] for ax in fig.axes)
    assert fig.axes[0].get_title() == "β = 10: |ΔE| − offset at memories"
    plt.close(fig)


def test_plot_completion_shows_each_query_and_its_energy_paths(small_run):
    fig = plots.plot_completion(small_run["completion"], 4000)
    assert len(fig.axes) == 4 * 5 + 1  # query / DrDAM / MrDAM / original for the 5 queries, and the energies
    assert len(fig.axes[-1].lines) == 2 * 5 and fig.axes[-1].get_xlabel() == "step"
    assert fig.axes[5].get_ylabel() == "DrDAM, Y = 4000"
    plt.close(fig)
