"""Helpers shared by the notebook tests: the chapter list and parsing of a `parameters` cell."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def read(path: Path):
    return nbformat.read(path, as_version=4)


def parameters_cells(nb) -> list:
    return [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]


def parameter_defaults(cell) -> dict:
    """name -> literal value for a cell made only of `name = literal  # comment` lines."""
    tree = ast.parse(cell.source)
    values = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise AssertionError(f"parameters cell may only assign literals to names: {ast.unparse(node)}")
        values[node.targets[0].id] = ast.literal_eval(node.value)  # raises on a derived value
    return values
