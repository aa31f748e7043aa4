"""The skeleton chapter's math and claims: reference values, and claims that can fail.

`make new-chapter` copies this file to tests/chapters/test_chNN.py beside the chapter it creates.
"""

import math

import pandas as pd
import pytest

from paperbook.chapters import _template as ch
from paperbook.chapters._template import claims, plots
from paperbook.chapters._template import experiments as ex
from paperbook.core.claims import FAILS, HOLDS, NOT_REPRODUCED, NOT_TESTABLE, REPRODUCED, CheckFailed
from paperbook.core.run import start


def test_loglog_slope_of_an_exact_power_law():
    assert ex.loglog_slope([10, 100, 1000], [1.0, 0.1, 0.01]) == pytest.approx(-1.0)


def test_error_matches_the_exact_mean_absolute_error():
    errors = ex.error_vs_samples([4, 64], 20000, seed=0, device="cpu").set_index("n")
    for n in (4, 64):
        assert errors.loc[n, "err"] == pytest.approx(math.sqrt(2 / (math.pi * n)), abs=4 * errors.loc[n, "se"])


def test_runs_are_reproducible_and_streams_differ_per_n():
    a, b = (ex.error_vs_samples([10, 20], 50, seed=3, device="cpu") for _ in range(2))
    pd.testing.assert_frame_equal(a, b)
    assert ex.error_vs_samples([10], 50, seed=4, device="cpu")["err"][0] != a["err"][0]


def test_the_figure_draws_the_measured_errors_and_the_exact_line():
    import matplotlib.pyplot as plt

    fig = plots.plot_error_vs_samples(lawful_errors())
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert len(ax.get_lines()) >= 2  # the exact line and the measured points
    plt.close(fig)


def lawful_errors(se: float = 0.001) -> pd.DataFrame:
    n = pd.Series([10, 100, 1000])
    err = (2 / (math.pi * n)) ** 0.5
    return pd.DataFrame({"n": n, "err": err, "se": se * err})


def test_claims_reproduce_on_the_law_and_fail_off_it():
    table = claims.chapter_claims(errors=lawful_errors())
    assert table.verdict("T1") == REPRODUCED and table.verdict("T2") == REPRODUCED
    assert table.verdict("K1") == HOLDS and table.verdict("C1") == HOLDS
    assert table.quotes["slope"] == pytest.approx(-0.5)
    flat = claims.chapter_claims(errors=lawful_errors().assign(err=5.0))
    assert flat.verdict("T1") == NOT_REPRODUCED and flat.verdict("T2") == NOT_REPRODUCED


def test_a_failed_control_makes_its_claims_untestable():
    noisy = claims.chapter_claims(errors=lawful_errors(se=0.5))
    assert noisy.verdict("C1") == FAILS
    assert noisy.verdict("T1") == NOT_TESTABLE and noisy.verdict("T2") == NOT_TESTABLE
    assert noisy.table().set_index("id").loc["T1", "note"].startswith("control C1 failed")


def test_a_failed_check_stops_the_run_before_anything_is_published(tmp_path):
    broken = lawful_errors().assign(err=[0.1, float("nan"), 0.01])
    table = claims.chapter_claims(errors=broken)
    assert table.failed_checks() == ["K1"]
    params = {"profile": "fast", "seed": 0, "device": "cpu", "fig1_ns": [10, 100], "fig1_trials": 10}
    with start(params, ch, threads=1, root=tmp_path) as run, pytest.raises(CheckFailed, match="K1"):
        run.claims(table)
    assert not (tmp_path / ".cache" / "figures" / ch.SLUG).exists(), "a failed run publishes nothing"


def test_check_needs_two_sample_sizes():
    assert ch.check({"fig1_ns": [10, 10]}) and not ch.check({"fig1_ns": [10, 100]})
