"""From any figure or table to its code and its test: every `fig-`/`tab-` id a notebook shows is named in the
docstring of the chapter-package function that produces it (with the paper's figure or table, or "not in the
paper"), and that function is called by the chapter's tests; every `eq-NN-*` label the library cites is defined in
a notebook. `problems(root)` lists what breaks this (a contract test asserts it is empty); the book names the
producing function under each figure and table (paperbook.core.book).

Read as text (ast and regular expressions), never imported: the check runs in seconds and sees a chapter whose
code does not import yet.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

OUTPUT_ID = re.compile(r"\b(?:fig|tab)-[a-z0-9]+(?:-[a-z0-9]+)*\b")
SHOWN_ID = re.compile(r"""["']((?:fig|tab)-[a-z0-9-]+)["']""")  # a string literal in a code cell
EQ_LABEL = re.compile(r"\beq-\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\b")
EQ_DEFINED = re.compile(r"\$\$\s*\((eq-\d\d-[a-z0-9-]+)\)")  # MyST: $$ ... $$ (label)


@dataclass(frozen=True)
class Producer:
    """A function of a chapter package whose docstring names an output id."""
    module: str  # 'plots' (lib/paperbook/chapters/chNN/plots.py)
    function: str  # 'plot_train_time'

    @property
    def name(self) -> str:
        return f"{self.module}.{self.function}"


def producers(package: Path) -> dict[str, list[Producer]]:
    """id -> the functions of a chapter package (lib/paperbook/chapters/chNN/) whose docstrings name it."""
    found: dict[str, list[Producer]] = {}
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for output in OUTPUT_ID.findall(ast.get_docstring(node) or ""):
                    found.setdefault(output, []).append(Producer(path.stem, node.name))
    return found


def shown_ids(notebook: Path) -> list[str]:
    """The fig-/tab- ids a notebook's code cells pass as string literals (run.show, run.table), in order."""
    nb = nbformat.read(notebook, as_version=4)
    ids = [i for c in nb.cells if c.cell_type == "code" for i in SHOWN_ID.findall(c.source)]
    return list(dict.fromkeys(ids))


def called_names(test_file: Path) -> set[str]:
    """The name of every function a test module calls (`f(...)` or `ex.f(...)`)."""
    if not test_file.exists():
        return set()
    calls = [n.func for n in ast.walk(ast.parse(test_file.read_text())) if isinstance(n, ast.Call)]
    return {f.attr if isinstance(f, ast.Attribute) else f.id for f in calls if isinstance(f, (ast.Attribute, ast.Name))}


def defined_labels(notebooks: list[Path]) -> set[str]:
    """The equation labels the notebooks define ($$ ... $$ (eq-NN-name))."""
    return {label for nb in notebooks for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "markdown"
            for label in EQ_DEFINED.findall(c.source)}


def cited_labels(lib: Path) -> dict[str, list[str]]:
    """eq-NN-* label -> the library files that cite it."""
    cited: dict[str, list[str]] = {}
    for path in sorted(lib.rglob("*.py")):
        for label in sorted(set(EQ_LABEL.findall(path.read_text()))):
            cited.setdefault(label, []).append(path.relative_to(lib.parent).as_posix())
    return cited


def chapter_problems(notebook: Path, package: Path, test_file: Path) -> list[str]:
    """What breaks the trail from one chapter's shown outputs to their code and tests."""
    found, called = producers(package), called_names(test_file)
    problems = []
    for output in shown_ids(notebook):
        if output not in found:
            problems.append(f"{notebook.stem}: {output} is shown but no function of {package.name}/ names it in its "
                            f"docstring (name it in the function that produces it, with the paper's figure or table)")
            continue
        for producer in found[output]:
            if producer.function not in called:
                problems.append(f"{notebook.stem}: {output} comes from {producer.name}, which "
                                f"{test_file.name} never calls (test the function that produces it)")
    return problems


def label_problems(root: Path, notebooks: list[Path]) -> list[str]:
    """Equation labels the library cites that no notebook defines."""
    defined = defined_labels(notebooks)
    return [f"{', '.join(files)} cites {label}, which no notebook defines" for label, files in
            cited_labels(root / "lib").items() if label not in defined]


def problems(root: Path) -> list[str]:
    """Every chapter's trail (and the skeleton's), and every cited equation label (empty when all hold)."""
    from .chapters import notebooks, package_dir

    chapters = notebooks(root)
    template = root / "tests" / "notebooks" / "fixtures" / "00_template.ipynb"
    pairs = [(nb, package_dir(root, nb.stem[:2]), root / "tests" / "chapters" / f"test_ch{nb.stem[:2]}.py")
             for nb in chapters]
    pairs.append((template, root / "lib" / "paperbook" / "chapters" / "_template",
                  root / "tests" / "chapters" / "test_template.py"))
    out = [p for nb, package, tests in pairs for p in chapter_problems(nb, package, tests)]
    return out + label_problems(root, [*chapters, template])
