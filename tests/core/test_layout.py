"""The tree's two structural promises, each checked by a function that a test also runs on a broken tree:
the dependency rule (core <- data <- topic <- chapter <- notebook; never chapter -> chapter) and one
consistent chapter list (notebook stem, SLUG, figures folder, book/_toc.yml, README table)."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
from notebook_utils import NOTEBOOKS, ROOT

from paperbook.core.chapters import consistency_problems, landing_problems

LAYERS = {"core": 0, "data": 1, "chapters": 3}  # every other package under paperbook/ is a topic (layer 2)


def _layer(module: str) -> tuple[int, str]:
    """(layer, unit) of a dotted paperbook module: the unit is the package a module belongs to
    ('memory', 'chapters.ch01', 'core', ...)."""
    parts = module.split(".")[1:]
    top = parts[0] if parts else ""
    if top == "chapters" and len(parts) > 1:
        return 3, f"chapters.{parts[1]}"
    return LAYERS.get(top, 2), top


def _imports(path: Path, module: str) -> set[str]:
    """The paperbook modules (and imported names) of a source file, relative imports resolved against `module`."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found |= {target} | {f"{target}.{a.name}" for a in node.names}
    return {m for m in found if m.startswith("paperbook.")}


def dependency_violations(lib: Path) -> list[str]:
    """Every import in lib/paperbook that breaks the rule: a lower layer importing a higher one, or a chapter
    importing another chapter (topics may share math with each other)."""
    problems = []
    for path in sorted((lib / "paperbook").rglob("*.py")):
        parts = path.relative_to(lib).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        layer, unit = _layer(module)
        bad = set()
        for target in _imports(path, module):
            t_layer, t_unit = _layer(target)
            if t_unit != "chapters" and (t_layer > layer or (layer == 3 and t_layer == 3 and t_unit != unit)):
                bad.add(f"{module} imports paperbook.{t_unit}")
        problems += sorted(bad)
    return problems


def notebook_violations(notebooks: list[Path]) -> list[str]:
    """A chapter notebook imports only its own chapter package (besides core, data and topics)."""
    problems = []
    for nb in notebooks:
        own = f"ch{nb.stem[:2]}"
        source = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"]
                           if c["cell_type"] == "code")
        for node in ast.walk(ast.parse(source)):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module == "paperbook.chapters":
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("paperbook.chapters."):
                names = [node.module.split(".")[2]]
            problems += [f"{nb.name} imports paperbook.chapters.{n}" for n in names if n != own]
    return problems


def test_the_library_follows_the_dependency_rule():
    assert dependency_violations(ROOT / "lib") == []
    assert notebook_violations(NOTEBOOKS) == []


def test_the_dependency_check_catches_each_kind_of_violation(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(ROOT / "lib" / "paperbook", lib / "paperbook", ignore=shutil.ignore_patterns("__pycache__"))
    (lib / "paperbook" / "core" / "bad.py").write_text("from ..memory import energy\n")
    (lib / "paperbook" / "memory" / "bad.py").write_text("from paperbook.chapters.ch01 import claims\n")
    (lib / "paperbook" / "chapters" / "ch02" / "bad.py").write_text("from ..ch01.experiments import loglog_slope\n")
    assert dependency_violations(lib) == ["paperbook.chapters.ch02.bad imports paperbook.chapters.ch01",
                                          "paperbook.core.bad imports paperbook.memory",
                                          "paperbook.memory.bad imports paperbook.chapters.ch01"]
    nb = tmp_path / "02_x.ipynb"
    nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["from paperbook.chapters import ch01\n"]}]}))
    assert notebook_violations([nb]) == ["02_x.ipynb imports paperbook.chapters.ch01"]


def test_the_chapter_list_is_consistent():
    assert consistency_problems(ROOT) == []


def test_the_consistency_check_catches_a_chapter_missing_anywhere(tmp_path):
    for part in ("notebooks", "book", "lib/paperbook"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "_build*"))
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    assert consistency_problems(tmp_path) == []
    shutil.copy(NOTEBOOKS[0], tmp_path / "notebooks" / "09_new_chapter.ipynb")  # a notebook with nothing else
    init = tmp_path / "lib" / "paperbook" / "chapters" / "ch02" / "__init__.py"
    init.write_text(init.read_text().replace('SLUG = "02_am_clustering"', 'SLUG = "02_am_clustring"'))
    assert consistency_problems(tmp_path) == [
        "02_am_clustering: chapters/ch02 declares SLUG = '02_am_clustring'",
        "09_new_chapter: no chapter package lib/paperbook/chapters/ch09/",
        "09_new_chapter: not in book/_toc.yml",
        "09_new_chapter: no row in the README's chapter table"]


def test_a_readme_row_with_a_todo_or_a_missing_topic_package_is_caught(tmp_path):
    for part in ("notebooks", "book", "lib/paperbook"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "_build*"))
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if "(notebooks/02_am_clustering.ipynb)" in line)
    planted = row.replace("](notebooks/", " TODO](notebooks/").replace("`paperbook.memory`", "`paperbook.memroy`")
    (tmp_path / "README.md").write_text(readme.replace(row, planted))
    assert consistency_problems(tmp_path) == [
        f"02_am_clustering: the README's chapter row still holds a TODO: {planted}",
        "02_am_clustering: the README's chapter row names `paperbook.memroy`, which does not exist"]


@pytest.mark.records
def test_every_chapter_is_ready_to_land():
    """Its own text in place of the skeleton's, and its golden run (make check skips this: a new chapter is green
    there before both)."""
    assert landing_problems(ROOT) == []
