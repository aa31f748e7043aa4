"""The claims table: rules, verdicts, formatting and the table's columns."""

import numpy as np
import pytest

from paperbook.core.claims import (
    HARD,
    NOT_REPRODUCED,
    NOT_RUN,
    REPORTED,
    REPRODUCED,
    Claims,
    at_least,
    at_most,
    count_at_least,
    each,
    within,
)


def test_at_least_and_at_most_are_inclusive():
    assert at_least(0.5).holds(0.5) and at_least(0.5).holds(0.9) and not at_least(0.5).holds(0.49)
    assert at_most(0.01).holds(0.01) and not at_most(0.01).holds(0.02)
    assert at_least(0.5).text == ">= 0.5" and at_most(0.01).text == "<= 0.01"


def test_each_requires_every_named_value():
    rule = each({"nmi": at_least(0.9), "gap": at_most(0.01)})
    assert rule.holds({"nmi": 0.95, "gap": 0.0})
    assert not rule.holds({"nmi": 0.95, "gap": 0.02})
    assert not rule.holds({"nmi": 0.5, "gap": 0.0})
    assert rule.text == "nmi >= 0.9; gap <= 0.01"


def test_count_at_least_treats_none_as_a_miss():
    rule = count_at_least(2, at_least(0.5))
    assert rule.holds({"a": 0.6, "b": 0.7, "c": 0.1})
    assert not rule.holds({"a": 0.6, "b": None, "c": 0.1})
    assert not rule.holds({"a": None, "b": None})
    assert rule.text == ">= 0.5 on >= 2 of the sets"


def test_verdicts():
    claims = Claims()
    assert claims.add("c1", "ClAM beats k-means", "0.5", 0.61, at_least(0.5), source="Table 2") == REPRODUCED
    assert claims.add("c2", "gap is small", "0.0", 0.2, at_most(0.01), source="text") == NOT_REPRODUCED
    assert claims.add("c3", "full profile only", "0.9", None, at_least(0.9), kind=REPORTED, source="Fig 1") == NOT_RUN
    assert claims.add("c4", "per set", "-", {"iris": 0.7, "wine": None}, count_at_least(1, at_least(0.5)),
                      source="Table 2") == REPRODUCED
    assert claims.table()["verdict"].tolist() == [REPRODUCED, NOT_REPRODUCED, NOT_RUN, REPRODUCED]
    assert claims.verdict("c2") == NOT_REPRODUCED and claims.verdict("c3") == NOT_RUN
    with pytest.raises(KeyError, match="c9"):
        claims.verdict("c9")


def test_kind_is_hard_or_reported():
    claims = Claims()
    with pytest.raises(ValueError, match="kind"):
        claims.add("c1", "s", "p", 1.0, at_least(0.0), kind="soft", source="text")
    claims.add("c2", "s", "p", 1.0, at_least(0.0), source="text")
    assert claims.table()["kind"].tolist() == [HARD]


def test_quotes_are_rounded_plain_values_set_once():
    claims = Claims()
    claims.quote("slope", np.float64(-0.45714398865866857))
    claims.quote("name", "iris")
    assert claims.quotes == {"slope": -0.457144, "name": "iris"} and type(claims.quotes["slope"]) is float
    with pytest.raises(ValueError, match="slope"):
        claims.quote("slope", 1.0)


def test_duplicate_id_raises():
    claims = Claims()
    claims.add("a1", "s", "p", 1.0, at_least(0.0), source="text")
    with pytest.raises(ValueError, match="a1"):
        claims.add("a1", "other", "p", 2.0, at_least(0.0), source="text")
    assert len(claims.table()) == 1


def test_table_columns_and_formatting():
    claims = Claims(digits=2)
    assert claims.table().columns.tolist() == ["id", "source", "claim", "paper", "ours", "threshold", "verdict",
                                               "kind", "note"]
    assert claims.table().empty
    claims.add("x", "stmt", "0.97", 0.98765, at_least(0.9), source="Fig 2", note="seed 0")
    claims.add("y", "stmt", "-", {"iris": 0.5, "wine": None}, count_at_least(1, at_least(0.4)), source="text")
    claims.add("z", "stmt", "-", None, at_least(0.9), source="text")
    row = claims.table().iloc[0].to_dict()
    assert row == {"id": "x", "source": "Fig 2", "claim": "stmt", "paper": "0.97", "ours": "0.99",
                   "threshold": ">= 0.9", "verdict": REPRODUCED, "kind": HARD, "note": "seed 0"}
    assert claims.table()["ours"].tolist()[1:] == ["iris: 0.50, wine: n/a", "n/a"]


def test_significant_digits_keep_small_errors_readable():
    claims = Claims(digits=2, significant=True)
    claims.add("e", "error", "-", {"err": 0.000731, "slope": -0.4871},
               each({"err": at_most(1e-3), "slope": at_most(-0.4)}), source="Fig 3")
    assert claims.table()["ours"].iloc[0] == "err: 0.00073, slope: -0.49"
    assert claims.table()["verdict"].iloc[0] == REPRODUCED


def test_within_is_inclusive():
    assert within(-0.6, -0.4).holds(-0.6) and within(-0.6, -0.4).holds(-0.5) and not within(-0.6, -0.4).holds(-0.39)
    assert within(-0.6, -0.4).text == "in [-0.6, -0.4]"
