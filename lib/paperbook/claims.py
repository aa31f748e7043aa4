"""The claims table: the paper's statement and value beside ours, with a verdict computed from a rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd

REPRODUCED, NOT_REPRODUCED, NOT_RUN = "reproduced", "not reproduced", "not run"


@dataclass(frozen=True)
class Rule:
    """A threshold that decides a claim: `holds(ours)` and the same threshold in words."""
    text: str
    holds: Callable[[object], bool]


def at_least(t: float) -> Rule:
    return Rule(f">= {t:g}", lambda x: x >= t)


def above(t: float) -> Rule:
    return Rule(f"> {t:g}", lambda x: x > t)


def at_most(t: float) -> Rule:
    return Rule(f"<= {t:g}", lambda x: x <= t)


def within(low: float, high: float) -> Rule:
    return Rule(f"in [{low:g}, {high:g}]", lambda x: low <= x <= high)


def is_true() -> Rule:
    return Rule("true", bool)


def each(rules: Mapping[str, Rule]) -> Rule:
    """Every named value meets its own rule; ours is a mapping name -> value (a missing or None value fails)."""
    text = "; ".join(f"{k} {r.text}" for k, r in rules.items())
    return Rule(text, lambda ours: all(ours.get(k) is not None and r.holds(ours[k]) for k, r in rules.items()))


def count_at_least(n: int, rule: Rule) -> Rule:
    """At least n of the values (a mapping) meet the rule; a None value counts as a miss."""
    def holds(ours):
        return sum(v is not None and rule.holds(v) for v in ours.values()) >= n
    return Rule(f"{rule.text} on >= {n} of the sets", holds)


def _fmt(value, digits: int, significant: bool = False) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}g}" if significant else f"{value:.{digits}f}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_fmt(v, digits, significant)}" for k, v in value.items())
    return str(value)


class Claims:
    """Collects claims in order; `table()` is what the chapter shows and writes to claims.csv."""

    def __init__(self, digits: int = 3, significant: bool = False):
        """Floats are shown with `digits` decimals, or `digits` significant digits when `significant`."""
        self.rows: list[dict] = []
        self.digits, self.significant = digits, significant

    def add(self, cid: str, statement: str, paper: str, ours, rule: Rule, *, kind: str = "hard",
            note: str = "") -> str:
        """Record a claim; ours=None means the experiment did not run in this profile. Returns the verdict."""
        if any(r["id"] == cid for r in self.rows):
            raise ValueError(f"claim {cid!r} added twice")
        verdict = NOT_RUN if ours is None else (REPRODUCED if rule.holds(ours) else NOT_REPRODUCED)
        ours_text = _fmt(ours, self.digits, self.significant)
        self.rows.append({"id": cid, "claim": statement, "paper": paper, "ours": ours_text,
                          "threshold": rule.text, "verdict": verdict, "kind": kind, "note": note})
        return verdict

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["id", "claim", "paper", "ours", "threshold", "verdict", "kind",
                                                "note"])
