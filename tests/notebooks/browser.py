"""Open every page of a built book in headless Debian Chromium (driven by playwright, no browser download)
and report broken images, unrendered math, requests that left the machine, figures without a numbered caption,
claims tables, and prose wider than its column; optionally save a full-page screenshot of each page.

    python tests/notebooks/browser.py book/_build/html .cache/screenshots     # what `make screenshots` runs
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # the Makefile exports its CHROMIUM
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


# Images of the page's content that are not inside a figure with a numbered caption.
UNCAPTIONED = """() => [...document.querySelectorAll('main img')]
  .filter(i => !i.closest('figure') || !i.closest('figure').querySelector('figcaption .caption-number'))
  .map(i => i.src.slice(0, 80))"""
FIGURE_NUMBERS = """() => [...document.querySelectorAll('main figure figcaption .caption-number')]
  .map(e => e.textContent.trim())"""
# What needs a horizontal scroll bar: prose wider than its box, any scrolling box (code, tables, outputs) whose
# content is wider than it, display math wider than the column, and the page itself.
TOO_WIDE = """() => {
  const main = document.querySelector('main').getBoundingClientRect();
  const what = e => e.tagName.toLowerCase() + '.' + e.className.toString().split(' ')[0] + ': '
    + e.textContent.trim().slice(0, 50);
  const prose = [...document.querySelectorAll('main p, main li')].filter(e => e.scrollWidth > e.clientWidth + 2);
  const boxes = [...document.querySelectorAll('main article *')].filter(e => {
    const o = getComputedStyle(e).overflowX;
    return (o === 'auto' || o === 'scroll') && e.scrollWidth > e.clientWidth + 2;
  });
  const math = [...document.querySelectorAll('main mjx-container[display="true"]')]
    .filter(e => e.getBoundingClientRect().right > main.right + 2 || e.scrollWidth > e.clientWidth + 2);
  const page = document.documentElement.scrollWidth > document.documentElement.clientWidth + 2 ? ['page'] : [];
  return [...page, ...[...prose, ...boxes, ...math].map(what)];
}"""
# Words (split at spaces, hyphens, slashes and punctuation) that a table cell breaks across two lines.
BROKEN_WORDS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\\s\\-\\/,;:|]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
  }
  return out.slice(0, 20);
}"""


@contextmanager
def serve(folder: Path):
    """Serve `folder` on 127.0.0.1 at a free port for the duration of the block; yields the base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def inspect_pages(html_dir: Path, pages: list[str], screenshot_dir: Path | None = None) -> dict[str, dict]:
    """Per page: broken images, number of rendered math containers, raw TeX left, external requests."""
    from playwright.sync_api import sync_playwright

    report = {}
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        external: list[str] = []

        def route(r):  # block, and record, any request that would leave the machine
            if urlparse(r.request.url).hostname not in ("127.0.0.1", "localhost"):
                external.append(r.request.url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)
        for name in pages:
            external.clear()
            page.goto(f"{base}/{name}", wait_until="networkidle")
            page.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=5000)
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            report[name] = {
                "images": page.evaluate("() => document.images.length"),
                "broken_images": page.evaluate(
                    "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"),
                "math_rendered": page.evaluate("() => document.querySelectorAll('mjx-container').length"),
                "math_errors": page.evaluate("() => document.querySelectorAll('mjx-merror').length"),
                "raw_tex": page.evaluate("() => document.body.innerText.includes('\\\\begin{') "
                                         "|| /\\$\\$/.test(document.body.innerText)"),
                "external_requests": list(external),
                "title": page.title(),
                "uncaptioned_images": page.evaluate(UNCAPTIONED),
                "figure_numbers": page.evaluate(FIGURE_NUMBERS),
                "claims_tables": page.evaluate("() => document.querySelectorAll('table.paperbook-claims').length"),
                "too_wide": page.evaluate(TOO_WIDE),
                "broken_words": page.evaluate(BROKEN_WORDS),
            }
            if screenshot_dir:
                screenshot_dir.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot_dir / (Path(name).stem + ".png")), full_page=True)
        browser.close()
    return report


if __name__ == "__main__":
    import sys

    import yaml

    html, shots = Path(sys.argv[1]), Path(sys.argv[2])
    toc = yaml.safe_load((Path(__file__).resolve().parents[2] / "book" / "_toc.yml").read_text())
    files = toc.get("chapters", []) + [c for part in toc.get("parts", []) for c in part.get("chapters", [])]
    pages = [f"{toc['root']}.html"] + [f"{entry['file']}.html" for entry in files]
    for name, found in inspect_pages(html, pages, shots).items():
        print(name, {k: v for k, v in found.items() if v and k not in ("title", "images", "math_rendered")})
    print(f"screenshots in {shots}")
