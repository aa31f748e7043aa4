"""The claims table: kinds, origins, rules with margins, intervals, verdicts, controls and the table's columns."""

import numpy as np
import pytest

from paperbook.core.claims import (
    CHECK,
    CLAIM_HARD,
    CLAIM_REPORTED,
    COLUMNS,
    CONTROL,
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_RUN,
    NOT_TESTABLE,
    PAPER,
    POST_HOC,
    REPRODUCED,
    REPRODUCED_POST_HOC,
    SPEC,
    Claims,
    Measure,
    Sample,
    above,
    at_least,
    at_most,
    below,
    bootstrap_measure,
    count_at_least,
    each,
    is_true,
    predicate,
    share_at_least,
    within,
)

ROW = {"source": "text", "origin": SPEC}


def test_threshold_rules_are_inclusive_or_strict_and_give_signed_margins():
    assert at_least(0.5).holds(0.5) and at_least(0.5).holds(0.9) and not at_least(0.5).holds(0.49)
    assert at_most(0.01).holds(0.01) and not at_most(0.01).holds(0.02)
    assert above(0.0).holds(0.1) and not above(0.0).holds(0.0) and below(0.0).holds(-0.1) and not below(0).holds(0)
    assert at_least(0.5).text == ">= 0.5" and at_most(0.01).text == "<= 0.01"
    assert at_least(0.9).decide(0.903).margin == pytest.approx(0.003)
    assert at_most(-0.02).decide(-0.021).margin == pytest.approx(0.001)
    assert at_least(0.5).decide(0.44).margin == pytest.approx(-0.06)


def test_fragile_within_five_percent_of_the_threshold_or_within_the_noise():
    assert at_least(0.9).decide(0.903).fragile and not at_least(0.9).decide(0.99).fragile
    assert at_least(100).decide(102.8).fragile and not at_least(100).decide(106).fragile
    assert above(0.0).decide(Measure(0.002, 0.001, 0.02)).fragile, "margin 0.002 < half-width 0.0095"
    assert not above(0.0).decide(0.002).fragile, "no threshold scale and no noise: not fragile"


def test_an_interval_straddling_the_threshold_is_inconclusive():
    assert at_least(0.5).decide(Measure(0.55, 0.45, 0.65)).holds is None
    assert at_least(0.5).decide(Measure(0.55, 0.51, 0.65)).holds is True
    assert at_least(0.5).decide(Measure(0.40, 0.30, 0.49)).holds is False
    assert within(0, 1).decide(Measure(0.5, 0.2, 0.8)).holds is True
    assert within(0, 1).decide(Measure(0.9, 0.7, 1.2)).holds is None
    assert within(0, 1).decide(Measure(2.0, 1.5, 2.5)).holds is False


def test_bootstrap_interval_is_seeded_and_covers_the_mean():
    values = np.random.default_rng(0).normal(0.1, 1.0, 48)
    a, b = bootstrap_measure(values, seed=3), bootstrap_measure(values, seed=3)
    assert a == b and a.low < a.value < a.high and a.value == pytest.approx(values.mean())
    assert 0.4 < a.high - a.low < 0.8, "about 2 x 1.96 / sqrt(48)"
    constant = bootstrap_measure([0.2, 0.2, 0.2], seed=0)
    assert constant.low == constant.value == constant.high == pytest.approx(0.2)


def test_a_two_way_sample_resamples_items_and_sets():
    """Queries x demonstration sets: when the sets disagree, the crossed bootstrap's interval is wider than the one
    that treats the (query, set) cells as independent items; one set is the 1-D bootstrap; it is seeded."""
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 0.3, (48, 4)) + np.array([0.4, -0.2, 0.3, -0.1])  # (queries, sets): a set effect
    crossed, flat = bootstrap_measure(x, seed=2), bootstrap_measure(x.ravel(), seed=2)
    assert crossed.value == pytest.approx(x.mean()) and crossed.low < crossed.value < crossed.high
    assert crossed.high - crossed.low > 2 * (flat.high - flat.low)
    assert bootstrap_measure(x, seed=2) == crossed != bootstrap_measure(x, seed=3)
    assert bootstrap_measure(x[:, :1], seed=2) == bootstrap_measure(x[:, 0], seed=2)
    with pytest.raises(ValueError, match="1-D"):
        Sample(np.zeros((2, 2, 2)))


