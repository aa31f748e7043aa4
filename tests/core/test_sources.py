"""From any figure or table to its code and its test (paperbook.core.sources): the trail holds for every chapter,
and a planted unnamed id, an untested producer or a dangling equation label each break it, by name."""

from __future__ import annotations

import shutil

import nbformat
from notebook_utils import ROOT

from paperbook.core.book import caption_outputs
from paperbook.core.chapters import notebooks, package_dir
from paperbook.core.display import FIGURE_KEY
from paperbook.core.sources import label_problems, problems, producers


def test_every_equation_label_the_library_cites_is_defined_in_a_notebook():
    template = ROOT / "tests" / "notebooks" / "fixtures" / "00_template.ipynb"
    assert label_problems(ROOT, [*notebooks(ROOT), template]) == []


def test_every_shown_id_is_named_by_a_function_its_chapter_tests_call():
    assert problems(ROOT) == []


def planted_tree(tmp_path):
    for part in ("notebooks", "lib/paperbook", "tests/chapters", "tests/notebooks/fixtures"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "records"))
    return tmp_path


def test_a_planted_unnamed_id_an_untested_producer_and_a_dangling_label_are_named(tmp_path):
    root = planted_tree(tmp_path)
    before = problems(root)  # empty (the test above)
    notebook = root / "notebooks" / "02_am_clustering.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('run.show(plots.plot_basins(a, b, c), "fig-planted", caption="x")'))
    nbformat.write(nb, notebook)
    plots = package_dir(root, "02") / "plots.py"
    plots.write_text(plots.read_text() + '\n\ndef plot_nobody_tests():\n    """Shown as `fig-basins-vs-voronoi`."""\n')
    topic = root / "lib" / "paperbook" / "memory" / "planted.py"
    topic.write_text('"""Cites eq-02-nowhere."""\n')
    assert [p for p in problems(root) if p not in before] == [
        "02_am_clustering: fig-basins-vs-voronoi comes from plots.plot_nobody_tests, which test_ch02.py never calls "
        "(test the function that produces it)",
        "02_am_clustering: fig-planted is shown but no function of ch02/ names it in its docstring (name it in the "
        "function that produces it, with the paper's figure or table)",
        "lib/paperbook/memory/planted.py cites eq-02-nowhere, which no notebook defines"]


def test_the_book_names_the_producing_function_under_figures_and_tables():
    found = producers(package_dir(ROOT, "04"))
    figure = nbformat.v4.new_code_cell("run.show(...)")
    figure.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "<fig>"}, metadata={
        FIGURE_KEY: {"figure": {"name": "fig-x-parse-program", "caption": "A parse."}}})]
    table = nbformat.v4.new_code_cell("run.table(...)")
    table.outputs = [nbformat.v4.new_output("display_data", data={
        "text/html": '<table id="T_tab-x-cpg"><caption><b>Table 4.2</b></caption></table>'})]
    nb = nbformat.v4.new_notebook(cells=[figure, table])
    caption_outputs(nb, found, "04_compositional_program_generator")
    assert figure.metadata["mystnb"]["figure"]["caption"] == (
        "A parse. Made by `plots.plot_parse_program` (lib/paperbook/chapters/ch04/), tested in "
        "tests/chapters/test_ch04.py.")
    assert "<small>Made by <code>" in table.outputs[0]["data"]["text/html"]
    assert "hide-input" in figure.metadata["tags"]
