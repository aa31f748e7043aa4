"""The claims table: the paper's statement and value beside ours, with a verdict computed from a rule.

A row is one of four kinds, declared by every `Claims.add` (there is no default):
- ``claim-hard``: a statement of the paper that this chapter's settings are expected to reproduce;
- ``claim-reported``: a statement of the paper, measured and shown whatever the outcome;
- ``check``: our own machinery, or a consequence of a construction or a theorem; it must hold, and a failed check
  fails the run (`Run.claims` raises `CheckFailed`), as an assertion would;
- ``control``: guards a protocol (a baseline that must fit its training data, a negative control); when it fails,
  the claims it guards read "not testable here" instead of "not reproduced".

Every rule says where its threshold comes from (`origin`): the paper, the spec (both set before any run), a theorem,
or ``post hoc`` (set after a value was seen; such a row never reads plain "reproduced"). A rule decides with a
signed margin in the metric's units (>= 0 where it holds); a verdict is *fragile* when that margin is within the
metric's noise (its interval's half-width) or within 5% of a non-zero threshold (a check holds or fails: never
fragile). A value given as `Sample` (per-item
values: queries, test rows, data sets) gets a seeded 95% bootstrap interval (`scipy.stats.bootstrap`), and its
verdict is "inconclusive" when the interval straddles the threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

# Verdicts of paper claims, and of checks and controls.
REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE = "reproduced", "not reproduced", "inconclusive"
REPRODUCED_POST_HOC = "reproduced (post hoc)"
NOT_TESTABLE, NOT_RUN = "not testable here", "not run"
HOLDS, FAILS = "holds", "fails"
VERDICTS = (REPRODUCED, REPRODUCED_POST_HOC, NOT_REPRODUCED, INCONCLUSIVE, NOT_TESTABLE, NOT_RUN, HOLDS, FAILS)

CLAIM_HARD, CLAIM_REPORTED, CHECK, CONTROL = "claim-hard", "claim-reported", "check", "control"
KINDS = (CLAIM_HARD, CLAIM_REPORTED, CHECK, CONTROL)
PAPER_KINDS = (CLAIM_HARD, CLAIM_REPORTED)
PAPER, SPEC, THEORY, POST_HOC = "paper", "spec", "theory", "post hoc"
ORIGINS = (PAPER, SPEC, THEORY, POST_HOC)

FRAGILE_SHARE = 0.05  # a margin within 5% of the threshold is fragile
CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
COLUMNS = ["id", "kind", "source", "claim", "paper", "ours", "rule", "origin", "margin", "interval", "verdict",
           "fragile", "volatile", "note"]


class CheckFailed(AssertionError):
    """A check of our own machinery failed: the run stops, as an assertion would."""


# --- values: a number, or per-item values with a bootstrap interval -----------------------------------------------

@dataclass(frozen=True)
class Sample:
    """Per-item values whose mean is the claim's value: one per query, test row or data set, or a 2-D array (items
    x sets, e.g. test queries x demonstration sets) when two sources of noise cross, so that the interval
    resamples both. Paired comparisons pass the per-item differences of two methods measured on the same items."""
    values: Sequence[float] | np.ndarray

    def __post_init__(self):
        if np.size(self.values) == 0:
            raise ValueError("a Sample needs at least one value")
        if np.ndim(self.values) > 2:
            raise ValueError(f"a Sample is 1-D (items) or 2-D (items x sets), got shape {np.shape(self.values)}")


@dataclass(frozen=True)
class Measure:
    """A value and, when it is a mean over items, its 95% interval."""
    value: float
    low: float | None = None
    high: float | None = None

    @property
    def half_width(self) -> float | None:
        return None if self.low is None else (self.high - self.low) / 2


def bootstrap_measure(values: Sequence[float] | np.ndarray, seed: int) -> Measure:
    """Mean and seeded 95% percentile-bootstrap interval of per-item values (a constant sample has a point
    interval); 2-D values (items x sets) get the crossed bootstrap of `crossed_bootstrap`."""
    x = np.asarray(values, dtype=float)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    mean = float(x.mean())
    if x.shape[0] < 2 or not np.isfinite(x).all() or np.ptp(x) == 0:
        return Measure(mean, mean, mean)
    if x.ndim == 2:
        return crossed_bootstrap(x, seed)
    res = stats.bootstrap((x,), np.mean, confidence_level=CONFIDENCE, n_resamples=BOOTSTRAP_RESAMPLES,
                          method="percentile", random_state=np.random.default_rng(seed))
    return Measure(mean, float(res.confidence_interval.low), float(res.confidence_interval.high))


def crossed_bootstrap(x: np.ndarray, seed: int) -> Measure:
    """Mean and seeded 95% percentile interval of an (items, sets) array under the crossed ("two-way") bootstrap:
    each resample draws items and sets with replacement, independently, and averages the cells they pick, so the
    interval carries the noise of both (Owen 2007, "The pigeonhole bootstrap"). Written out because
    scipy.stats.bootstrap resamples one axis: a resample's mean is (item weights) @ x @ (set weights), the weights
    being how often each row and column was drawn."""
    rng = np.random.default_rng(seed)
    n, m = x.shape
    rows = rng.multinomial(n, np.full(n, 1 / n), size=BOOTSTRAP_RESAMPLES) / n   # (B, n)
    cols = rng.multinomial(m, np.full(m, 1 / m), size=BOOTSTRAP_RESAMPLES) / m   # (B, m)
    means = np.einsum("bi,ij,bj->b", rows, x, cols)                             # (B,)
    low, high = np.quantile(means, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return Measure(float(x.mean()), float(low), float(high))


# --- rules: a three-valued decision with a signed margin ------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    """What a rule says of a value: holds (True, False, or None when the interval straddles the threshold), the
    signed margin in the metric's units (>= 0 where it holds; None for a yes/no rule), the threshold it was measured
    against, and the noise (interval half-width) of the deciding value."""
    holds: bool | None
    margin: float | None = None
    threshold: float | None = None
    noise: float | None = None

    @property
    def fragile(self) -> bool:
        if self.margin is None or self.holds is None:
            return False
        near = bool(self.threshold) and abs(self.margin) <= FRAGILE_SHARE * abs(self.threshold)  # 0: noise only
        return near or (self.noise is not None and abs(self.margin) <= self.noise)


@dataclass(frozen=True)
class Rule:
    """A rule that decides a claim, with its text: `decide(ours)` gives a Decision; `holds(ours)` its point verdict."""
    text: str
    decide: Callable[[object], Decision]

    def holds(self, ours) -> bool:
        return bool(self.decide(ours).holds)


def predicate(text: str, test: Callable[[object], bool]) -> Rule:
    """A yes/no rule without a margin (an ordering, a set equality)."""
    return Rule(text, lambda x: Decision(bool(test(x))))


def _threshold(text: str, t: float, margin: Callable[[float], float], strict: bool = False) -> Rule:
    """A comparison with threshold t; margin(x) >= 0 (> 0 when strict) where it holds. An interval decides only
    when both of its ends fall on the same side."""
    def ok(x: float) -> bool:
        m = margin(x)
        return m > 0 if strict else m >= 0

    def decide(x) -> Decision:
        m = x if isinstance(x, Measure) else Measure(float(x))
        holds = ok(m.value)
        if m.low is not None and ok(m.low) != ok(m.high):
            holds = None
        return Decision(holds, float(margin(m.value)), t, m.half_width)
    return Rule(text, decide)


def at_least(t: float) -> Rule:
    return _threshold(f">= {t:g}", t, lambda x: x - t)


def above(t: float) -> Rule:
    return _threshold(f"> {t:g}", t, lambda x: x - t, strict=True)


def at_most(t: float) -> Rule:
    return _threshold(f"<= {t:g}", t, lambda x: t - x)


def below(t: float) -> Rule:
    return _threshold(f"< {t:g}", t, lambda x: t - x, strict=True)


def within(low: float, high: float) -> Rule:
    """low <= x <= high; the margin is the distance to the nearer bound (the threshold reported)."""
    def decide(x) -> Decision:
        m = x if isinstance(x, Measure) else Measure(float(x))
        nearer = low if abs(m.value - low) <= abs(m.value - high) else high
        inside = [low <= v <= high for v in ((m.value,) if m.low is None else (m.low, m.high))]
        holds = (low <= m.value <= high) if all(inside) == any(inside) else None
        if m.low is not None and not any(inside) and m.low < low and m.high > high:
            holds = None  # an interval spanning the whole window
        return Decision(holds, min(m.value - low, high - m.value), nearer, m.half_width)
    return Rule(f"in [{low:g}, {high:g}]", decide)


def is_true() -> Rule:
    return predicate("true", bool)


def _parts(rules: Mapping[str, Rule], ours) -> dict[str, Decision]:
    return {k: (r.decide(ours[k]) if ours.get(k) is not None else Decision(False)) for k, r in rules.items()}


def _binding(decisions: list[Decision]) -> Decision:
    """The decision with the smallest margin (the one closest to failing)."""
    scored = [d for d in decisions if d.margin is not None]
    return min(scored, key=lambda d: d.margin) if scored else Decision(None)


def each(rules: Mapping[str, Rule]) -> Rule:
    """Every named value meets its own rule; ours is a mapping name -> value (a missing or None value fails). The
    margin is the smallest of the parts' margins."""
    def decide(ours) -> Decision:
        parts = list(_parts(rules, ours).values())
        states = [d.holds for d in parts]
        holds = False if False in states else (None if None in states else True)
        b = _binding(parts)
        return Decision(holds, b.margin, b.threshold, b.noise)
    return Rule("; ".join(f"{k} {r.text}" for k, r in rules.items()), decide)


