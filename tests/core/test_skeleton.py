"""`make new-chapter` leaves a consistent chapter that lacks only its own text and its golden run, and never
overwrites one. The slow test follows the README's "Adding a chapter" on a fresh copy of the checkout and runs
`make check`'s tests there."""

import shutil
from pathlib import Path

import nbformat
import pytest
from notebook_utils import ROOT

from paperbook.core.chapters import consistency_problems, declared_slug, landing_problems
from paperbook.core.skeleton import new_chapter


@pytest.fixture
def tree(tmp_path):
    """The parts of a checkout that new_chapter reads and writes."""
    for part in ("notebooks", "book", "figures", "lib/paperbook", "tests/notebooks/fixtures"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__", "_build*"))
    (tmp_path / "tests" / "chapters").mkdir()
    shutil.copy(ROOT / "tests" / "chapters" / "test_template.py", tmp_path / "tests" / "chapters")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


ARGS = dict(title="Data-free test estimation", authors="Someone, Venue 2026", topic="estimation")


def test_new_chapter_is_consistent_and_lacks_only_its_text_and_golden_run(tree):
    nn = next(f"{n:02d}" for n in range(99, 0, -1) if not list((tree / "notebooks").glob(f"{n:02d}_*.ipynb")))
    files = new_chapter(tree, nn, "data_free_test_estimation", **ARGS)
    slug = f"{nn}_data_free_test_estimation"
    assert consistency_problems(tree) == []
    assert [p for p in landing_problems(tree) if p.startswith(slug)] == [
        f"{slug}: still holds the skeleton's placeholder ('The skeleton chapter'): write the chapter",
        f"{slug}: figures/{slug}/claims.csv missing (run `make golden CH={nn}`)"]
    assert tree / "lib" / "paperbook" / "estimation" in files and (tree / "tests" / "estimation").is_dir()
    row = (f"| {nn} | [Data-free test estimation](notebooks/{slug}.ipynb) | Someone, Venue 2026 "
           "| `paperbook.estimation` |")
    assert row in (tree / "README.md").read_text()
    package = tree / "lib" / "paperbook" / "chapters" / f"ch{nn}"
    assert declared_slug(package / "__init__.py") == slug
    for path in [*package.glob("*.py"), tree / "tests" / "chapters" / f"test_ch{nn}.py"]:
        compile(path.read_text(), str(path), "exec")
        assert "_template" not in path.read_text(), path
    nb = nbformat.read(tree / "notebooks" / f"{slug}.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells)
    assert f"from paperbook.chapters import ch{nn} as ch" in source and f"eq-{nn}-mean" in source
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_new_chapter_refuses_to_overwrite_or_bad_names(tree):
    with pytest.raises(FileExistsError, match="chapter 02"):
        new_chapter(tree, "02", "other", **ARGS)
    for number, name in (("7", "x"), ("07", "Bad-Name"), ("00", "x")):
        with pytest.raises(ValueError):
            new_chapter(tree, number, name, **ARGS)
    for bad in (dict(topic="core"), dict(topic="Bad"), dict(title="TODO title"), dict(authors="a | b")):
        with pytest.raises(ValueError):
            new_chapter(tree, "98", "x", **{**ARGS, **bad})


def readme_new_chapter_arguments() -> list[str]:
    """The arguments of the README's `make new-chapter ...` example, as the skeleton module takes them."""
    import re
    import shlex

    found = re.search(r"`make new-chapter (NN=[^`]+)`", (ROOT / "README.md").read_text())
    assert found, "the README's 'Adding a chapter' gives no `make new-chapter NN=... ` example"
    given = dict(word.split("=", 1) for word in shlex.split(found.group(1)))
    assert set(given) == {"NN", "SLUG", "TITLE", "AUTHORS", "TOPIC"}, given
    return [given["NN"], given["SLUG"], "--title", given["TITLE"], "--authors", given["AUTHORS"],
            "--topic", given["TOPIC"]]


@pytest.mark.slow
def test_the_readme_way_to_add_a_chapter_leaves_make_check_green(tmp_path):
    """A copy of the checkout's committed files (a fresh clone), the README's `make new-chapter` example (what its
    recipe runs: the skeleton, then jupytext --sync), then `make check`'s tests there: they pass."""
    import os
    import subprocess
    import sys

    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    clone = tmp_path / "clone"
    for rel in filter(None, listed.decode().split("\0")):
        if (ROOT / rel).is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, clone / rel)
    env = {**os.environ, "PYTHONPATH": str(clone / "lib"), "PAPERBOOK_ROOT": str(clone), "TQDM_DISABLE": "1"}
    args = readme_new_chapter_arguments()
    subprocess.run([sys.executable, "-m", "paperbook.core.skeleton", *args], cwd=clone, env=env, check=True)
    notebook = next((clone / "notebooks").glob(f"{args[0]}_*.ipynb"))
    jupytext = Path(sys.executable).parent / "jupytext"
    subprocess.run([str(jupytext), "--quiet", "--sync", str(notebook)], cwd=clone, env=env, check=True)
    check = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m",
                            "not slow and not records", "tests"], cwd=clone, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
