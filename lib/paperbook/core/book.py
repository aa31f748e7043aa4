"""Book assembly: executed chapters prepared for reading (captions, folded parameters), the generated pages
(paperbook.core.pages) and an atomic Jupyter Book build.

    python -m paperbook.core.book build [--source book] [--out book/_build/html] [--strict]

Executed chapters are read from <source>/chapters/; a chapter not executed there is taken from its
committed, executed notebook: the full profile's run of record where one is committed (notebooks/records/),
else the fast golden in notebooks/ (the nbval golden). The HTML is built into a temporary folder
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
from .chapters import full_record, notebooks, package_dir
from .display import FIGURE_KEY, claims_html
from .pages import Shown, chapter_table, parameter_table, provenance_table, status_table
from .provenance import stale_reasons
from .run import repo_root
from .sources import Producer, producers
from .sweep import record_folder

RUN_ID = re.compile(r"· run ([0-9a-f]{12})\b")  # printed by Run.finish


def chapter_slugs(root: Path) -> list[str]:
    return [nb.stem for nb in notebooks(root)]


def chapter_title(notebook: Path) -> str:
    """The first markdown heading of a notebook, without the leading '#'."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            return cell.source.lstrip().splitlines()[0].lstrip("# ").strip()
    return notebook.stem


def committed_notebook(root: Path, slug: str) -> Path:
    """The executed notebook a chapter's page shows: the run of record of widest scope that is fresh (its committed
    full-profile record when that was made by this checkout's code), else its fast golden."""
    record = full_record(root, slug)
    provenance = root / "figures" / f"{slug}-full" / "provenance.json"
    if record.exists() and provenance.exists():
        if not stale_reasons(root, json.loads(provenance.read_text()), root / "notebooks" / f"{slug}.ipynb"):
            return record
    return root / "notebooks" / f"{slug}.ipynb"


def scratch_notebook(root: Path, slug: str) -> Path:
    """Where `make chapter` / `make chapters` leave a chapter's executed scratch run."""
    return root / ".cache" / "executed" / f"{slug}.ipynb"


def rerun_agreement(root: Path, slug: str) -> str:
    """Whether this checkout's scratch rerun of the fast profile (make book) gave the golden's claims: 'agrees',
    'differs: <ids>', or 'not rerun' (no scratch run of the golden's parameters)."""
    scratch, golden = root / ".cache" / "figures" / slug, root / "figures" / slug
    if not all((d / f).exists() for d in (scratch, golden) for f in ("provenance.json", "claims.csv")):
        return "not rerun"
    ran, record = (json.loads((d / "provenance.json").read_text()) for d in (scratch, golden))
    if ran["params"] != record["params"] or stale_reasons(root, ran, root / "notebooks" / f"{slug}.ipynb"):
        return "not rerun"
    a, b = (pd.read_csv(d / "claims.csv", keep_default_na=False).set_index("id")[["ours", "verdict"]]
            for d in (scratch, golden))
    differ = sorted(set(a.index) ^ set(b.index) | {i for i in set(a.index) & set(b.index)
                                                   if tuple(a.loc[i]) != tuple(b.loc[i])})
    return "agrees" if not differ else "differs: " + ", ".join(differ)


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


def made_by(found: dict[str, list[Producer]], name: str, slug: str) -> str:
    """'Made by plots.plot_x (lib/paperbook/chapters/chNN/), tested in tests/chapters/test_chNN.py.' for an output
    id, from the docstrings that name it (paperbook.core.sources); empty when none does."""
    if name not in found:
        return ""
    functions = " and ".join(f"`{p.name}`" for p in found[name])
    return (f" Made by {functions} (lib/paperbook/chapters/ch{slug[:2]}/), tested in "
            f"tests/chapters/test_ch{slug[:2]}.py.")


def caption_outputs(nb, found: dict[str, list[Producer]], slug: str) -> None:
    """Move each figure output's name and caption (written by Run.show) into its cell's `mystnb.figure` metadata,
    where myst-nb renders a numbered, captioned figure that {numref} can cite; a cell that only shows a figure has
    its code folded (the caption it passes is printed under the figure). Each figure's and table's caption names
    the function that produced it and its test."""
    for cell in nb.cells:
        found_figures = [o.metadata[FIGURE_KEY]["figure"] for o in cell.get("outputs", [])
                         if FIGURE_KEY in o.get("metadata", {})]
        if len(found_figures) > 1:
            raise ValueError(f"one figure per cell: a cell shows {[f['name'] for f in found_figures]}")
        if found_figures:
            figure = dict(found_figures[0])
            figure["caption"] += made_by(found, figure["name"], slug)
            cell.metadata.setdefault("mystnb", {})["figure"] = figure
            if cell.source.lstrip().startswith("run.show("):
                cell.metadata["tags"] = sorted(set(cell.metadata.get("tags", [])) | {"hide-input"})
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            table = re.search(r'id="T_(tab-[a-z0-9-]+)', page)
            line = made_by(found, table.group(1), slug) if table and "</caption>" in page else ""
            if line:
                code = re.sub(r"`([^`]+)`", r"<code>\1</code>", line.strip())
                output["data"]["text/html"] = page.replace("</caption>", f"<br><small>{code}</small></caption>", 1)


