"""The skeleton's claims: one function per claim, keyword inputs, the paper's value and a rule beside ours."""

from __future__ import annotations

import math

import pandas as pd

from ...core.claims import HARD, REPORTED, Claims, within
from .experiments import loglog_slope


def slope(claims: Claims, *, errors: pd.DataFrame) -> None:
    """T1: the error falls as n^(-1/2)."""
    value = loglog_slope(errors["n"], errors["err"])
    claims.quote("slope", value)
    claims.add("T1", "the error of the sample mean falls as 1/sqrt(n): log-log slope", "-0.5", value,
               within(-0.6, -0.4), kind=HARD, source="Fig 1")


def constant(claims: Claims, *, errors: pd.DataFrame) -> None:
    """T2: sqrt(n) times the error approaches sqrt(2/pi), the mean of |N(0, 1)| (a threshold of ours)."""
    value = float((errors["err"] * errors["n"] ** 0.5).mean())
    claims.add("T2", "sqrt(n) * mean error approaches sqrt(2/pi) = 0.798", f"{math.sqrt(2 / math.pi):.3f}", value,
               within(0.75, 0.85), kind=REPORTED, source="text", note="threshold ours")


def chapter_claims(*, errors: pd.DataFrame) -> Claims:
    """Every claim of the chapter, in the order of the claims table."""
    claims = Claims()
    slope(claims, errors=errors)
    constant(claims, errors=errors)
    return claims
