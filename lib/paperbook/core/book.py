"""Book assembly: generated pages (chapter table, provenance) and an atomic Jupyter Book build.

    python -m paperbook.core.book build [--source book] [--out book/_build/html] [--strict]

Executed chapters are read from <source>/chapters/; a chapter not executed there is taken from its
committed, executed notebook in notebooks/ (the nbval golden). The HTML is built into a temporary folder
and swapped into place, so an interrupted build never leaves a half-written book.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pandas as pd

from .artifacts import atomic_write
from .chapters import notebooks
from .claims import HARD, NOT_RUN, REPORTED, REPRODUCED
from .run import FIGURE_KEY, repo_root

RUN_ID = re.compile(r"· run ([0-9a-f]{12})\b")  # printed by Run.finish


def chapter_slugs(root: Path) -> list[str]:
    return [nb.stem for nb in notebooks(root)]


def chapter_title(notebook: Path) -> str:
    """The first markdown heading of a notebook, without the leading '#'."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return cell.source.lstrip().splitlines()[0].lstrip("# ").strip()
    return notebook.stem


def claim_counts(claims: pd.DataFrame | None) -> tuple[str, str]:
    """('5 of 6 reproduced', '4 (2 hold)'): hard claims reproduced of those run, and reported claims."""
    if claims is None:
        return "not run yet", ""
    hard, reported = claims[claims["kind"] == HARD], claims[claims["kind"] == REPORTED]
    ran = hard[hard["verdict"] != NOT_RUN]
    text = f"{(ran['verdict'] == REPRODUCED).sum()} of {len(ran)} reproduced"
    if len(ran) < len(hard):
        text += f" ({len(hard) - len(ran)} not run)"
    return text, f"{len(reported)} ({(reported['verdict'] == REPRODUCED).sum()} hold)"


def run_id_of(notebook: Path) -> str | None:
    """The run id that an executed chapter's `run.finish()` printed."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        for out in cell.get("outputs", []):
            match = RUN_ID.search(out.get("text", ""))
            if match:
                return match.group(1)
    return None


def shown_outputs(root: Path, executed: Path, slug: str) -> Path | None:
    """The outputs folder of the run whose executed notebook the book shows: figures/<slug>/ (the golden),
    figures/<slug>-full/ (make full) or .cache/figures/<slug>/ (make chapter); None if none matches."""
    run_id = run_id_of(executed)
    for folder in (root / "figures" / slug, root / "figures" / f"{slug}-full", root / ".cache" / "figures" / slug):
        path = folder / "provenance.json"
        if run_id and path.exists() and json.loads(path.read_text()).get("run_id") == run_id:
            return folder
    return None


def chapter_table(root: Path, shown: dict[str, Path | None]) -> str:
    """Markdown table: chapter, hard claims reproduced, reported claims, profile shown."""
    lines = ["| chapter | hard claims | reported claims | profile shown |", "|---|---|---|---|"]
    for slug in chapter_slugs(root):
        title = chapter_title(root / "notebooks" / f"{slug}.ipynb")
        folder = shown.get(slug)
        csv = folder / "claims.csv" if folder else None
        hard, reported = claim_counts(pd.read_csv(csv) if csv and csv.exists() else None)
        profile = json.loads((folder / "provenance.json").read_text())["profile"] if folder else "unknown"
        lines.append(f"| [{title}](chapters/{slug}.ipynb) | {hard} | {reported} | {profile} |")
    return "\n".join(lines) + "\n"


def caption_figures(nb) -> None:
    """Move each figure output's name and caption (written by Run.show) into its cell's `mystnb.figure` metadata,
    where myst-nb renders a numbered, captioned figure that {numref} can cite."""
    for cell in nb.cells:
        found = [o.metadata[FIGURE_KEY]["figure"] for o in cell.get("outputs", [])
                 if FIGURE_KEY in o.get("metadata", {})]
        if len(found) > 1:
            raise ValueError(f"one figure per cell: a cell shows {[f['name'] for f in found]}")
        if found:
            cell.metadata.setdefault("mystnb", {})["figure"] = dict(found[0])


def provenance_table(root: Path, shown: dict[str, Path | None]) -> str:
    """Markdown: one section per chapter with the record of the run its page shows."""
    out = []
    for slug in chapter_slugs(root):
        path = shown[slug] / "provenance.json" if shown.get(slug) else None
        out.append(f"## {slug}\n")
        if path is None:
            out.append("No run record matches the page shown.\n")
            continue
        rec = json.loads(path.read_text())
        hw = rec["hardware"]
        rows = [("run", rec.get("run_id", "")), ("commit", rec["commit"]), ("profile", rec["profile"]),
                ("seed", rec["seed"]),
                ("wall time", f"{rec['wall_time_s']} s"), ("finished (UTC)", rec["finished_utc"]),
                ("hardware", f"{hw['machine']}, {hw['cpus']} CPUs, {hw['torch_threads']} torch threads, "
                             f"device {hw['device']}{', ' + hw['gpu'] if 'gpu' in hw else ''}"),
                ("versions", ", ".join(f"{k} {v}" for k, v in rec["versions"].items())),
                ("parameters", ", ".join(f"`{k}={v}`" for k, v in rec["params"].items()))]
        out.append("| field | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n")
    return "\n".join(out)


def prepare(root: Path, source: Path) -> None:
    """Give every chapter an executed copy in source/chapters (the golden where none was executed), caption its
    figures, and write the generated pages from the runs those copies show."""
    shown = {}
    for slug in chapter_slugs(root):
        executed = source / "chapters" / f"{slug}.ipynb"
        if not executed.exists():
            executed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / "notebooks" / f"{slug}.ipynb", executed)
        nb = nbformat.read(executed, as_version=4)
        caption_figures(nb)
        atomic_write(executed, lambda p, nb=nb: nbformat.write(nb, p))
        shown[slug] = shown_outputs(root, executed, slug)
    gen = source / "_generated"
    atomic_write(gen / "chapters.md", lambda p: p.write_text(chapter_table(root, shown)))
    atomic_write(gen / "provenance.md", lambda p: p.write_text(provenance_table(root, shown)))


def build(root: Path, source: Path, out: Path, strict: bool = True) -> Path:
    """Build the HTML into a temporary folder beside `out`, then swap it in."""
    prepare(root, source)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    try:
        cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source), "--path-output", str(tmp),
               "--keep-going"]
        if strict:
            cmd += ["-W", "-n"]
        subprocess.run(cmd, check=True)
        old = out.with_name(out.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if out.exists():
            out.rename(old)
        (tmp / "_build" / "html").rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m paperbook.core.book")
    parser.add_argument("command", choices=["build", "prepare"])
    parser.add_argument("--source", type=Path, help="book source folder (default: book/)")
    parser.add_argument("--out", type=Path, help="HTML output folder (default: <source>/_build/html)")
    parser.add_argument("--strict", action="store_true", help="warnings are errors (-W -n)")
    args = parser.parse_args(argv)
    root = repo_root()
    source = (args.source or root / "book").resolve()
    if args.command == "prepare":
        prepare(root, source)
    else:
        print(build(root, source, (args.out or source / "_build" / "html").resolve(), args.strict))


if __name__ == "__main__":
    main()
