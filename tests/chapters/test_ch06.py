"""The skeleton chapter's math and claims: reference values, and claims that can fail.

`make new-chapter` copies this file to tests/chapters/test_chNN.py beside the chapter it creates.
"""

import math

import pandas as pd
import pytest

from paperbook.chapters import ch06 as ch
from paperbook.chapters.ch06 import claims
from paperbook.chapters.ch06 import experiments as ex
from paperbook.core.claims import NOT_REPRODUCED, REPRODUCED


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


def test_claims_reproduce_on_the_law_and_fail_off_it():
    n = pd.Series([10, 100, 1000])
    lawful = pd.DataFrame({"n": n, "err": (2 / (math.pi * n)) ** 0.5})
    table = claims.chapter_claims(errors=lawful)
    assert table.verdict("T1") == REPRODUCED and table.verdict("T2") == REPRODUCED
    assert table.quotes["slope"] == pytest.approx(-0.5)
    flat = claims.chapter_claims(errors=lawful.assign(err=0.1))
    assert flat.verdict("T1") == NOT_REPRODUCED and flat.verdict("T2") == NOT_REPRODUCED


def test_check_needs_two_sample_sizes():
    assert ch.check({"fig1_ns": [10, 10]}) and not ch.check({"fig1_ns": [10, 100]})
