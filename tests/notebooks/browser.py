"""Open every page of a built book in headless Debian Chromium (driven by playwright, no browser download)
and report broken images, unrendered math and requests that left the machine."""

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
            }
            if screenshot_dir:
                page.screenshot(path=str(screenshot_dir / (Path(name).stem + ".png")), full_page=False)
        browser.close()
    return report