def count_at_least(n: int, rule: Rule) -> Rule:
    """At least n of the values (a mapping) meet the rule; a None value counts as a miss. The margin is the n-th
    largest margin: >= 0 exactly when n values hold."""
    def decide(ours) -> Decision:
        parts = [rule.decide(v) if v is not None else Decision(False) for v in ours.values()]
        sure = sum(d.holds is True for d in parts)
        possible = sure + sum(d.holds is None for d in parts)
        holds = True if sure >= n else (False if possible < n else None)
        ranked = sorted((d for d in parts if d.margin is not None), key=lambda d: d.margin, reverse=True)
        b = ranked[n - 1] if len(ranked) >= n else Decision(None)
        return Decision(holds, b.margin, b.threshold, b.noise)
    return Rule(f"{rule.text} on >= {n} of the sets", decide)


def share_at_least(share: float, rule: Rule) -> Rule:
    """At least `share` of the values run (a mapping; None = not run) meet the rule."""
    def decide(ours) -> Decision:
        ran = {k: v for k, v in ours.items() if v is not None}
        return count_at_least(max(1, math.ceil(share * len(ran) - 1e-9)), rule).decide(ran)
    return Rule(f"{rule.text} on >= {share:.3g} of the sets run", decide)


# --- the table -----------------------------------------------------------------------------------------------------

