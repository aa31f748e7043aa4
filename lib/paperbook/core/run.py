"""The run context every chapter uses: validated parameters, seeding, device, staged outputs, provenance.

    from paperbook.chapters import ch02 as ch
    run = start(globals(), ch)                      # validates, seeds, glues every parameter, prints the header
    run.table(df, "tab-sc-comparison", digits=3)    # CSV + the rounded text nbval compares
    run.show(fig, "fig-basins", caption="...")      # PNG + a numbered, captioned figure in the book
    run.claims(claims)                              # claims.csv, quoted values glued, the table displayed
    run.finish()                                    # provenance.json; outputs swapped into place (output_dir)
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import torch
from IPython.display import display

from .artifacts import StagedDir
from .claims import CheckFailed, Claims
from .display import ClaimsOutput, FigureOutput, TableOutput
from .params import ParameterError, as_config, from_namespace
from .provenance import distributions, git_commit, hardware, notebook_hash, source_hashes, versions
from .rng import rng
from .slugs import number
from .style import DPI, apply_house_style

RECORD_ENV = "PAPERBOOK_RECORD"  # set by `make golden` / `make full`: this run's outputs are results of record
OUTPUT_ENV = "PAPERBOOK_OUTPUT"  # set by a sweep's task (paperbook.core.sweep): this run's own scratch folder


def repo_root(start: Path | None = None) -> Path:
    """The checkout's root: $PAPERBOOK_ROOT, else the first parent of `start` (or cwd) holding lib/paperbook."""
    if os.environ.get("PAPERBOOK_ROOT"):
        return Path(os.environ["PAPERBOOK_ROOT"]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "lib" / "paperbook").is_dir():
            return folder
    raise FileNotFoundError(f"no paperbook checkout above {here}; set PAPERBOOK_ROOT")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch's global generators (a safety net: the library draws from `rng` streams) and
    ask torch for deterministic kernels."""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # needed by deterministic cuBLAS
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def pick_device(name: str = "auto") -> torch.device:
    """'auto' = CUDA when present, else CPU; asking for CUDA without one is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError(f"device {name!r} requested but CUDA is not available")
    return torch.device(name)


def output_dir(root: Path, slug: str, profile: str) -> Path:
    """Where a run writes. Runs of record ($PAPERBOOK_RECORD=1, set by `make golden` and `make full`) write the
    committed figures/<slug>/ (fast profile) or figures/<slug>-full/ (full profile); every other run (make chapter,
    make book, Jupyter) writes the ignored .cache/figures/<slug>/, so it never replaces a result of record. A seed of
    a sweep writes where $PAPERBOOK_OUTPUT says (paperbook.core.sweep)."""
    if os.environ.get(OUTPUT_ENV):
        return Path(os.environ[OUTPUT_ENV])
    if os.environ.get(RECORD_ENV) != "1":
        return root / ".cache" / "figures" / slug
    if profile not in ("fast", "full"):
        raise ParameterError(f"a run of record has profile 'fast' or 'full', got {profile!r}")
    return root / "figures" / (slug if profile == "fast" else f"{slug}-full")


def _glue(name: str, value: Any) -> None:
    from myst_nb import glue  # imported here: the library itself runs without the book packages

    glue(name, value, display=False)


def saved_process_state() -> Callable[[], None]:
    """What a Run changes for the whole process (torch's thread count and deterministic flag, matplotlib's rc
    settings), saved: calling the result puts it back."""
    import matplotlib

    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    rc = dict(matplotlib.rcParams)

    def restore() -> None:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)
        matplotlib.rcParams.update(rc)
    return restore


