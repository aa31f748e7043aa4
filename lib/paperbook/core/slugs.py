"""A chapter's slug, NN_<lower_snake_case>, and the number it starts with: the one place both are read."""

from __future__ import annotations

import re

NOTEBOOK = re.compile(r"^(\d\d)_[a-z0-9_]+$")


def number(slug: str) -> int:
    """The chapter number of a slug ('06_neural_reasoning_networks' -> 6); a slug not NN_<lower_snake> is an error."""
    match = NOTEBOOK.match(slug)
    if not match:
        raise ValueError(f"a chapter slug is NN_<lower_snake_case>, got {slug!r}")
    return int(match.group(1))