def fold_parameters(nb, values: dict, slug: str) -> None:
    """Fold the parameters cell (and papermill's injected one) and put the table of parameters after them."""
    cells = [c for c in nb.cells if {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    if not cells or any(c.metadata.get("paperbook") == "parameter-table" for c in nb.cells):
        return
    for cell in cells:
        cell.metadata["tags"] = sorted(set(cell.metadata["tags"]) | {"hide-input"})
    table = nbformat.v4.new_markdown_cell(parameter_table(cells[0].source, values, slug[:2], slug))
    table.metadata["paperbook"] = "parameter-table"
    nb.cells.insert(nb.cells.index(cells[-1]) + 1, table)


def read_claims(path: Path) -> pd.DataFrame:
    """A run's claims.csv as the table `Claims.table()` made: text columns as text ("+0.099" stays a string)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for flag in ("fragile", "volatile"):
        if flag in table:
            table[flag] = table[flag] == "True"
    return table


def fresh_sweep(root: Path, slug: str, profile: str) -> pd.DataFrame | None:
    """The stability table (indexed by claim id) of the chapter's sweep record for `profile`, if that record was
    made by the code and notebook this checkout holds; else None."""
    folder = record_folder(root, slug, profile)
    if not (folder / "provenance.json").exists():
        return None
    record = json.loads((folder / "provenance.json").read_text())
    if stale_reasons(root, record, root / "notebooks" / f"{slug}.ipynb"):
        return None
    return pd.read_csv(folder / "stability.csv", keep_default_na=False).set_index("id")


GLUE_TEXT = "application/papermill.record/text/plain"  # how myst_nb's glue stores a value in an output


def show_sweep(nb, claims: pd.DataFrame, seed: int, sweep: pd.DataFrame | None) -> None:
    """Replace the claims table the run displayed by the same table read across the sweep's seeds, and every glued
    verdict `<id>_verdict` the prose quotes by the verdict across seeds (the run's own stays in the table)."""
    if sweep is None:
        return
    across = {f"{cid.lower()}_verdict": verdict for cid, verdict in sweep["across_seeds"].items()}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data, name = out.get("data", {}), out.get("metadata", {}).get("scrapbook", {}).get("name")
            if "paperbook-claims" in data.get("text/html", ""):
                data["text/html"] = claims_html(claims, seed=seed, sweep=sweep)
            elif name in across and GLUE_TEXT in data:
                data[GLUE_TEXT] = repr(across[name])


def prepare(root: Path, source: Path, show_scratch: bool = False) -> None:
    """Give every chapter an executed copy in source/chapters: its committed run of record of widest scope (or, when
    asked, its scratch run, labelled on the status page), caption its figures, fold its parameters, read its claims
    across the seeds of a fresh sweep record, and write the generated pages."""
    pages = []
    for slug in chapter_slugs(root):
        executed = source / "chapters" / f"{slug}.ipynb"
        executed.parent.mkdir(parents=True, exist_ok=True)
        scratch = scratch_notebook(root, slug)
        use_scratch = show_scratch and scratch.exists() and shown_outputs(root, scratch, slug) is not None
        shutil.copyfile(scratch if use_scratch else committed_notebook(root, slug), executed)
        folder = shown_outputs(root, executed, slug)
        record = json.loads((folder / "provenance.json").read_text()) if folder else None
        claims = read_claims(folder / "claims.csv") if folder and (folder / "claims.csv").exists() else None
        sweep = fresh_sweep(root, slug, record["profile"]) if record and record["seed"] == 0 else None
        nb = nbformat.read(executed, as_version=4)
        caption_outputs(nb, producers(package_dir(root, slug[:2])), slug)
        fold_parameters(nb, record["params"] if record else {}, slug)
        if claims is not None:
            show_sweep(nb, claims, record["seed"], sweep)
        atomic_write(executed, lambda p, nb=nb: nbformat.write(nb, p))
        pages.append(Shown(slug, chapter_title(root / "notebooks" / f"{slug}.ipynb"), record, claims, sweep,
                           scratch=use_scratch, rerun=rerun_agreement(root, slug)))
    gen = source / "_generated"
    for name, text in (("chapters.md", chapter_table(pages)), ("status.md", status_table(root, pages)),
                       ("provenance.md", provenance_table(pages))):
        atomic_write(gen / name, lambda p, text=text: p.write_text(text))


def build(root: Path, source: Path, out: Path, strict: bool = True, show_scratch: bool = False) -> Path:
    """Build the HTML into a temporary folder beside `out`, then swap it in."""
    prepare(root, source, show_scratch)
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
    parser.add_argument("--show-scratch", action="store_true",
                        help="show each chapter's scratch run (.cache/executed/, make chapter) instead of its record")
    args = parser.parse_args(argv)
    root = repo_root()
    source = (args.source or root / "book").resolve()
    if args.command == "prepare":
        prepare(root, source, args.show_scratch)
    else:
        print(build(root, source, (args.out or source / "_build" / "html").resolve(), args.strict, args.show_scratch))


if __name__ == "__main__":
    main()
