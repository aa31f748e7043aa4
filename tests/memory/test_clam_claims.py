"""Chapter 02's claim logic on hand-made tables: each rule can pass and can fail."""

import math

import pandas as pd

from paperbook.memory.clam_claims import AT_K, BEST, KMEANS, SKM, chapter_claims
from paperbook.memory.experiments import _best

NAMES = ["iris", "wine", "breast_cancer", "digits", "blobs", "movement_libras"]
K = {"iris": 3, "wine": 3, "breast_cancer": 2, "digits": 10, "blobs": 5, "movement_libras": 15}


def summary(clam_delta=0.0, at_k_missing=(), skm=None, best_clusters=None):
    """k-means SC 0.4 everywhere; ClAM (best and at k) = 0.4 + delta; optional SKM SC."""
    rows = []
    for n in NAMES:
        k = K[n]
        rows.append({"dataset": n, "k": k, "method": KMEANS, "sc": 0.4, "nmi": 1.0, "n_nonempty": k})
        used = (best_clusters or {}).get(n, k)
        rows.append({"dataset": n, "k": k, "method": BEST, "sc": 0.4 + clam_delta + (0.3 if used < k else 0),
                     "nmi": 1.0, "n_nonempty": used})
        missing = n in at_k_missing
        rows.append({"dataset": n, "k": k, "method": AT_K, "sc": math.nan if missing else 0.4 + clam_delta,
                     "nmi": math.nan if missing else 1.0, "n_nonempty": math.nan if missing else k})
        if skm is not None:
            rows.append({"dataset": n, "k": k, "method": SKM, "sc": skm, "nmi": 1.0, "n_nonempty": k})
    return pd.DataFrame(rows)


BASINS = pd.DataFrame({"beta": [5.0, 15.0, 75.0], "agreement": [0.7, 0.9, 0.99]})
ABLATION = pd.DataFrame([{"dataset": "iris", "variant": v, "sc": sc} for v, sc in
                         [("masked, fill mean", 0.45), ("masked, fill mean, official quirks", 0.9),
                          ("unmasked", 0.46)]])


def verdicts(*args):
    claims, _ = chapter_claims(*args)
    return dict(zip(claims.table()["id"], claims.table()["verdict"]))


def test_equal_to_kmeans_reproduces_matching_claims_but_not_the_60_percent():
    v = verdicts(BASINS, summary(), ABLATION)
    assert v["A1"] == v["A2"] == v["A5"] == "reproduced"
    assert v["A3"] == v["A4"] == "not reproduced"
    assert v["A8"] == "not run"


def test_a1_fails_when_agreement_is_not_monotone_and_sorts_by_beta():
    shuffled = BASINS.iloc[[2, 0, 1]]
    assert verdicts(shuffled, summary(), ABLATION)["A1"] == "reproduced"
    dips = pd.DataFrame({"beta": [5.0, 15.0, 75.0], "agreement": [0.7, 0.6, 0.99]})
    assert verdicts(dips, summary(), ABLATION)["A1"] == "not reproduced"


def test_a5_is_signed_and_counts_missing_k_sets_as_misses():
    assert verdicts(BASINS, summary(clam_delta=+0.2), ABLATION)["A5"] == "reproduced"
    assert verdicts(BASINS, summary(clam_delta=-0.05), ABLATION)["A5"] == "not reproduced"
    missing = ("iris", "wine", "digits")
    assert verdicts(BASINS, summary(at_k_missing=missing), ABLATION)["A5"] == "not reproduced"


def test_a3_without_any_k_cluster_configuration_is_not_reproduced():
    assert verdicts(BASINS, summary(at_k_missing=tuple(NAMES)), ABLATION)["A3"] == "not reproduced"


def test_a4_reports_the_gain_from_dropping_clusters():
    claims, quoted = chapter_claims(BASINS, summary(best_clusters={"digits": 6}), ABLATION)
    assert dict(zip(claims.table()["id"], claims.table()["verdict"]))["A4"] == "reproduced"
    assert (quoted["a4_set"], quoted["a4_used"], quoted["a4_k"]) == ("digits", 6, 10)


def test_a7_ignores_the_official_quirks_variant():
    # the quirks variant scores 0.9 but only the fills count: 0.45 - 0.46 < 0
    assert verdicts(BASINS, summary(), ABLATION)["A7"] == "not reproduced"


def test_a8_compares_with_skm_when_it_ran():
    assert verdicts(BASINS, summary(skm=0.3), ABLATION)["A8"] == "reproduced"
    assert verdicts(BASINS, summary(skm=0.5), ABLATION)["A8"] == "not reproduced"


def test_best_never_selects_failed_configs_and_respects_k():
    grid = pd.DataFrame({"sc": [0.9, 0.5, 0.4], "n_nonempty": [3, 2, 3], "failed": [True, False, False]})
    assert _best(grid)["sc"] == 0.5
    assert _best(grid, k=3)["sc"] == 0.4
    assert _best(grid, k=4) is None
