"""Each notebook's text pair: the same cells as MyST markdown (jupytext's md:myst, inputs only), kept beside it as
notebooks/<slug>.md, so that a change reads as text in review. A contributor edits the .md; `make sync` (jupytext
--sync, which `make golden` runs first) carries the edit into the .ipynb, and the golden run then executes it.
The sync test fails when the two disagree on any cell or on the chapter's quoted reference values."""

from __future__ import annotations

from pathlib import Path

import jupytext

FORMAT = "md:myst"


def text_path(notebook: Path) -> Path:
    return Path(notebook).with_suffix(".md")


def _cells(nb) -> list[tuple[str, str, tuple]]:
    """(type, source, tags) of every cell, outputs and execution metadata aside."""
    return [(c.cell_type, c.source.strip(), tuple(sorted(c.metadata.get("tags", [])))) for c in nb.cells]


def differences(notebook: Path) -> list[str]:
    """Where a notebook and its text pair disagree (empty when in sync, or the reason the pair is missing)."""
    text = text_path(notebook)
    if not text.exists():
        return [f"no text pair {text.name}: run `make sync`"]
    a, b = jupytext.read(notebook), jupytext.read(text, fmt=FORMAT)
    problems = []
    if a.metadata.get("paperbook") != b.metadata.get("paperbook"):
        problems.append("notebook metadata 'paperbook' (reference numbers) differs")
    cells_a, cells_b = _cells(a), _cells(b)
    if len(cells_a) != len(cells_b):
        problems.append(f"{len(cells_a)} cells in the notebook, {len(cells_b)} in {text.name}")
    for i, (x, y) in enumerate(zip(cells_a, cells_b)):
        if x != y:
            problems.append(f"cell {i} differs ({x[0]}): {x[1][:60]!r} vs {y[1][:60]!r}")
    return problems