class Run:
    """One execution of a chapter: where its outputs go and what it records about itself. Its process-wide
    settings last until `finish()` (or the end of a `with start(...) as run:` block), which puts them back."""

    def __init__(self, slug: str, params: dict[str, Any], root: Path, threads: int):
        self.slug, self.root = slug, root
        self.params = params
        self.config = as_config(params, f"Params_{slug}")
        self.seed = int(params["seed"])
        self.restore_process_state = saved_process_state()
        torch.set_num_threads(threads)
        seed_everything(self.seed)
        self.device = pick_device(params.get("device", "auto"))
        self.out = StagedDir(output_dir(root, slug, params.get("profile", "fast")))
        self.started = time.perf_counter()
        self.commit = git_commit(root)
        self.figures: list[str] = []
        self.tables: list[str] = []
        self.shown_tables = 0
        self.number = number(slug)  # the chapter number: tables are numbered 'Table 2.3'
        apply_house_style()

    def rng(self, *keys) -> torch.Generator:
        """The run's random stream named by keys (paperbook.core.rng)."""
        return rng(self.seed, *keys)

    def show(self, fig, name: str, *, caption: str, dpi: int = DPI) -> FigureOutput:
        """Write `name`.png and close the figure (it is rendered once); the book shows it numbered and captioned.
        One figure per cell: the book attaches the caption to the cell's output."""
        import matplotlib.pyplot as plt

        if not name.startswith("fig-") or name in self.figures:
            raise ValueError(f"figure names start with 'fig-' and are unique in a run, got {name!r}")
        if not caption.strip():
            raise ValueError(f"{name}: a figure needs a caption")
        path = self.out.path(f"{name}.png")
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        self.figures.append(name)
        return FigureOutput(path.read_bytes(), name, caption)

    def table(self, df: pd.DataFrame, name: str, digits: int = 3, *, significant: bool = False,
              view: pd.DataFrame | None = None, caption: str = "", quiet: bool = False) -> None:
        """Write `name`.csv (6 significant digits: float noise does not churn it) and display `view` (default: the
        frame) rounded to `digits` decimals, or significant digits: as the text nbval compares and as a numbered
        HTML table in the book. `quiet` writes the CSV only (a long table that a figure shows)."""
        if not name.startswith("tab-") or name in self.tables:
            raise ValueError(f"table names start with 'tab-' and are unique in a run, got {name!r}")
        df.to_csv(self.out.path(f"{name}.csv"), index=False, float_format="%.6g")
        self.tables.append(name)
        if quiet:
            return
        self.shown_tables += 1
        label = f"Table {self.number}.{self.shown_tables}"
        display(TableOutput(df if view is None else view, name, digits, significant, label, caption))

    def claims(self, claims: Claims) -> None:
        """Write claims.csv, glue the values the prose quotes and display the claims table once (the text nbval
        compares, the HTML the book shows). A failed check then stops the run (CheckFailed): its outputs are never
        swapped into place."""
        table = claims.table()
        table.to_csv(self.out.path("claims.csv"), index=False)
        for key, value in {**claims.verdict_quotes(), **claims.quotes}.items():
            _glue(key, value)
        display(ClaimsOutput(table, self.seed))
        failed = claims.failed_checks()
        if failed:
            raise CheckFailed(f"{self.slug}: check(s) {', '.join(failed)} failed; see the claims table")

    def finish(self) -> None:
        """Write provenance.json, swap this run's outputs into place (see output_dir) and print the provenance
        line."""
        record = {
            "chapter": self.slug, "commit": self.commit, "profile": self.params.get("profile", "fast"),
            "seed": self.seed, "params": self.params, "versions": versions(), "hardware": hardware(self.device),
            "wall_time_s": round(time.perf_counter() - self.started, 1),
            "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "notebook": notebook_hash(self.root / "notebooks" / f"{self.slug}.ipynb"),
            "sources": source_hashes(self.root), "distributions": distributions(),
        }
        record["run_id"] = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:12]
        self.out.path("provenance.json").write_text(json.dumps(record, indent=2) + "\n")
        self.out.commit()
        print(f"commit {record['commit']} · profile {record['profile']} · seed {record['seed']} · "
              f"{record['hardware']['device']} · torch {record['versions']['torch']} · "
              f"wall time {record['wall_time_s']} s · run {record['run_id']}")
        self.restore_process_state()

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, *exc) -> None:
        """Leaving a `with` block puts the process-wide settings back (finish() already did, if it ran)."""
        self.restore_process_state()

    def describe(self) -> str:
        return (f"{self.slug}: profile={self.params.get('profile', 'fast')} device={self.device.type} "
                f"seed={self.seed} commit={self.commit}")


def start(namespace: Mapping[str, Any], chapter: ModuleType, *, threads: int | None = None,
          root: Path | None = None) -> Run:
    """Validate the notebook's parameters against `chapter.PARAMS` and `chapter.check` (raising ParameterError before
    any compute), open a Run, glue every parameter under its own name and print the one-line header.

    `chapter.check(params)` returns the problems that involve several parameters at once (e.g. more queries than
    memories)."""
    params = from_namespace(namespace, chapter.PARAMS)
    problems = chapter.check(params)
    if problems:
        raise ParameterError("inconsistent papermill parameters:\n  - " + "\n  - ".join(problems))
    threads = threads or int(os.environ.get("PAPERBOOK_THREADS", "2"))  # 1: another reduction order (make portable)
    run = Run(chapter.SLUG, params, root or repo_root(), threads)
    for name, value in params.items():
        _glue(name, value)
    print(run.describe())
    return run


__all__ = ["Run", "start", "seed_everything", "pick_device", "repo_root", "output_dir"]
