"""The book's generated content: the chapter table (intro), the status page, the provenance page, and the table
of parameters that replaces each chapter's folded parameters cell."""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from .claims import CHECK, CLAIM_HARD, CLAIM_REPORTED, CONTROL, HOLDS, KINDS, NOT_RUN, REPRODUCED
from .provenance import stale_reasons
from .stability import SEED_DEPENDENT


@dataclass
class Shown:
    """One chapter page: its title, the record and claims of the run it shows (None: no record matches), and the
    stability table of its fresh sweep record (None: no fresh sweep)."""
    slug: str
    title: str
    record: dict | None
    claims: pd.DataFrame | None
    sweep: pd.DataFrame | None = None
    scratch: bool = False  # the page shows a scratch run (make html SCRATCH=1), not a run of record
    rerun: str = "not rerun"  # whether make book's rerun of the fast profile gave the golden's claims


def _verdicts(claims: pd.DataFrame, sweep: pd.DataFrame | None) -> pd.Series:
    """Each row's verdict: across the seeds of the sweep where there is one (seed-dependent ones grouped), else the
    run's own."""
    if sweep is None:
        return claims["verdict"]
    across = claims["id"].map(sweep["across_seeds"]).fillna("not in the sweep")
    return across.where(~across.str.startswith(SEED_DEPENDENT), SEED_DEPENDENT)


def claim_counts(claims: pd.DataFrame | None, sweep: pd.DataFrame | None = None) -> tuple[str, str, str]:
    """('3 of 6 reproduced (2 seed-dependent, 1 not reproduced)', reported likewise, '5 checks, all hold; ...'):
    paper claims by kind, across the sweep's seeds where `sweep` (a stability table indexed by id) is given; checks
    and controls apart, never counted as reproductions."""
    if claims is None:
        return "not run yet", "", ""
    if "kind" not in claims or not set(claims["kind"]) <= set(KINDS):
        return "record predates claim kinds", "", ""
    claims = claims.assign(verdict=_verdicts(claims, sweep).to_numpy())

    def tally(rows: pd.DataFrame) -> str:
        ran = rows[rows["verdict"] != NOT_RUN]
        counts = ran["verdict"].value_counts()
        text = f"{counts.get(REPRODUCED, 0)} of {len(ran)} reproduced"
        others = [f"{n} {v}" for v, n in counts.items() if v != REPRODUCED]
        if len(ran) < len(rows):
            others.append(f"{len(rows) - len(ran)} not run")
        return text + (f" ({', '.join(others)})" if others else "")

    machinery = []
    for kind, word in ((CHECK, "check"), (CONTROL, "control")):
        rows = claims[claims["kind"] == kind]
        if len(rows):
            bad = int((~rows["verdict"].isin([HOLDS, NOT_RUN])).sum())
            machinery.append(f"{len(rows)} {word}{'s' if len(rows) > 1 else ''}"
                             + (f", {bad} failed" if bad else ", all hold"))
    return (tally(claims[claims["kind"] == CLAIM_HARD]), tally(claims[claims["kind"] == CLAIM_REPORTED]),
            "; ".join(machinery) or "none")


def seeds_text(page: Shown) -> str:
    """'5 seeds' when the page reads its verdicts across a fresh sweep, else 'one seed (no fresh sweep)'."""
    return f"{int(page.sweep['seeds'].max())} seeds" if page.sweep is not None else "one seed (no fresh sweep)"


def chapter_table(pages: list[Shown]) -> str:
    """Markdown table for the intro: chapter, hard and reported paper claims, checks and controls, seeds read."""
    lines = ["| chapter | hard paper claims | reported paper claims | checks and controls | verdicts across |",
             "|---|---|---|---|---|"]
    for page in pages:
        hard, reported, machinery = claim_counts(page.claims, page.sweep)
        lines.append(f"| [{page.title}](chapters/{page.slug}.ipynb) | {hard} | {reported} | {machinery} "
                     f"| {seeds_text(page)} |")
    return "\n".join(lines) + "\n"


def status_table(root: Path, pages: list[Shown]) -> str:
    """Markdown for the status page, two tables that fit the column: the claims of each page (across seeds where
    swept), then its runs: the fast profile's time (its golden), what the page shows (profile, commit), whether that
    run is stale against this checkout, and whether make book's rerun agreed with the golden."""
    claims = ["| chapter | hard paper claims | reported paper claims | checks and controls | verdicts across |",
              "|---|---|---|---|---|"]
    runs = ["| chapter | fast profile | page shows | up to date | rerun here |", "|---|---|---|---|---|"]
    for page in pages:
        golden = nbformat.read(root / "notebooks" / f"{page.slug}.ipynb", as_version=4)
        seconds = golden.metadata.get("papermill", {}).get("duration")
        hard, reported, machinery = claim_counts(page.claims, page.sweep)
        rec = page.record
        shows = f"{rec['profile']} run at `{rec['commit']}`" if rec else "no matching run record"
        shows = f"**scratch** {shows} (seed {rec['seed']})" if rec and page.scratch else shows
        stale = stale_reasons(root, rec, root / "notebooks" / f"{page.slug}.ipynb") if rec else ["no record"]
        fresh = "yes" if not stale else "**stale**: " + "; ".join(stale)
        time = f"{seconds:.0f} s" if seconds else "n/a"
        link = f"[{page.slug[:2]}](chapters/{page.slug}.ipynb)"
        claims.append(f"| {link} | {hard} | {reported} | {machinery} | {seeds_text(page)} |")
        runs.append(f"| {link} | {time} | {shows} | {fresh} | {page.rerun} |")
    return "\n".join(claims) + "\n\n" + "\n".join(runs) + "\n"


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
