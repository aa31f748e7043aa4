"""`make new-chapter` leaves a chapter that only lacks its golden run, and never overwrites one."""

import shutil

import nbformat
import pytest
from notebook_utils import ROOT

from paperbook.core.chapters import consistency_problems, declared_slug
from paperbook.core.skeleton import new_chapter


@pytest.fixture
def tree(tmp_path):
    """The parts of a checkout that new_chapter reads and writes."""
    for part in ("notebooks", "book", "figures", "lib/paperbook/chapters", "tests/notebooks/fixtures"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "_build*"))
    (tmp_path / "tests" / "chapters").mkdir()
    shutil.copy(ROOT / "tests" / "chapters" / "test_template.py", tmp_path / "tests" / "chapters")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def test_new_chapter_is_consistent_but_for_its_golden_run(tree):
    new_chapter(tree, "08", "data_free_test_estimation")
    assert consistency_problems(tree) == ["08_data_free_test_estimation: figures/08_data_free_test_estimation/"
                                          "claims.csv missing (run `make golden CH=08`)"]
    package = tree / "lib" / "paperbook" / "chapters" / "ch08"
    assert declared_slug(package / "__init__.py") == "08_data_free_test_estimation"
    for path in [*package.glob("*.py"), tree / "tests" / "chapters" / "test_ch08.py"]:
        compile(path.read_text(), str(path), "exec")
        assert "_template" not in path.read_text(), path
    nb = nbformat.read(tree / "notebooks" / "08_data_free_test_estimation.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells)
    assert "from paperbook.chapters import ch08 as ch" in source and "eq-08-mean" in source
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_new_chapter_refuses_to_overwrite_or_bad_names(tree):
    with pytest.raises(FileExistsError, match="chapter 02"):
        new_chapter(tree, "02", "other")
    for number, name in (("7", "x"), ("07", "Bad-Name"), ("00", "x")):
        with pytest.raises(ValueError):
            new_chapter(tree, number, name)