def test_each_needs_every_part_and_reports_the_binding_margin():
    rule = each({"nmi": at_least(0.9), "gap": at_most(0.01)})
    assert rule.holds({"nmi": 0.95, "gap": 0.0})
    assert not rule.holds({"nmi": 0.95, "gap": 0.02}) and not rule.holds({"nmi": 0.5, "gap": 0.0})
    assert not rule.holds({"nmi": 0.95}), "a missing value fails"
    assert rule.decide({"nmi": 0.95, "gap": 0.0}).margin == pytest.approx(0.01)
    assert rule.text == "nmi >= 0.9; gap <= 0.01"
    assert rule.decide({"nmi": Measure(0.95, 0.85, 0.99), "gap": 0.0}).holds is None
    assert rule.decide({"nmi": Measure(0.95, 0.85, 0.99), "gap": 0.5}).holds is False


def test_count_and_share_at_least_treat_none_as_a_miss_or_as_not_run():
    rule = count_at_least(2, at_least(0.5))
    assert rule.holds({"a": 0.6, "b": 0.7, "c": 0.1})
    assert not rule.holds({"a": 0.6, "b": None, "c": 0.1}) and not rule.holds({"a": None, "b": None})
    assert rule.decide({"a": 0.6, "b": 0.7, "c": 0.1}).margin == pytest.approx(0.1), "the 2nd best margin"
    assert rule.text == ">= 0.5 on >= 2 of the sets"
    two_thirds = share_at_least(2 / 3, at_least(0.5))
    assert two_thirds.holds({"a": 0.6, "b": 0.7, "c": 0.1, "d": None}), "2 of the 3 run"
    assert not two_thirds.holds({"a": 0.6, "b": 0.1, "c": 0.1, "d": 0.1, "e": 0.9, "f": 0.9}), "3 of 6 < 4"
    assert two_thirds.holds({k: 0.9 for k in "abcd"} | {"e": 0.1, "f": 0.1}), "4 of 6"


def test_verdicts_of_paper_claims():
    claims = Claims()
    assert claims.add("c1", "beats k-means", "0.5", 0.61, at_least(0.5), kind=CLAIM_HARD, **ROW) == REPRODUCED
    assert claims.add("c2", "small gap", "0.0", 0.2, at_most(0.01), kind=CLAIM_HARD, **ROW) == NOT_REPRODUCED
    assert claims.add("c3", "full only", "0.9", None, at_least(0.9), kind=CLAIM_REPORTED, **ROW) == NOT_RUN
    assert claims.add("c4", "noisy", "+", Sample([0.3, -0.2, 0.1, -0.1, 0.2]), above(0.0), kind=CLAIM_HARD,
                      **ROW) == INCONCLUSIVE
    assert claims.add("c5", "tuned", "0.5", 0.6, at_least(0.5), kind=CLAIM_HARD, source="text", origin=POST_HOC,
                      note="lowered from 0.7 after the first run") == REPRODUCED_POST_HOC
    assert claims.table()["verdict"].tolist() == [REPRODUCED, NOT_REPRODUCED, NOT_RUN, INCONCLUSIVE,
                                                  REPRODUCED_POST_HOC]
    with pytest.raises(KeyError, match="c9"):
        claims.verdict("c9")


