"""The chapter list, discovered rather than kept by hand: `notebooks/NN_<slug>.ipynb` beside
`lib/paperbook/chapters/chNN/` (whose `__init__.py` declares SLUG, PARAMS and check).

`consistency_problems(root)` lists every place where the notebook stem, the package's SLUG, `book/_toc.yml` and the
README's chapter table disagree, or where the README row still holds a TODO; `make check` asserts it is empty, so
a new chapter is green there from `make new-chapter` on. `landing_problems(root)` lists what a chapter still lacks
before it can land (the skeleton's placeholder text, its golden run); `make test` and CI assert that too.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import yaml

from .slugs import NOTEBOOK, number

SKELETON_MARK = "The skeleton chapter"  # the skeleton's title and package docstring: text a new chapter replaces
README_ROW = re.compile(r"^\| (\d\d) \| \[.*\]\(notebooks/(\d\d_\w+)\.ipynb\) \|.*$", re.M)


def notebooks(root: Path) -> list[Path]:
    """The chapter notebooks notebooks/NN_<slug>.ipynb, in order."""
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def full_record(root: Path, slug: str) -> Path:
    """Where a chapter's full-profile run of record is committed, executed (`make full` writes it; the book shows
    it in place of the fast golden)."""
    return root / "notebooks" / "records" / f"{slug}-full.ipynb"  # its outputs: figures/<slug>-full/


def package_dir(root: Path, number: str) -> Path:
    return root / "lib" / "paperbook" / "chapters" / f"ch{number}"


def load(slug: str) -> ModuleType:
    """The chapter package of a slug ('02_am_clustering' -> paperbook.chapters.ch02)."""
    return importlib.import_module(f"paperbook.chapters.ch{number(slug):02d}")


def declared_slug(init: Path) -> str | None:
    """The literal `SLUG = "..."` of a chapter package's __init__.py, read without importing it."""
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SLUG" for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def toc_files(root: Path) -> list[str]:
    """Every `file:` of book/_toc.yml in order (top-level chapters or chapters inside parts)."""
    toc = yaml.safe_load((root / "book" / "_toc.yml").read_text())
    entries = toc.get("chapters", []) + [c for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [entry["file"] for entry in entries]


def consistency_problems(root: Path) -> list[str]:
    """Where the chapter list disagrees with itself (empty when every chapter is declared everywhere)."""
    problems, slugs = [], [nb.stem for nb in notebooks(root)]
    toc, readme = set(toc_files(root)), (root / "README.md").read_text()
    for slug in slugs:
        nn = slug[:2]
        if not NOTEBOOK.match(slug):
            problems.append(f"notebooks/{slug}.ipynb: a chapter notebook is named NN_<lower_snake_slug>")
        init = package_dir(root, nn) / "__init__.py"
        if not init.exists():
            problems.append(f"{slug}: no chapter package lib/paperbook/chapters/ch{nn}/")
        elif declared_slug(init) != slug:
            problems.append(f"{slug}: chapters/ch{nn} declares SLUG = {declared_slug(init)!r}")
        if f"chapters/{slug}" not in toc:
            problems.append(f"{slug}: not in book/_toc.yml")
        if f"(notebooks/{slug}.ipynb)" not in readme:
            problems.append(f"{slug}: no row in the README's chapter table")
    for package in sorted((root / "lib" / "paperbook" / "chapters").glob("ch[0-9][0-9]")):
        if not any(s[:2] == package.name[2:] for s in slugs):
            problems.append(f"chapters/{package.name} has no notebook notebooks/{package.name[2:]}_<slug>.ipynb")
    for entry in sorted(toc):
        if entry.startswith("chapters/") and entry.removeprefix("chapters/") not in slugs:
            problems.append(f"book/_toc.yml lists {entry}, which has no notebook")
    for linked in sorted(set(re.findall(r"\(notebooks/(\d\d_\w+)\.ipynb\)", readme)) - set(slugs)):
        problems.append(f"README links notebooks/{linked}.ipynb, which does not exist")
    return problems + readme_row_problems(root, readme)


def readme_row_problems(root: Path, readme: str) -> list[str]:
    """A README chapter row with a TODO left in it, or naming a `paperbook.<topic>` package that does not exist."""
    problems = []
    for row in README_ROW.finditer(readme):
        slug = row.group(2)
        if "TODO" in row.group(0):
            problems.append(f"{slug}: the README's chapter row still holds a TODO: {row.group(0)}")
        for topic in re.findall(r"`paperbook\.(\w+)`", row.group(0)):
            if not (root / "lib" / "paperbook" / topic / "__init__.py").exists():
                problems.append(f"{slug}: the README's chapter row names `paperbook.{topic}`, which does not exist")
    return problems


def landing_problems(root: Path) -> list[str]:
    """What a consistent chapter still lacks before it lands: text left from the skeleton, its golden run."""
    problems = []
    for nb in notebooks(root):
        slug = nb.stem
        init = package_dir(root, slug[:2]) / "__init__.py"
        if SKELETON_MARK in nb.read_text() or (init.exists() and SKELETON_MARK in init.read_text()):
            problems.append(f"{slug}: still holds the skeleton's placeholder ({SKELETON_MARK!r}): write the chapter")
        if not (root / "figures" / slug / "claims.csv").exists():
            problems.append(f"{slug}: figures/{slug}/claims.csv missing (run `make golden CH={slug[:2]}`)")
    return problems
