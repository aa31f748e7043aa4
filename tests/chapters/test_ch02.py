"""Chapter 02: the claim logic on hand-made tables (each rule can pass and can fail), the parameter checks, and
the per-sample silhouettes behind the paired intervals."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import silhouette_score

from paperbook.chapters import ch02
from paperbook.chapters.ch02 import experiments as ex
from paperbook.chapters.ch02 import plots
from paperbook.chapters.ch02.claims import AT_K, BEST, KMEANS, SKM_AT_K, chapter_claims
from paperbook.chapters.ch02.experiments import _best, _skm, grid_overview, point_silhouettes, sc_table_view
from paperbook.core.params import validate
from paperbook.memory.cluster_data import load_clustering

NAMES = ["zoo", "iris", "wine", "ecoli", "breast_cancer", "blobs"]
K = {"zoo": 7, "iris": 3, "wine": 3, "ecoli": 8, "breast_cancer": 2, "blobs": 5}
SPREAD = np.array([-0.2, 0.1, 0.0, 0.1])  # per-sample silhouettes around each SC (the same for every method)


def summary(clam_delta=0.0, at_k_missing=(), skm=None, best_clusters=None, deltas=None):
    """k-means SC 0.45 everywhere; ClAM (best and at k) = 0.45 + delta (per set in `deltas`), best of grid +0.3
    more where it has fewer effective clusters (best_clusters); optional SKM SC at k."""
    rows = []
    for n in NAMES:
        k, delta = K[n], (deltas or {}).get(n, clam_delta)
        rows.append({"dataset": n, "k": k, "method": KMEANS, "sc": 0.45, "nmi": 1.0, "n_effective": k})
        used = (best_clusters or {}).get(n, k)
        rows.append({"dataset": n, "k": k, "method": BEST, "sc": 0.45 + delta + (0.3 if used < k else 0),
                     "nmi": 1.0, "n_effective": used, "n_nonempty": k})
        missing = n in at_k_missing
        rows.append({"dataset": n, "k": k, "method": AT_K, "sc": math.nan if missing else 0.45 + delta,
                     "nmi": math.nan if missing else 1.0, "n_effective": math.nan if missing else k})
        if skm is not None:
            rows.append({"dataset": n, "k": k, "method": SKM_AT_K, "sc": skm, "nmi": 1.0, "n_effective": k})
    return pd.DataFrame(rows).assign(sizes="50/50/50")


def points(table, spread=SPREAD):
    """Per-sample silhouettes whose mean is each row's SC (none where the SC is missing)."""
    return {n: {m: sc + spread for m, sc in zip(rows["method"], rows["sc"]) if not math.isnan(sc)}
            for n, rows in table.groupby("dataset", sort=False)}


BASINS = pd.DataFrame({"beta": [5.0, 15.0, 75.0], "agreement": [0.7, 0.9, 0.99]})
ABLATION = pd.DataFrame([{"dataset": "iris", "k": 3, "variant": v, "sc": sc, "n_effective": 3} for v, sc in
                         [("masked, fill mean", 0.45), ("masked, fill mean, official quirks", 0.9),
                          ("unmasked", 0.46)]])


def claims_of(basins=BASINS, table=None, ablation=ABLATION, profile="fast", table_points=None, seed=0,
              abl_points=None):
    table = summary() if table is None else table
    abl_points = abl_points or points(ablation.rename(columns={"variant": "method"}))
    return chapter_claims(basins=basins, summary=table, points=table_points or points(table), ablation=ablation,
                          abl_points=abl_points, profile=profile, seed=seed)


def verdicts(basins=BASINS, table=None, ablation=ABLATION, **kw):
    return dict(zip(*claims_of(basins, table, ablation, **kw).table()[["id", "verdict"]].T.values))


def test_equal_to_kmeans_reproduces_matching_claims_but_not_the_60_percent():
    v = verdicts()
    assert v["A1"] == v["A2"] == v["A5"] == v["A5p"] == "reproduced" and v["A6"] == "holds"
    assert v["A3"] == v["A4"] == v["A4e"] == "not reproduced"
    assert v["A8"] == "not run"