def test_checks_and_controls_hold_or_fail_and_a_failed_control_makes_claims_untestable():
    claims = Claims()
    claims.add("G6", "baseline fails on add-jump", "0.0", 0.01, at_most(0.1), kind=CLAIM_HARD, **ROW)
    claims.add("G1", "CPG generalises", "1.0", 1.0, at_least(0.99), kind=CLAIM_HARD, **ROW)
    claims.add("K", "cache equals plain", "-", 1e-6, at_most(1e-4), kind=CHECK, **ROW)
    claims.add("B", "baseline fits its training data", "0.95", 0.59, at_least(0.95), kind=CONTROL, guards=["G6"],
               **ROW)
    assert claims.verdict("K") == HOLDS and claims.verdict("B") == FAILS
    assert claims.verdict("G6") == NOT_TESTABLE and claims.verdict("G1") == REPRODUCED
    assert claims.failed_checks() == []
    table = claims.table().set_index("id")
    assert table.loc["G6", "note"] == "control B failed"
    assert table["kind"].tolist() == [CLAIM_HARD, CLAIM_HARD, CHECK, CONTROL], "paper claims first"


def test_kind_and_origin_are_required_and_checked():
    claims = Claims()
    with pytest.raises(TypeError):
        claims.add("c0", "s", "p", 1.0, at_least(0.0), source="text", origin=SPEC)
    with pytest.raises(ValueError, match="kind"):
        claims.add("c1", "s", "p", 1.0, at_least(0.0), kind="soft", **ROW)
    with pytest.raises(ValueError, match="origin"):
        claims.add("c2", "s", "p", 1.0, at_least(0.0), kind=CHECK, source="text", origin="ours")
    with pytest.raises(ValueError, match="post-hoc"):
        claims.add("c3", "s", "p", 1.0, at_least(0.0), kind=CLAIM_HARD, source="text", origin=POST_HOC)
    with pytest.raises(ValueError, match="control"):
        claims.add("c4", "s", "p", 1.0, at_least(0.0), kind=CHECK, guards=["c1"], **ROW)


def test_quotes_are_rounded_plain_values_set_once():
    claims = Claims()
    claims.quote("slope", np.float64(-0.45714398865866857))
    claims.quote("name", "iris")
    assert claims.quotes == {"slope": -0.457144, "name": "iris"} and type(claims.quotes["slope"]) is float
    with pytest.raises(ValueError, match="slope"):
        claims.quote("slope", 1.0)


def test_duplicate_id_raises():
    claims = Claims()
    claims.add("a1", "s", "p", 1.0, at_least(0.0), kind=CLAIM_HARD, **ROW)
    with pytest.raises(ValueError, match="a1"):
        claims.add("a1", "other", "p", 2.0, at_least(0.0), kind=CLAIM_HARD, **ROW)
    assert len(claims.table()) == 1


def test_table_columns_and_formatting():
    claims = Claims(digits=2)
    assert claims.table().columns.tolist() == COLUMNS and claims.table().empty
    claims.add("x", "stmt", "0.97", 0.98765, at_least(0.9), kind=CLAIM_HARD, source="Fig 2", origin=PAPER,
               note="seed 0")
    claims.add("y", "stmt", "-", {"iris": 0.5, "wine": None}, count_at_least(1, at_least(0.4)),
               kind=CLAIM_REPORTED, **ROW)
    claims.add("z", "stmt", "-", None, at_least(0.9), kind=CLAIM_REPORTED, **ROW)
    claims.add("w", "stmt", "-", Sample([1.0, 2.0, 3.0, 4.0]), above(0.0), kind=CLAIM_REPORTED, **ROW)
    claims.add("t", "stmt", "-", True, is_true(), kind=CHECK, **ROW)
    rows = claims.table().set_index("id")
    assert rows.loc["x"].to_dict() == {"kind": CLAIM_HARD, "source": "Fig 2", "claim": "stmt", "paper": "0.97",
                                       "ours": "0.99", "rule": ">= 0.9", "origin": PAPER, "margin": "+0.09",
                                       "interval": "", "verdict": REPRODUCED, "fragile": False, "volatile": False,
                                       "note": "seed 0"}
    assert rows.loc["y", "ours"] == "iris: 0.50, wine: n/a" and rows.loc["z", "ours"] == "n/a"
    assert rows.loc["z", "margin"] == "" and rows.loc["t", "margin"] == ""
    assert rows.loc["w", "ours"] == "2.50" and rows.loc["w", "interval"].startswith("[1.")