def _fmt(value, digits: int, significant: bool = False) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Measure):
        return _fmt(value.value, digits, significant)
    if isinstance(value, (float, np.floating)):
        return f"{value:.{digits}g}" if significant else f"{value:.{digits}f}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_fmt(v, digits, significant)}" for k, v in value.items())
    return str(value)


def _interval_text(ours, digits: int, significant: bool) -> str:
    """'[low, high]' of a Measure, or 'name [low, high]; ...' of a mapping holding Measures; '' without one."""
    def one(m):
        return f"[{_fmt(m.low, digits, significant)}, {_fmt(m.high, digits, significant)}]"
    if isinstance(ours, Measure) and ours.low is not None:
        return one(ours)
    if isinstance(ours, Mapping):
        return "; ".join(f"{k} {one(v)}" for k, v in ours.items() if isinstance(v, Measure) and v.low is not None)
    return ""


@dataclass
class _Row:
    cid: str
    kind: str
    source: str
    statement: str
    paper: str
    ours: object
    rule: Rule
    origin: str
    note: str
    guards: tuple[str, ...] = ()
    volatile: bool = False
    decision: Decision = field(default_factory=lambda: Decision(None))


class Claims:
    """Collects rows in order; `table()` is what the chapter shows and writes to claims.csv: paper claims first,
    then checks and controls. `quote(key, value)` records a value the prose cites ({glue:text}`key`), published by
    `Run.claims`."""

    def __init__(self, digits: int = 3, significant: bool = False, seed: int = 0):
        """Floats are shown with `digits` decimals, or `digits` significant digits when `significant`; `seed` seeds
        the bootstrap intervals (the run's seed)."""
        self._rows: list[_Row] = []
        self.quotes: dict[str, object] = {}
        self.digits, self.significant, self.seed = digits, significant, seed

    def _measure(self, cid: str, ours):
        """Samples become Measures (mean and bootstrap interval), also inside a mapping."""
        def one(key: str, v):
            if not isinstance(v, Sample):
                return v
            return bootstrap_measure(v.values, seed=self.seed * 7919 + sum(map(ord, key)))
        if isinstance(ours, Mapping):
            return {k: one(f"{cid}/{k}", v) for k, v in ours.items()}
        return one(cid, ours)

    def add(self, cid: str, statement: str, paper: str, ours, rule: Rule, *, kind: str, source: str, origin: str,
            note: str = "", guards: Sequence[str] = (), volatile: bool = False) -> str:
        """Record a row; ours=None means the experiment did not run in this profile. `source` is the paper's figure
        or table ("Fig 3", "Table 2", "text"); `origin` where the rule's threshold comes from (ORIGINS); a control
        names the claims it `guards`; `volatile` marks a measurement of the machine (a timing) whose value differs
        between honest runs: the text nbval compares shows its verdict only. Returns the row's verdict as it stands
        (a control added later can still turn a claim into "not testable here": read `verdict(cid)` after every row
        is in)."""
        if any(r.cid == cid for r in self._rows):
            raise ValueError(f"claim {cid!r} added twice")
        if kind not in KINDS:
            raise ValueError(f"claim {cid!r}: kind must be one of {KINDS}, got {kind!r}")
        if origin not in ORIGINS:
            raise ValueError(f"claim {cid!r}: origin must be one of {ORIGINS}, got {origin!r}")
        if guards and kind != CONTROL:
            raise ValueError(f"claim {cid!r}: only a control guards other claims")
        if origin == POST_HOC and not note:
            raise ValueError(f"claim {cid!r}: a post-hoc rule needs its reason in the note")
        ours = self._measure(cid, ours)
        row = _Row(cid, kind, source, statement, paper, ours, rule, origin, note, tuple(guards), volatile)
        if ours is not None:
            row.decision = rule.decide(ours)
        self._rows.append(row)
        return self.verdict(cid)

    def _row(self, cid: str) -> _Row:
        for row in self._rows:
            if row.cid == cid:
                return row
        raise KeyError(f"no claim {cid!r}; claims: {', '.join(r.cid for r in self._rows)}")

    def failed_controls(self, cid: str) -> list[str]:
        """The controls guarding `cid` that did not hold (not run counts as failed: the claim is untested)."""
        return [r.cid for r in self._rows if cid in r.guards and r.decision.holds is not True]

    def verdict(self, cid: str) -> str:
        """The verdict of row `cid` (see the module docstring)."""
        row = self._row(cid)
        if row.ours is None:
            return NOT_RUN
        if row.kind in (CHECK, CONTROL):
            return HOLDS if row.decision.holds else FAILS
        if self.failed_controls(cid):
            return NOT_TESTABLE
        if row.decision.holds is None:
            return INCONCLUSIVE
        if not row.decision.holds:
            return NOT_REPRODUCED
        return REPRODUCED_POST_HOC if row.origin == POST_HOC else REPRODUCED

    def failed_checks(self) -> list[str]:
        return [r.cid for r in self._rows if r.kind == CHECK and r.ours is not None and not r.decision.holds]

    def verdict_quotes(self) -> dict[str, str]:
        """'<id>_verdict' -> the verdict of every row, read once every row is in (a control added last still
        counts): the prose states a verdict only through these ({glue:text}`d3_verdict`), never by hand."""
        return {f"{r.cid.lower()}_verdict": self.verdict(r.cid) for r in self._rows}

    def quote(self, key: str, value) -> None:
        """A value the prose cites; floats are rounded to 6 significant digits (the prose shows fewer), so that
        last-bit float noise never reaches the notebook's outputs. Verdicts are quoted by `verdict_quotes`."""
        if key.endswith("_verdict"):
            raise ValueError(f"{key!r}: every row's verdict is quoted as '<id>_verdict' by the table itself")
        if key in self.quotes:
            raise ValueError(f"quoted value {key!r} set twice")
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and math.isfinite(value):
            value = float(f"{value:.6g}")
        self.quotes[key] = value

    def fragile(self, row: _Row) -> bool:
        """A decided verdict whose margin is within the noise or 5% of the threshold (see Decision.fragile); a check
        holds or fails, and an untestable, inconclusive or unrun row has nothing to be fragile about."""
        decided = self.verdict(row.cid) in (REPRODUCED, REPRODUCED_POST_HOC, NOT_REPRODUCED, HOLDS, FAILS)
        return bool(row.decision.fragile and decided and row.kind != CHECK)

    def _signed(self, value: float) -> str:
        return f"{value:+.{self.digits}{'g' if self.significant else 'f'}}"

    def _record(self, row: _Row) -> dict:
        d, fmt = row.decision, (lambda v: _fmt(v, self.digits, self.significant))
        note = row.note
        failed = self.failed_controls(row.cid) if row.kind in PAPER_KINDS else []
        if failed:
            note = f"control {', '.join(failed)} failed" + (f"; {note}" if note else "")
        return {"id": row.cid, "kind": row.kind, "source": row.source, "claim": row.statement, "paper": row.paper,
                "ours": fmt(row.ours), "rule": row.rule.text, "origin": row.origin,
                "margin": "" if d.margin is None or row.ours is None else self._signed(d.margin),
                "interval": _interval_text(row.ours, self.digits, self.significant),
                "verdict": self.verdict(row.cid),
                "fragile": self.fragile(row), "volatile": row.volatile,
                "note": note}

    def table(self) -> pd.DataFrame:
        """Every row, paper claims first, then checks, then controls (each group in the order added)."""
        order = {k: i for i, k in enumerate((CLAIM_HARD, CHECK, CONTROL))}
        rows = sorted(self._rows, key=lambda r: order.get(r.kind if r.kind != CLAIM_REPORTED else CLAIM_HARD))
        return pd.DataFrame([self._record(r) for r in rows], columns=COLUMNS)
