"""The generated pages count paper claims only: checks and controls are listed apart, never as reproductions."""

import pandas as pd

from paperbook.core.claims import CHECK, CLAIM_HARD, CLAIM_REPORTED, CONTROL, SPEC, Claims, at_least, at_most
from paperbook.core.pages import Shown, chapter_table, claim_counts


def table() -> pd.DataFrame:
    claims = Claims()
    add = dict(source="text", origin=SPEC)
    claims.add("H1", "s", "p", 0.9, at_least(0.5), kind=CLAIM_HARD, **add)
    claims.add("H2", "s", "p", 0.1, at_least(0.5), kind=CLAIM_HARD, **add)
    claims.add("H3", "s", "p", None, at_least(0.5), kind=CLAIM_HARD, **add)
    claims.add("R1", "s", "p", 0.9, at_least(0.5), kind=CLAIM_REPORTED, **add)
    claims.add("K1", "s", "p", 0.0, at_most(0.0), kind=CHECK, **add)
    claims.add("K2", "s", "p", 0.0, at_most(0.0), kind=CHECK, **add)
    claims.add("C1", "s", "p", 0.1, at_least(0.5), kind=CONTROL, guards=["R1"], **add)
    return claims.table()


def test_checks_and_controls_are_not_counted_as_reproduced_claims():
    hard, reported, machinery = claim_counts(table())
    assert hard == "1 of 2 reproduced (1 not reproduced, 1 not run)"
    assert reported == "0 of 1 reproduced (1 not testable here)"
    assert machinery == "2 checks, all hold; 1 control, 1 failed"


def test_chapter_table_has_a_column_for_checks_and_controls():
    text = chapter_table([Shown("01_x", "Chapter one", None, table())])
    assert "| [Chapter one](chapters/01_x.ipynb) | 1 of 2 reproduced" in text and "2 checks" in text


def test_a_record_without_kinds_is_not_counted():
    old = pd.DataFrame({"id": ["A"], "kind": ["hard"], "verdict": ["reproduced"]})
    assert claim_counts(old)[0] == "record predates claim kinds"