def test_a1_fails_when_agreement_is_not_monotone_and_sorts_by_beta():
    shuffled = BASINS.iloc[[2, 0, 1]]
    assert verdicts(shuffled)["A1"] == "reproduced"
    dips = pd.DataFrame({"beta": [5.0, 15.0, 75.0], "agreement": [0.7, 0.6, 0.99]})
    assert verdicts(dips)["A1"] == "not reproduced"
    assert claims_of(dips).table().set_index("id").loc["A1", "margin"] == "-0.100"
    assert verdicts(BASINS[BASINS["beta"] < 75])["A1"] == "not run"


def test_a5_is_two_sided_on_two_thirds_of_the_sets_run_and_counts_missing_k_sets_as_misses():
    assert verdicts(table=summary(clam_delta=+0.2))["A5"] == "not reproduced"  # |dSC| <= 0.03 (spec), not ">="
    assert verdicts(table=summary(clam_delta=-0.05))["A5"] == "not reproduced"
    two_off = summary(deltas={"zoo": -0.1, "ecoli": -0.1})  # 4 of 6 within: exactly 2/3
    assert verdicts(table=two_off)["A5"] == "reproduced"
    assert verdicts(table=summary(at_k_missing=("zoo", "ecoli", "iris")))["A5"] == "not reproduced"


def test_a5p_reads_the_papers_own_sets_alone():
    v = verdicts(table=summary(deltas={"zoo": -0.1, "ecoli": -0.1}))
    assert v["A5"] == "reproduced" and v["A5p"] == "not reproduced"
    table = summary()
    others = table[~table["dataset"].isin(["zoo", "ecoli"])]
    assert verdicts(table=others)["A5p"] == "not run"


def test_a5_interval_makes_a_straddling_set_inconclusive():
    table = summary(deltas={n: 0.02 for n in NAMES})
    noisy = points(table, spread=np.zeros(40))
    for n in NAMES:  # ClAM's per-sample silhouettes spread around its SC unlike k-means'
        noisy[n][AT_K] = 0.47 + np.array([-0.3, 0.3, -0.3, 0.3] * 10)
        noisy[n][KMEANS] = 0.45 + np.zeros(40)
    claims = claims_of(table=table, table_points=noisy)
    assert claims.verdict("A5") == "inconclusive"
    assert claims.table().set_index("id").loc["A5", "interval"].startswith("zoo [")


def test_a3_without_any_k_cluster_configuration_is_not_reproduced():
    assert verdicts(table=summary(at_k_missing=tuple(NAMES)))["A3"] == "not reproduced"


def test_a4_is_the_spec_rule_and_a4e_does_not_count_a_gain_from_dropping_clusters():
    claims = claims_of(table=summary(best_clusters={"ecoli": 5}))
    assert claims.verdict("A4") == "reproduced"  # +67% on ecoli: the spec's rule, whatever the clusters
    assert claims.verdict("A4e") == "not reproduced"  # but with 5 of 8 clusters effective
    row = claims.table().set_index("id").loc["A4"]
    assert row["origin"] == "spec" and "8 clusters non-empty, 5 effective" in row["note"]
    assert verdicts(table=summary(clam_delta=0.2))["A4e"] == "reproduced (post hoc)"  # +44% with all k
    quoted = claims.quotes
    assert (quoted["a4_set"], quoted["a4_used"], quoted["a4_k"]) == ("ecoli", 5, 8)
    assert quoted["collapsed_sets"] == "ecoli" and claims_of().quotes["collapsed_sets"] == "none"
    assert set(quoted) == {"a3_gain", "a3_set", "a4_gain", "a4_set", "a4_used", "a4_k", "a4_sizes",
                           "collapsed_sets"}
    assert {"a4_verdict", "a4e_verdict", "a5_verdict", "a5p_verdict", "a6_verdict"} <= set(claims.verdict_quotes())


