"""The skeleton chapter (`make new-chapter` copies it): the sample mean's error falls as 1/sqrt(n).

Every chapter package holds these four modules: this one declares SLUG, PARAMS (the notebook's parameters cell,
typed) and check (problems involving several parameters); experiments.py, plots.py and claims.py hold one
function per paper figure, table and claim.
"""

from __future__ import annotations

from ...core.params import COMMON, Int, List

SLUG = "00_template"
BUDGET_S = 120  # the fast profile's time budget on a 2-core CPU (seconds; the golden's duration is tested)

PARAMS = {
    **COMMON,
    "fig1_ns": List(int, low=2, high=10**7, min_len=2),  # Fig 1: sample sizes n
    "fig1_trials": Int(1, 100_000),  # Fig 1: independent samples per n
}


def check(p: dict) -> list[str]:
    """Problems that involve several parameters (none here but distinct sample sizes)."""
    return [] if len(set(p["fig1_ns"])) >= 2 else ["'fig1_ns' needs at least two distinct sample sizes for a slope"]
