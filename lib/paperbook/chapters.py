"""Registry of chapters: slug -> where its papermill parameter spec lives (used by the contract tests)."""

from __future__ import annotations

import importlib

PARAM_SPECS = {
    "01_dense_am_random_features": "paperbook.memory.drdam_experiments:PARAMS",
    "02_am_clustering": "paperbook.memory.experiments:PARAMS",
}


def param_spec(slug: str) -> dict:
    """The chapter's parameter spec (name -> paperbook.params.Param)."""
    if slug not in PARAM_SPECS:
        raise KeyError(f"chapter {slug!r} is not registered in paperbook.chapters.PARAM_SPECS")
    module, attr = PARAM_SPECS[slug].split(":")
    return getattr(importlib.import_module(module), attr)