def test_a6_is_a_check_on_the_spec_floors_of_the_fast_grid():
    assert verdicts(table=summary(deltas={"wine": -0.18}))["A6"] == "holds"  # 0.27 >= 0.26, the spec's floor
    assert claims_of(table=summary(deltas={"wine": -0.2})).failed_checks() == ["A6"]
    assert claims_of(table=summary(at_k_missing=("iris",))).failed_checks() == ["A6"]  # untrained: no k clusters
    assert verdicts(profile="full")["A6"] == "not run"
    assert verdicts(table=summary(deltas={"wine": -0.2}), seed=1)["A6"] == "not run"  # a sweep's seed: no abort
    assert verdicts(table=summary().query("dataset != 'iris'"))["A6"] == "not run"


def test_a7_ignores_the_official_quirks_variant():
    # the quirks variant scores 0.9 but only the fills count: 0.45 - 0.46 < 0
    assert verdicts()["A7"] == "not reproduced"


def test_a8_compares_with_skm_when_it_ran_with_paired_intervals():
    assert verdicts(table=summary(skm=0.3))["A8"] == "reproduced"
    assert verdicts(table=summary(skm=0.5))["A8"] == "not reproduced"
    assert claims_of(table=summary(skm=0.3)).table().set_index("id").loc["A8", "interval"].startswith("zoo [")


def test_every_claim_has_a_source_a_kind_and_an_origin():
    table = claims_of().table()
    assert list(table["id"]) == ["A1", "A2", "A3", "A4", "A4e", "A5", "A5p", "A7", "A8", "A6"]
    assert table["source"].str.len().gt(0).all()
    assert dict(zip(table["id"], table["origin"])) == {**{c: "spec" for c in table["id"]}, "A4e": "post hoc"}
    assert dict(zip(table["id"], table["kind"])) == {
        "A1": "claim-hard", "A2": "claim-hard", "A3": "claim-reported", "A4": "claim-reported",
        "A4e": "claim-reported", "A5": "claim-hard", "A5p": "claim-reported", "A6": "check", "A7": "claim-reported",
        "A8": "claim-reported"}


def test_a7_ignores_a_fill_that_collapses_clusters():
    higher = ABLATION.assign(sc=[0.6, 0.9, 0.46])
    assert verdicts(ablation=higher)["A7"] == "reproduced"
    collapsed = higher.assign(n_effective=[2, 3, 3])  # the 0.6 fill keeps only 2 of 3 clusters
    assert verdicts(ablation=collapsed)["A7"] == "not reproduced"


def test_a7_counts_an_unmasked_single_cluster_as_sc_minus_one_without_interval():
    collapsed = ABLATION.assign(sc=[0.45, 0.9, -1.0])  # unmasked in one cluster: no per-sample silhouettes
    abl_points = points(ABLATION.rename(columns={"variant": "method"}))
    abl_points["iris"]["unmasked"] = None
    claims = claims_of(ablation=collapsed, abl_points=abl_points)
    row = claims.table().set_index("id").loc["A7"]
    assert claims.verdict("A7") == "reproduced" and row["ours"] == "iris: 1.450" and row["interval"] == ""
    assert "every fill loses a cluster: a miss" in row["rule"]


def test_empty_ablation_makes_a7_not_run():
    assert verdicts(ablation=ABLATION.iloc[:0])["A7"] == "not run"


def test_point_silhouettes_average_to_the_sc():
    X, y, _ = load_clustering("iris")
    assert np.mean(point_silhouettes(X, y)) == pytest.approx(silhouette_score(X, y))
    assert point_silhouettes(X, np.zeros(len(X), dtype=int)) is None


def test_best_never_selects_failed_configs_and_counts_effective_clusters():
    grid = pd.DataFrame({"sc": [0.9, 0.5, 0.45, 0.4], "n_nonempty": [3, 2, 3, 3], "n_effective": [3, 2, 2, 3],
                         "failed": [True, False, False, False]})
    assert _best(grid)["sc"] == 0.5
    assert _best(grid, k=3)["sc"] == 0.4  # 0.45 has 3 non-empty clusters but only 2 effective
    assert _best(grid, k=4) is None