def test_significant_digits_keep_small_errors_readable():
    claims = Claims(digits=2, significant=True)
    claims.add("e", "error", "-", {"err": 0.000731, "slope": -0.4871},
               each({"err": at_most(1e-3), "slope": at_most(-0.4)}), kind=CLAIM_HARD, **ROW)
    row = claims.table().iloc[0]
    assert row["ours"] == "err: 0.00073, slope: -0.49" and row["verdict"] == REPRODUCED
    assert row["margin"] == "+0.00027"


def test_within_is_inclusive_and_its_margin_is_the_distance_to_the_nearer_bound():
    assert within(-0.6, -0.4).holds(-0.6) and within(-0.6, -0.4).holds(-0.5) and not within(-0.6, -0.4).holds(-0.39)
    assert within(-0.6, -0.4).text == "in [-0.6, -0.4]"
    assert within(-0.6, -0.4).decide(-0.45).margin == pytest.approx(0.05)


def test_predicate_rules_have_no_margin():
    rule = predicate("a > b", lambda o: o["a"] > o["b"])
    assert rule.holds({"a": 2, "b": 1}) and rule.decide({"a": 2, "b": 1}).margin is None


def test_a_count_exactly_at_a_zero_threshold_is_not_fragile():
    assert not at_most(0).decide(0).fragile


def test_a_check_exactly_at_its_bound_holds_and_is_not_marked_fragile():
    claims = Claims()
    claims.add("T9", "depth within the grammar's bound", "5", 5, at_most(5), kind=CHECK, **ROW)
    claims.add("T4", "accuracy", "0.97", 0.98, at_least(0.97), kind=CLAIM_HARD, **ROW)
    fragile = claims.table().set_index("id")["fragile"]
    assert not fragile["T9"] and fragile["T4"]


def test_a_volatile_row_shows_its_verdict_only_in_the_compared_text():
    from paperbook.core.display import claims_text

    claims = Claims()
    claims.add("N4", "faster", "0.57", 2.804, at_most(0.57), kind=CLAIM_REPORTED, source="abstract", origin=PAPER,
               volatile=True)
    assert claims.table()["volatile"].tolist() == [True] and claims.table()["ours"].iloc[0] == "2.804"
    text = claims_text(claims.table())
    assert "2.804" not in text and "(timing)" in text and "not reproduced" in text


def test_an_untestable_row_is_never_fragile_and_verdicts_are_quoted_by_the_table():
    claims = Claims()
    claims.add("G1", "perfect", "1.0", 1.0, at_least(1.0), kind=CLAIM_HARD, **ROW)
    claims.add("G12", "trivial learner below", "<1", 0.2, at_least(0.5), kind=CONTROL, guards=["G1"], **ROW)
    assert claims.verdict("G1") == NOT_TESTABLE and not claims.table().set_index("id").loc["G1", "fragile"]
    assert claims.verdict_quotes() == {"g1_verdict": NOT_TESTABLE, "g12_verdict": FAILS}
    with pytest.raises(ValueError, match="verdict"):
        claims.quote("g1_verdict", "reproduced")


def test_a_volatile_value_is_marked_in_the_html():
    from paperbook.core.display import claims_html

    claims = Claims()
    claims.add("N4", "faster", "0.57", 2.804, at_most(0.57), kind=CLAIM_REPORTED, source="abstract", origin=PAPER,
               volatile=True)
    assert '<span class="claims-volatile">2.804</span>' in claims_html(claims.table())
