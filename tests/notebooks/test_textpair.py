"""Every notebook has its text pair (notebooks/<slug>.md, MyST, inputs only) in sync; a planted edit to either side
is caught."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from notebook_utils import NOTEBOOKS, TEMPLATE

from paperbook.core.textpair import differences, text_path

ALL = [*NOTEBOOKS, TEMPLATE]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_notebook_and_text_pair_agree(path):
    assert not differences(path), f"{path.name} and {text_path(path).name} disagree (run `make sync`): " \
                                  f"{differences(path)}"


def copy_pair(tmp_path):
    nb = tmp_path / TEMPLATE.name
    shutil.copy(TEMPLATE, nb)
    shutil.copy(text_path(TEMPLATE), text_path(nb))
    assert not differences(nb)
    return nb


def test_a_planted_edit_to_the_text_side_is_caught(tmp_path):
    nb = copy_pair(tmp_path)
    md = text_path(nb)
    md.write_text(md.read_text().replace("fig1_trials: int = 400", "fig1_trials: int = 500"))
    assert any("cell" in d and "differs" in d for d in differences(nb))


def test_a_planted_edit_to_the_notebook_side_is_caught(tmp_path):
    nb = copy_pair(tmp_path)
    book = nbformat.read(nb, as_version=4)
    book.cells[0].source += " An added sentence."
    nbformat.write(book, nb)
    assert [d[:25] for d in differences(nb)] == ["cell 0 differs (markdown)"]


@pytest.mark.parametrize("path", ALL, ids=[p.stem for p in ALL])
def test_text_pair_carries_the_kernel_so_a_synced_notebook_still_runs(path):
    """`make sync` rebuilds the .ipynb from a newer .md: without the kernelspec in the .md (pyproject's
    [tool.jupytext] notebook_metadata_filter) the rebuilt notebook has none and papermill refuses to run it."""
    import jupytext

    from paperbook.core.textpair import FORMAT

    assert jupytext.read(text_path(path), fmt=FORMAT).metadata.get("kernelspec", {}).get("name") == "python3"
    assert nbformat.read(path, as_version=4).metadata["kernelspec"]["name"] == "python3"
