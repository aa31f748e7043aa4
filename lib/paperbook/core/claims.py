"""The claims table: the paper's statement and value beside ours, with a verdict computed from a rule."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import pandas as pd

REPRODUCED, NOT_REPRODUCED, NOT_RUN = "reproduced", "not reproduced", "not run"
HARD = "hard"          # a claim this chapter's settings are expected to reproduce
REPORTED = "reported"  # measured and shown whatever the outcome (a trend, a threshold of ours, an unverified value)
KINDS = (HARD, REPORTED)
COLUMNS = ["id", "source", "claim", "paper", "ours", "threshold", "verdict", "kind", "note"]


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
    """Collects claims in order; `table()` is what the chapter shows and writes to claims.csv. `quote(key, value)`
    records a number the prose cites ({glue:text}`key`), published by `Run.claims`."""

    def __init__(self, digits: int = 3, significant: bool = False):
        """Floats are shown with `digits` decimals, or `digits` significant digits when `significant`."""
        self.rows: list[dict] = []
        self.quotes: dict[str, object] = {}
        self.digits, self.significant = digits, significant

    def add(self, cid: str, statement: str, paper: str, ours, rule: Rule, *, source: str, kind: str = HARD,
            note: str = "") -> str:
        """Record a claim; ours=None means the experiment did not run in this profile. `source` is the paper's
        figure or table ("Fig 3", "Table 2", "text"). Returns the verdict."""
        if any(r["id"] == cid for r in self.rows):
            raise ValueError(f"claim {cid!r} added twice")
        if kind not in KINDS:
            raise ValueError(f"claim {cid!r}: kind must be one of {KINDS}, got {kind!r}")
        verdict = NOT_RUN if ours is None else (REPRODUCED if rule.holds(ours) else NOT_REPRODUCED)
        ours_text = _fmt(ours, self.digits, self.significant)
        self.rows.append({"id": cid, "source": source, "claim": statement, "paper": paper, "ours": ours_text,
                          "threshold": rule.text, "verdict": verdict, "kind": kind, "note": note})
        return verdict

    def verdict(self, cid: str) -> str:
        """The verdict of claim `cid`."""
        for row in self.rows:
            if row["id"] == cid:
                return row["verdict"]
        raise KeyError(f"no claim {cid!r}; claims: {', '.join(r['id'] for r in self.rows)}")

    def quote(self, key: str, value) -> None:
        """A value the prose cites; floats are rounded to 6 significant digits (the prose shows fewer), so that
        last-bit float noise never reaches the notebook's outputs."""
        if key in self.quotes:
            raise ValueError(f"quoted value {key!r} set twice")
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and math.isfinite(value):
            value = float(f"{value:.6g}")
        self.quotes[key] = value

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=COLUMNS)
