"""The book builds with warnings as errors, and every page opens in a browser with images and math."""

from __future__ import annotations

import os
import re
import shutil

import pytest
import yaml
from notebook_utils import NOTEBOOKS, ROOT, read

from paperbook.core.book import build, committed_notebook
from paperbook.core.chapters import toc_files


@pytest.fixture(scope="module")
def built_book(tmp_path_factory):
    """Build the book from the committed runs of record (a full one where committed, else the golden) in a scratch
    copy of book/ (book/ itself is untouched)."""
    tmp = tmp_path_factory.mktemp("book")
    source = tmp / "book"
    shutil.copytree(ROOT / "book", source, ignore=shutil.ignore_patterns("_build*", "chapters", "_generated"))
    (source / "chapters").mkdir()
    for nb in NOTEBOOKS:
        shutil.copy(committed_notebook(ROOT, nb.stem), source / "chapters" / nb.name)
    return build(ROOT, source, tmp / "html", strict=True)


def toc_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "book" / "_toc.yml").read_text())
    return [f"{toc['root']}.html"] + [f"{file}.html" for file in toc_files(ROOT)]


@pytest.mark.slow
def test_book_has_every_page_and_the_chapter_table(built_book):
    for page in toc_pages():
        assert (built_book / page).exists(), page
    intro = (built_book / "intro.html").read_text()
    for nb in NOTEBOOKS:
        assert f"chapters/{nb.stem}.html" in intro, "chapter table lacks a chapter link"
    assert re.search(r"\d+ of \d+ reproduced", intro), "chapter table shows no hard-claim counts"
    assert "checks and controls" in intro, "checks and controls are listed apart from the paper claims"
    assert "wall time" in (built_book / "provenance.html").read_text()


@pytest.mark.slow
def test_every_figure_is_numbered_and_captioned(built_book):
    for nb in NOTEBOOKS:
        shown = sum(c.source.count("run.show(") for c in read(nb).cells if c.cell_type == "code")
        page = (built_book / "chapters" / f"{nb.stem}.html").read_text()
        captions = re.findall(r'<figcaption>\s*<p><span class="caption-number">Fig\. [\d.]+ </span>', page)
        assert len(captions) == shown, f"{nb.stem}: {shown} figures shown, {len(captions)} numbered captions"


@pytest.mark.slow
@pytest.mark.browser
def test_every_page_renders_offline(built_book):
    from browser import CHROMIUM, inspect_pages

    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium): pages not opened in a browser")
    report = inspect_pages(built_book, toc_pages(), ROOT / ".cache" / "screenshots")
    for page, r in report.items():
        assert not r["broken_images"], (page, r["broken_images"])
        assert not r["external_requests"], (page, r["external_requests"])
        assert r["math_errors"] == 0 and not r["raw_tex"], (page, r)
    for nb in NOTEBOOKS:
        page = report[f"chapters/{nb.stem}.html"]
        assert page["images"] >= 3, f"{nb.stem}: figures missing ({page['images']} images)"
        assert page["math_rendered"] > 0, f"{nb.stem}: no rendered math"
        assert not page["uncaptioned_images"], f"{nb.stem}: images without a numbered caption"
        chapter = int(nb.stem[:2])
        expected = [f"Fig. {chapter}.{i}" for i in range(1, page["images"] + 1)]
        assert page["figure_numbers"] == expected, f"{nb.stem}: figure numbers {page['figure_numbers']}"
        assert page["claims_tables"] == 1, f"{nb.stem}: {page['claims_tables']} claims tables"
    for page, r in report.items():
        assert not r["too_wide"], (page, "wider than its column", r["too_wide"])
        assert not r["broken_words"], (page, "table cells break words", r["broken_words"])