def test_grid_overview_counts_configurations_at_k_and_failures():
    grid = pd.DataFrame({"dataset": ["iris"] * 3 + ["wine"], "k": [3, 3, 3, 3], "n_nonempty": [3, 2, 3, 3],
                         "n_effective": [2, 2, 3, 3], "failed": [False, False, True, False],
                         "sc": [0.4, 0.6, 0.1, 0.3]})
    view = grid_overview(grid).set_index("dataset")
    assert view.loc["iris", ["configs", "k_nonempty", "k_effective", "failed"]].tolist() == [3, 2, 1, 1]
    assert view.loc["iris", "sc_max"] == 0.6 and view.loc["wine", "configs"] == 1


# --- parameters ---------------------------------------------------------------------------------

DEFAULTS = {"profile": "fast", "seed": 0, "device": "auto", "basin_betas": [5.0, 75.0], "basin_grid": 50,
            "basin_alpha": 0.1, "basin_steps": 10, "gauss_seed": 1000, "gauss_alpha": 0.1, "gauss_lrs": [0.1],
            "gauss_betas": [1.0], "gauss_epochs": 2, "gauss_noise": 0.01, "datasets": ["iris", "wine"],
            "num_clusters": 0, "min_cluster_size": 0, "clam_betas": [1.0], "clam_lrs": [0.05], "clam_fills": ["mean"],
            "clam_epochs": 2,
            "clam_batch": 32, "clam_mask_p": 0.2, "clam_min_masked": 1, "kmeans_n_init": 2, "kmeans_max_iter": 10,
            "extra_baselines": False, "skm_intervals": [], "abl_datasets": ["iris"], "abl_beta": 2.0,
            "abl_lr": 0.05}


def test_check_accepts_consistent_parameters():
    assert ch02.check(validate(DEFAULTS, ch02.PARAMS)) == []


@pytest.mark.parametrize("change, words", [({"datasets": ["iris", "iris"]}, "'datasets' lists a data set twice"),
                                           ({"abl_datasets": ["wine", "wine"]}, "'abl_datasets'"),
                                           ({"num_clusters": 160}, "['iris'] have (150)"),
                                           ({"num_clusters": 200}, "['iris', 'wine'] have (150, 178)"),
                                           ({"min_cluster_size": 55}, "needs [165] samples, more than ['iris']")])
def test_check_reports_cross_parameter_problems(change, words):
    problems = ch02.check(validate({**DEFAULTS, **change}, ch02.PARAMS))
    assert len(problems) == 1 and words in problems[0]


def test_data_sizes_match_the_loaders():
    assert set(ch02.DATA_SIZES) == set(ch02.PARAMS["datasets"].choices)
    for name, (rows, k) in ch02.DATA_SIZES.items():
        X, _, loaded_k = load_clustering(name)
        assert (X.shape[0], loaded_k) == (rows, k), name


def test_sc_table_view_keeps_every_score_beside_its_clusters():
    table = pd.DataFrame({"dataset": ["ecoli", "ecoli"], "k": [8, 8], "method": [BEST, AT_K], "sc": [0.56, None],
                          "n_effective": [2, None], "sizes": ["326/9/1", None], "nmi": [None, None],
                          "ari": [None, None]})
    view = sc_table_view(table)
    assert view["effective/k"].iloc[0] == "2/8" and pd.isna(view["effective/k"].iloc[1])
    assert view["sizes"].iloc[0].replace("\u200b", "") == "326/9/1" and pd.isna(view["sizes"].iloc[1])


def test_skm_keeps_the_silhouettes_of_its_best_at_k():
    X, y, k = load_clustering("iris")
    table, pts = _skm(X, y, k, [10], seed=0, device="cpu", min_size=5)
    assert np.mean(pts["SKM best at k"]) == pytest.approx(_best(table, k)["sc"])
    assert _skm(X, y, 149, [10], seed=0, device="cpu", min_size=5)[1] == {}


# --- experiments and figures on tiny inputs (one configuration, one or two epochs, on the CPU) ----------------

IRIS_METHODS = ["ClAM best of grid", "ClAM best at k", "k-means"]
ABLATION_VARIANTS = ["masked, fill mean", "masked, fill min", "masked, fill max",
                     "masked, fill mean, official quirks", "unmasked"]


