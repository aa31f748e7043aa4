"""Helpers shared by the notebook tests: the chapter list, the skeleton fixture, parsing of a `parameters` cell."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import nbformat

from paperbook.core.chapters import notebooks

ROOT = Path(__file__).resolve().parents[1]
ONLY = os.environ.get("PAPERBOOK_CH", "")  # `make test CH=02`: the notebook tests run on chapter 02 alone
NOTEBOOKS = [nb for nb in notebooks(ROOT) if nb.name.startswith(ONLY)]
FIXTURES = ROOT / "tests" / "notebooks" / "fixtures"
TEMPLATE = FIXTURES / "00_template.ipynb"  # the skeleton chapter's notebook (paperbook.chapters._template)


def has_golden(path: Path) -> bool:
    """Whether a chapter has its golden run (figures/<slug>/provenance.json); the skeleton fixture always has."""
    return path == TEMPLATE or (ROOT / "figures" / path.stem / "provenance.json").exists()


def by_golden(paths: list[Path]) -> list:
    """pytest params, one per notebook: those of a chapter not yet run by `make golden` are marked `records`, which
    `make check` deselects (a new chapter is green there before its golden) and `make test` and CI run (it lands
    only with one)."""
    import pytest

    return [pytest.param(p, id=p.stem, marks=() if has_golden(p) else pytest.mark.records) for p in paths]


def read(path: Path):
    return nbformat.read(path, as_version=4)


def full_profile(path: Path) -> Path:
    """The full-profile overrides of a chapter notebook (or of the skeleton fixture)."""
    return path.parent / "params" / f"{path.stem}.full.yaml"


def parameters_cells(nb) -> list:
    return [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]


def parameter_annotations(cell) -> dict:
    """name -> (annotation text, literal value) for a cell of `name: type = literal  # comment` lines."""
    out = {}
    for node in ast.parse(cell.source).body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value):
            raise AssertionError(f"parameters cell may only hold `name: type = literal`: {ast.unparse(node)}")
        out[node.target.id] = (ast.unparse(node.annotation), ast.literal_eval(node.value))  # no derived values
    return out


def parameter_defaults(cell) -> dict:
    return {name: value for name, (_, value) in parameter_annotations(cell).items()}
