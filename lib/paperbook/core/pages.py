"""The book's generated content: the chapter table (intro), the status page, the provenance page, and the table
of parameters that replaces each chapter's folded parameters cell."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from .claims import HARD, NOT_RUN, REPORTED, REPRODUCED
from .provenance import stale_reasons


@dataclass
class Shown:
    """One chapter page: its title, and the record and claims of the run it shows (None: no record matches)."""
    slug: str
    title: str
    record: dict | None
    claims: pd.DataFrame | None


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


def chapter_table(pages: list[Shown]) -> str:
    """Markdown table for the intro: chapter, hard claims reproduced, reported claims."""
    lines = ["| chapter | hard claims | reported claims |", "|---|---|---|"]
    for page in pages:
        hard, reported = claim_counts(page.claims)
        lines.append(f"| [{page.title}](chapters/{page.slug}.ipynb) | {hard} | {reported} |")
    return "\n".join(lines) + "\n"


def status_table(root: Path, pages: list[Shown]) -> str:
    """Markdown table for the status page: claims, the fast profile's time (its golden), and what each page shows
    (profile, commit) and whether that run is stale against this checkout."""
    lines = ["| chapter | hard claims | reported claims | fast profile | page shows | up to date |",
             "|---|---|---|---|---|---|"]
    for page in pages:
        golden = nbformat.read(root / "notebooks" / f"{page.slug}.ipynb", as_version=4)
        seconds = golden.metadata.get("papermill", {}).get("duration")
        hard, reported = claim_counts(page.claims)
        rec = page.record
        shows = f"{rec['profile']} run at `{rec['commit']}`" if rec else "no matching run record"
        stale = stale_reasons(root, rec, root / "notebooks" / f"{page.slug}.ipynb") if rec else ["no record"]
        fresh = "yes" if not stale else "**stale**: " + "; ".join(stale)
        time = f"{seconds:.0f} s" if seconds else "n/a"
        lines.append(f"| [{page.slug[:2]}](chapters/{page.slug}.ipynb) | {hard} | {reported} | {time} | {shows} "
                     f"| {fresh} |")
    return "\n".join(lines) + "\n"


def provenance_table(pages: list[Shown]) -> str:
    """Markdown: one section per chapter with the record of the run its page shows."""
    out = []
    for page in pages:
        out.append(f"## {page.slug}\n")
        rec = page.record
        if rec is None:
            out.append("No run record matches the page shown.\n")
            continue
        hw = rec["hardware"]
        rows = [("run", rec.get("run_id", "")), ("commit", rec["commit"]), ("profile", rec["profile"]),
                ("seed", rec["seed"]), ("wall time", f"{rec['wall_time_s']} s"),
                ("finished (UTC)", rec["finished_utc"]),
                ("hardware", f"{hw['machine']}, {hw['cpus']} CPUs, {hw['torch_threads']} torch threads, "
                             f"device {hw['device']}{', ' + hw['gpu'] if 'gpu' in hw else ''}"),
                ("versions", ", ".join(f"{k} {v}" for k, v in rec["versions"].items())),
                ("parameters", ", ".join(f"`{k}={v}`" for k, v in rec["params"].items()))]
        out.append("| field | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n")
    return "\n".join(out)


def parameter_meanings(cell_source: str) -> dict[str, str]:
    """name -> the comment after `name: type = literal  # comment` in a parameters cell."""
    out = {}
    for line in cell_source.splitlines():
        code, _, comment = line.partition("#")
        if code.strip():
            node = ast.parse(code.strip()).body[0]
            out[node.target.id] = comment.split("# noqa")[0].strip()
    return out


def parameter_table(cell_source: str, values: dict, number: str, slug: str) -> str:
    """Markdown: each parameter's value in the run shown and its meaning, with the commands that change it."""
    def literal(v):
        return json.dumps(v) if isinstance(v, str) else repr(v)

    rows = [f"| `{name}` | `{literal(values.get(name, 'n/a'))}` | {meaning.replace('|', '/')} |"
            for name, meaning in parameter_meanings(cell_source).items()]
    example = next((n for n in values if n not in ("profile", "seed", "device")), "seed")
    profile = values.get("profile", "n/a")
    return (f":::{{dropdown}} Parameters of this run ({len(rows)}, profile `{profile}`): values, meanings, how to "
            f"change them\nChange one with `make chapter CH={number} ARGS=\"-p {example} ...\"` (or `papermill "
            f"notebooks/{slug}.ipynb out.ipynb -p {example} ...`); `make full CH={number}` runs the full profile.\n\n"
            "| parameter | value | meaning |\n|---|---|---|\n" + "\n".join(rows) + "\n:::\n")