@pytest.fixture(scope="module")
def tiny_sc():
    """The SC comparison on iris alone: one ClAM configuration, two epochs, k-means with one restart."""
    return ex.sc_comparison(["iris"], num_clusters=0, min_cluster_size=0, betas=[1.0], lrs=[0.05], fills=["mean"],
                            epochs=2, batch=32, mask_p=0.2, min_masked=1, kmeans_n_init=1, kmeans_max_iter=10,
                            extra=False, skm_intervals=[], device="cpu", seed=0)


def test_basins_approach_the_voronoi_cells_as_beta_grows_and_plot_one_panel_per_beta():
    table, maps = ex.basins([75.0, 5.0], 30, 0.1, 10)
    assert table["beta"].tolist() == [5.0, 75.0] and maps["voronoi"].shape == (30 * 30,)
    assert table["agreement"].iloc[1] > max(table["agreement"].iloc[0], 0.9)
    fig = plots.plot_basins(30, maps, table)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "Voronoi" and len(titles) == 3 and titles[2].startswith("β = 75")
    plt.close(fig)


def test_gaussians_table_and_figure():
    gauss = ex.gaussians(1000, 0.1, [0.1], [1.0], 1, 0.01, 1, min_cluster_size=0, device="cpu", seed=0)
    assert len(gauss["grid"]) == 1 and {"beta", "lr", "sc", "n_effective", "sizes", "nmi", "ari",
                                        "best_epoch"} <= set(gauss["grid"].columns)
    assert gauss["clam_labels"].shape == gauss["y"].shape == (len(gauss["X"]),)
    assert gauss["kmeans"]["sc"] > 0 and gauss["kmeans"]["n_nonempty"] == 3
    fig = plots.plot_gaussians(gauss)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == ["truth", "ClAM", "k-means"]
    plt.close(fig)


def test_sc_comparison_rows_grid_and_silhouettes(tiny_sc):
    summary, grid, fits, pts = tiny_sc
    assert summary["method"].tolist() == IRIS_METHODS
    assert summary[["n", "d", "k", "min_size"]].iloc[0].tolist() == [150, 4, 3, 5]
    km = summary.set_index("method").loc["k-means"]
    assert km["sc"] > 0.3 and np.mean(pts["iris"]["k-means"]) == pytest.approx(km["sc"])
    assert len(grid) == 1 and grid[["dataset", "k"]].iloc[0].tolist() == ["iris", 3]
    assert list(fits) == ["iris"] and len(fits["iris"][0].history) == 2  # one configuration, two epochs


def test_sc_figures_label_bars_and_mark_k(tiny_sc):
    summary, grid, fits, _ = tiny_sc
    fig = plots.plot_sc_comparison(summary)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "silhouette coefficient" and len(ax.containers) == summary["sc"].notna().sum()
    assert "3/3" in [t.get_text() for t in ax.texts]  # k-means keeps its 3 clusters
    plt.close(fig)
    fig = plots.plot_sc_vs_clusters(grid)
    ax = fig.axes[0]
    assert ax.get_title() == "iris" and ax.get_xlabel() == "effective clusters"
    assert ax.lines[0].get_xdata()[0] == 3  # k dashed
    plt.close(fig)
    fig = plots.plot_losses(fits)
    ax = fig.axes[0]
    assert ax.get_title() == "iris" and len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 2
    plt.close(fig)


def test_masking_ablation_scores_every_variant():
    table, pts = ex.masking_ablation(["iris"], beta=2.0, lr=0.05, epochs=1, batch=32, mask_p=0.2, min_masked=1,
                                     min_cluster_size=0, device="cpu", seed=0)
    assert table["variant"].tolist() == ABLATION_VARIANTS and set(table["k"]) == {3}
    assert {"sc", "n_effective", "sizes", "nmi", "ari"} <= set(table.columns)
    assert table["sc"].between(-1, 1).all() and set(pts["iris"]) == set(ABLATION_VARIANTS)
