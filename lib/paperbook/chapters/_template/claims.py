"""The skeleton's claims: one function per row, keyword inputs, the paper's value and a rule beside ours. The four
kinds of row: a hard and a reported paper claim, a check of our own machinery, a control that guards both claims."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...core.claims import (
    CHECK,
    CLAIM_HARD,
    CLAIM_REPORTED,
    CONTROL,
    PAPER,
    SPEC,
    THEORY,
    Claims,
    Sample,
    at_most,
    within,
)
from .experiments import loglog_slope

MAX_RELATIVE_SE = 0.1  # the control's threshold (spec): a slope from noisier points decides nothing


def slope(claims: Claims, *, errors: pd.DataFrame) -> None:
    """T1: the error falls as n^(-1/2) (Fig 1)."""
    value = loglog_slope(errors["n"], errors["err"])
    claims.quote("slope", value)
    claims.add("T1", "the error of the sample mean falls as 1/sqrt(n): log-log slope", "-0.5", value,
               within(-0.6, -0.4), kind=CLAIM_HARD, source="Fig 1", origin=PAPER)


def constant(claims: Claims, *, errors: pd.DataFrame) -> None:
    """T2: sqrt(n) times the error approaches sqrt(2/pi), the mean of |N(0, 1)|; a mean over the sample sizes."""
    scaled = Sample((errors["err"] * errors["n"] ** 0.5).tolist())
    claims.add("T2", "sqrt(n) * mean error approaches sqrt(2/pi) = 0.798 (mean over n)",
               f"{math.sqrt(2 / math.pi):.3f}", scaled, within(0.75, 0.85), kind=CLAIM_REPORTED, source="text",
               origin=SPEC)


def finite_errors(claims: Claims, *, errors: pd.DataFrame) -> None:
    """K1 (check): every error is positive and finite; anything else is a bug in the experiment."""
    bad = int((~np.isfinite(errors["err"]) | (errors["err"] <= 0)).sum())
    claims.add("K1", "every measured error is positive and finite: rows that are not", "(machinery)", bad,
               at_most(0), kind=CHECK, source="code", origin=THEORY)


def enough_trials(claims: Claims, *, errors: pd.DataFrame) -> None:
    """C1 (control): the standard error is at most a tenth of the error at every n, else T1 and T2 decide nothing."""
    worst = float((errors["se"] / errors["err"]).max())
    claims.add("C1", "enough trials: largest standard error / error over n", "(protocol)", worst,
               at_most(MAX_RELATIVE_SE), kind=CONTROL, source="spec", origin=SPEC, guards=("T1", "T2"))


def chapter_claims(*, errors: pd.DataFrame) -> Claims:
    """Every row of the chapter's claims table."""
    claims = Claims()
    slope(claims, errors=errors)
    constant(claims, errors=errors)
    finite_errors(claims, errors=errors)
    enough_trials(claims, errors=errors)
    return claims
