"""Start a chapter from the tested skeleton: `make new-chapter NN=11 SLUG=my_paper TITLE="..." AUTHORS="..."
TOPIC=mytopic` (or `python -m paperbook.core.skeleton 11 my_paper --title ... --authors ... --topic mytopic`).

Copies `chapters/_template` to `chapters/chNN`, its notebook fixture to `notebooks/NN_<slug>.ipynb` (outputs
cleared), the full profile and the skeleton's tests; creates the topic package `paperbook.<topic>` (and its test
folder) when it does not exist; adds the chapter to `book/_toc.yml` and a complete row to the README's chapter
table. `make check` is then green; what the chapter lacks before it lands (its own text in place of the skeleton's,
its golden run) is what `chapters.landing_problems` lists and `make test` fails on.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import nbformat

from .chapters import NOTEBOOK, package_dir
from .run import repo_root

TEMPLATE_SLUG = "00_template"


def _retarget(text: str, number: str, slug: str) -> str:
    """Skeleton names -> the new chapter's (package, slug, equation labels)."""
    return (text.replace(TEMPLATE_SLUG, slug).replace("_template", f"ch{number}")
            .replace("eq-00-", f"eq-{number}-").replace("ref-00-", f"ref-{number}-"))


def _add_toc_line(toc: Path, slug: str) -> None:
    lines = toc.read_text().splitlines()
    chapters = [i for i, line in enumerate(lines) if line.lstrip().startswith("- file: chapters/")]
    if not chapters:
        raise ValueError(f"{toc} lists no chapter to add one after")
    last = lines[chapters[-1]]
    lines.insert(chapters[-1] + 1, last[:len(last) - len(last.lstrip())] + f"- file: chapters/{slug}")
    toc.write_text("\n".join(lines) + "\n")


def _add_readme_row(readme: Path, number: str, slug: str, title: str, authors: str, topic: str) -> None:
    lines = readme.read_text().splitlines()
    rows = [i for i, line in enumerate(lines) if re.match(r"\| \d\d \| \[", line)]
    row = f"| {number} | [{title}](notebooks/{slug}.ipynb) | {authors} | `paperbook.{topic}` |"
    lines.insert(rows[-1] + 1, row)
    readme.write_text("\n".join(lines) + "\n")


def _add_topic(root: Path, topic: str, title: str) -> list[Path]:
    """The topic package lib/paperbook/<topic>/ and tests/<topic>/, where they do not exist yet."""
    package, tests = root / "lib" / "paperbook" / topic, root / "tests" / topic
    if (package / "__init__.py").exists():
        return []
    package.mkdir(parents=True)
    doc = f"The math behind the chapter '{title}' (unit-tested in tests/{topic}/)."
    (package / "__init__.py").write_text(f'"""{doc}"""\n')
    tests.mkdir(parents=True, exist_ok=True)
    return [package, tests]


def new_chapter(root: Path, number: str, name: str, title: str, authors: str, topic: str) -> list[Path]:
    """Create chapter `number` with slug `number_name`, its README row (title, 'authors, venue year', topic
    package) and its topic package if new; refuses to overwrite anything. Returns the new files."""
    slug = f"{number}_{name}"
    if not (re.fullmatch(r"\d\d", number) and NOTEBOOK.match(slug)) or number == "00":
        raise ValueError(f"want NN=01..99 and a lower_snake_case SLUG, got {number!r} {name!r}")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", topic) or topic in ("core", "chapters", "data"):
        raise ValueError(f"TOPIC is a new or existing lower_snake_case package of lib/paperbook/ "
                         f"(not core, chapters or data), got {topic!r}")
    for field, value in (("TITLE", title), ("AUTHORS", authors)):
        if not value.strip() or "|" in value or "TODO" in value:
            raise ValueError(f"{field} is the README row's text (no '|', no TODO), got {value!r}")
    package, notebook = package_dir(root, number), root / "notebooks" / f"{slug}.ipynb"
    fixtures = root / "tests" / "notebooks" / "fixtures"
    targets = {package: root / "lib" / "paperbook" / "chapters" / "_template",
               notebook: fixtures / f"{TEMPLATE_SLUG}.ipynb",
               root / "notebooks" / "params" / f"{slug}.full.yaml": fixtures / "params" / f"{TEMPLATE_SLUG}.full.yaml",
               root / "tests" / "chapters" / f"test_ch{number}.py": root / "tests" / "chapters" / "test_template.py"}
    taken = [p for p in [*targets, *(root / "notebooks").glob(f"{number}_*.ipynb")] if p.exists()]
    if taken:
        raise FileExistsError(f"chapter {number} exists already: {', '.join(map(str, taken))}")
    shutil.copytree(targets.pop(package), package, ignore=shutil.ignore_patterns("__pycache__"))
    for path in package.glob("*.py"):
        path.write_text(_retarget(path.read_text(), number, slug))
    nb = nbformat.reads(_retarget(targets.pop(notebook).read_text(), number, slug), as_version=4)
    nb.metadata.pop("papermill", None)  # the skeleton's own run (its time, its path) is not the new chapter's
    for cell in nb.cells:
        cell.metadata.pop("papermill", None), cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, notebook)
    for new, old in targets.items():
        new.write_text(_retarget(old.read_text(), number, slug))
    _add_toc_line(root / "book" / "_toc.yml", slug)
    _add_readme_row(root / "README.md", number, slug, title.strip(), authors.strip(), topic)
    return [package, notebook, *targets, *_add_topic(root, topic, title.strip())]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m paperbook.core.skeleton", description=__doc__.splitlines()[0])
    parser.add_argument("number", help="two digits, e.g. 03")
    parser.add_argument("name", help="the slug after the number, e.g. compositional_complexity")
    parser.add_argument("--title", required=True, help="the chapter's title, as the README's table shows it")
    parser.add_argument("--authors", required=True, help="'Authors, venue year', as the README's table shows it")
    parser.add_argument("--topic", required=True, help="the topic package paperbook.<topic> (made when new)")
    args = parser.parse_args(argv)
    for path in new_chapter(repo_root(), args.number, args.name, args.title, args.authors, args.topic):
        print(f"created {path}")
    print(f"next: `make check` (green now); write the chapter in notebooks/{args.number}_{args.name}.md and its "
          f"packages, then `make golden CH={args.number}`, `make sweep CH={args.number}` and `make test`")


if __name__ == "__main__":
    main()
