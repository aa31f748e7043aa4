"""Seed sweeps on Dask: a chapter's profile at several seeds, each seed one papermill task, folded into the sweep
record figures/<slug>-seeds/ (fast profile) or figures/<slug>-full-seeds/ (full profile).

    make sweep CH=05 SEEDS=5                                   # a LocalCluster sized for this machine
    python -m paperbook.core.sweep 05 --seeds 5 --scheduler tcp://host:8786   # an existing Dask cluster

Each seed runs in its own scratch folder (.cache/sweeps/<slug>/<profile>/seed-N/, written under a private
`.partial` name and renamed when the run ends), with the chapter's progress bars off. A seed whose result is fresh
(same code, notebook and parameters: `provenance.stale_reasons`) is not recomputed, so an interrupted sweep resumes;
seed 0 of the fast profile is the golden's own run when that is fresh. A task whose worker dies is rescheduled by
Dask on another worker; a seed whose notebook raises is reported with its cell and error, the other seeds finish,
and the sweep exits non-zero without writing a record. Workers on other machines need this checkout at the same
path (a shared file system) and the same environment (`make setup`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd

from .artifacts import StagedDir
from .chapters import notebooks
from .claims import CHECK, CONTROL, NOT_RUN
from .provenance import git_commit, stale_reasons
from .run import OUTPUT_ENV, RECORD_ENV, repo_root
from .stability import plot_margins, stability
from .style import DPI, apply_house_style


@dataclass(frozen=True)
class Layout:
    """How a sweep uses one machine: `workers` seeds at a time, each chapter run with `threads` torch threads."""
    workers: int
    threads: int


# On this project's 2-core machines two single-threaded seeds side by side took 0.58 of the time of one seed at a time
# with 2 threads (`python -m paperbook.core.sweep_bench 02 --seeds 2`: 37 s against 63 s, 2026-12-05), so that is
# the default.
DEFAULT_LAYOUT = Layout(workers=2, threads=1)


@dataclass(frozen=True)
class SeedRun:
    """One task of a sweep: a chapter at one seed (root is the checkout's path, the same on every worker)."""
    slug: str
    seed: int
    profile: str
    root: str
    threads: int


def notebook_of(root: Path, slug: str) -> Path:
    return root / "notebooks" / f"{slug}.ipynb"


def profile_file(root: Path, slug: str, profile: str) -> Path | None:
    """The papermill parameters file of a profile (None for the fast profile: the notebook's own defaults)."""
    if profile == "fast":
        return None
    path = root / "notebooks" / "params" / f"{slug}.{profile}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no profile {profile!r} for {slug}: {path} does not exist")
    return path


def seed_folder(root: Path, slug: str, profile: str, seed: int) -> Path:
    return root / ".cache" / "sweeps" / slug / profile / f"seed-{seed}"


def record_folder(root: Path, slug: str, profile: str) -> Path:
    """Where a sweep's record lives: figures/<slug>-seeds/ (fast) or figures/<slug>-<profile>-seeds/."""
    return root / "figures" / (f"{slug}-seeds" if profile == "fast" else f"{slug}-{profile}-seeds")


def _result(folder: Path, seed: int, reused: bool) -> dict:
    return {"seed": seed, "claims": pd.read_csv(folder / "claims.csv", keep_default_na=False),
            "provenance": json.loads((folder / "provenance.json").read_text()), "reused": reused}


def fresh_outputs(root: Path, folder: Path, run: SeedRun) -> bool:
    """A run's outputs in `folder` are this seed's and profile's, made by the code and notebook this checkout
    holds."""
    path = folder / "provenance.json"
    if not path.exists() or not (folder / "claims.csv").exists():
        return False
    rec = json.loads(path.read_text())
    return (rec.get("seed") == run.seed and rec.get("profile") == run.profile
            and not stale_reasons(root, rec, notebook_of(root, run.slug)))


def notebook_error(executed: Path) -> str | None:
    """'cell N: Name: message' of the first error output of an executed notebook."""
    if not executed.exists():
        return None
    for cell in nbformat.read(executed, as_version=4).cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"cell {cell.get('execution_count')}: {out['ename']}: {out['evalue']}"
    return None


def _die_with_parent() -> None:
    """In the chapter's subprocess: end it when the worker that started it dies (Linux), so that a killed worker
    leaves no orphan run behind that could race the rescheduled one."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def clean_partials(root: Path, slug: str, profile: str) -> None:
    """Remove what interrupted attempts left in the sweep's scratch folder (called when no attempt is in flight)."""
    for partial in seed_folder(root, slug, profile, 0).parent.glob(".seed-*.partial"):
        shutil.rmtree(partial, ignore_errors=True)


def run_seed(run: SeedRun) -> dict:
    """Run (or reuse) one seed; returns its claims and provenance, or {'seed', 'error'} when the notebook raised."""
    root = Path(run.root)
    folder = seed_folder(root, run.slug, run.profile, run.seed)
    golden = root / "figures" / run.slug
    if run.seed == 0 and run.profile == "fast" and fresh_outputs(root, golden, run):
        return _result(golden, run.seed, reused=True)
    if fresh_outputs(root, folder / "outputs", run):
        return _result(folder / "outputs", run.seed, reused=True)
    partial = folder.with_name(f".{folder.name}.{uuid.uuid4().hex[:8]}.partial")  # one per attempt
    partial.mkdir(parents=True)
    threads = str(run.threads)  # overrides the single-thread BLAS settings Dask gives its worker processes
    env = {**os.environ, OUTPUT_ENV: str(partial / "outputs"), "TQDM_DISABLE": "1", "PAPERBOOK_THREADS": threads,
           "PAPERBOOK_ROOT": str(root), "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
           "OPENBLAS_NUM_THREADS": threads}
    env.pop(RECORD_ENV, None)
    env.pop("MALLOC_TRIM_THRESHOLD_", None)  # Dask's worker setting: made a chapter run twice as long, in the kernel
    params = profile_file(root, run.slug, run.profile)
    cmd = [sys.executable, "-m", "papermill", "--cwd", str(root / "notebooks"), "--no-progress-bar",
           "--log-level", "ERROR", str(notebook_of(root, run.slug)), str(partial / "executed.ipynb"),
           "-p", "seed", str(run.seed), *(["-f", str(params)] if params else [])]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, preexec_fn=_die_with_parent)
    if proc.returncode != 0:
        error = notebook_error(partial / "executed.ipynb") or proc.stderr.strip()[-2000:]
        shutil.rmtree(partial, ignore_errors=True)
        return {"seed": run.seed, "error": error}
    shutil.rmtree(folder, ignore_errors=True)  # a stale result of this seed
    try:
        os.rename(partial, folder)
    except OSError:  # another attempt of this seed (its worker was presumed dead) finished first
        shutil.rmtree(partial, ignore_errors=True)
    return _result(folder / "outputs", run.seed, reused=False)


@dataclass
class SweepResult:
    """What a sweep produced: per-seed results (claims, provenance) and errors, and the record it wrote."""
    slug: str
    profile: str
    results: list[dict]
    errors: dict[int, str]
    record: Path | None
    wall_time_s: float

    @property
    def ok(self) -> bool:
        return not self.errors


def open_client(scheduler: str | None, layout: Layout):
    """A Dask client: on the cluster at `scheduler` (or $DASK_SCHEDULER_ADDRESS), else on a LocalCluster of
    `layout.workers` single-task worker processes."""
    from dask.distributed import Client, LocalCluster

    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        return Client(address)
    cluster = LocalCluster(n_workers=layout.workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    return Client(cluster)


def execute(client, runs: list[SeedRun], *, gpu: bool = False, progress: bool = True) -> tuple[list[dict], dict]:
    """Submit every seed and collect them as they finish (a progress bar over seeds). A task that raised (not a
    notebook error: those are results) is retried once, then reported."""
    from dask.distributed import as_completed
    from tqdm.auto import tqdm

    futures = [client.submit(run_seed, r, key=f"{r.slug}-{r.profile}-seed{r.seed}-{uuid.uuid4().hex[:6]}",
                             retries=1, pure=False, resources={"GPU": 1} if gpu else None) for r in runs]
    seeds = {f.key: r.seed for f, r in zip(futures, runs)}
    results, errors = [], {}
    for future in tqdm(as_completed(futures), total=len(futures), desc=f"{runs[0].slug} seeds", disable=not progress):
        try:
            out = future.result()
        except Exception as exc:  # noqa: BLE001 (a worker-side failure of any kind is reported, not raised)
            out = {"seed": seeds[future.key], "error": f"{type(exc).__name__}: {exc}"}
        if "error" in out:
            errors[out["seed"]] = out["error"]
        else:
            results.append(out)
    return sorted(results, key=lambda r: r["seed"]), dict(sorted(errors.items()))


def claims_by_seed(results: list[dict]) -> pd.DataFrame:
    """Every seed's claims table, stacked, with a `seed` column first."""
    return pd.concat([r["claims"].assign(seed=r["seed"]) for r in results], ignore_index=True)[
        ["seed", *results[0]["claims"].columns]]


def read_where_run(by_seed: pd.DataFrame) -> pd.DataFrame:
    """The per-seed rows that decide a verdict across seeds: a check or control not run at a seed (a regression
    floor read at the golden's seed only) is left out there, so that it reads 'holds (1/1)', not 'fails'."""
    skipped = by_seed["kind"].isin([CHECK, CONTROL]) & (by_seed["verdict"] == NOT_RUN)
    return by_seed[~skipped]


def write_record(root: Path, slug: str, profile: str, results: list[dict], layout: Layout | None,
                 wall_time_s: float) -> Path:
    """figures/<slug>-seeds/: claims-by-seed.csv, stability.csv, fig-seed-margins.png and provenance.json, staged
    and swapped in whole."""
    import matplotlib.pyplot as plt

    by_seed = claims_by_seed(results)
    out = StagedDir(record_folder(root, slug, profile))
    by_seed.to_csv(out.path("claims-by-seed.csv"), index=False)
    stability(read_where_run(by_seed)).to_csv(out.path("stability.csv"), index=False, float_format="%.6g")
    apply_house_style()
    fig = plot_margins(by_seed)
    fig.savefig(out.path("fig-seed-margins.png"), dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    first = results[0]["provenance"]
    record = {"chapter": slug, "profile": profile, "seeds": [r["seed"] for r in results],
              "runs": {str(r["seed"]): r["provenance"]["run_id"] for r in results}, "commit": git_commit(root),
              "sources": first["sources"], "notebook": first["notebook"], "distributions": first["distributions"],
              "layout": None if layout is None else {"workers": layout.workers, "threads": layout.threads},
              "wall_time_s": round(wall_time_s, 1), "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    out.path("provenance.json").write_text(json.dumps(record, indent=2) + "\n")
    return out.commit()


def sweep(slug: str, seeds: list[int], *, profile: str = "fast", root: Path | None = None,
          scheduler: str | None = None, layout: Layout = DEFAULT_LAYOUT, gpu: bool = False,
          progress: bool = True, client=None, write: bool = True) -> SweepResult:
    """Run `slug` at `seeds` on Dask and write its sweep record (only when every seed succeeded and `write`)."""
    root = (root or repo_root()).resolve()
    if not notebook_of(root, slug).exists():
        raise FileNotFoundError(f"no chapter notebook {notebook_of(root, slug)}")
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise ValueError(f"seeds must be distinct non-negative integers, got {seeds}")
    profile_file(root, slug, profile)  # a missing profile fails before any work
    started = time.perf_counter()
    own = client is None
    client = client or open_client(scheduler, layout)
    try:
        runs = [SeedRun(slug, s, profile, str(root), layout.threads) for s in seeds]
        results, errors = execute(client, runs, gpu=gpu, progress=progress)
    finally:
        if own:
            client.close()
            if client.cluster is not None:
                client.cluster.close()
    clean_partials(root, slug, profile)
    wall = time.perf_counter() - started
    layout_used = None if scheduler or own is False else layout
    record = None if errors or not write else write_record(root, slug, profile, results, layout_used, wall)
    return SweepResult(slug, profile, results, errors, record, wall)


def chapter_slug(root: Path, chapter: str) -> str:
    """'05' or '05_learnable_positional_encoding' -> the slug of the chapter's notebook."""
    found = [nb.stem for nb in notebooks(root) if nb.stem == chapter or nb.stem[:2] == chapter]
    if not found:
        raise SystemExit(f"no chapter {chapter!r}; chapters: {', '.join(nb.stem[:2] for nb in notebooks(root))}")
    return found[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m paperbook.core.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="chapter number (05) or slug")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--profile", default="fast", help="fast (the notebook's defaults) or full")
    parser.add_argument("--scheduler", help="address of an existing Dask scheduler (else $DASK_SCHEDULER_ADDRESS, "
                                            "else a LocalCluster)")
    parser.add_argument("--workers", type=int, default=DEFAULT_LAYOUT.workers, help="LocalCluster: seeds at a time")
    parser.add_argument("--threads", type=int, default=DEFAULT_LAYOUT.threads, help="torch threads per seed")
    parser.add_argument("--gpu", action="store_true", help="each seed asks for a worker resource GPU=1")
    args = parser.parse_args(argv)
    root = repo_root()
    slug = chapter_slug(root, args.chapter)
    result = sweep(slug, list(range(args.seeds)), profile=args.profile, root=root, scheduler=args.scheduler,
                   layout=Layout(args.workers, args.threads), gpu=args.gpu)
    for seed, error in result.errors.items():
        print(f"{slug} seed {seed} failed: {error}", file=sys.stderr)
    reused = sum(r["reused"] for r in result.results)
    print(f"{slug}: {len(result.results)} of {len(seeds := range(args.seeds))} seeds ok ({reused} reused), "
          f"wall time {result.wall_time_s:.0f} s" + (f"; record {result.record}" if result.record else "; no record"))
    return 0 if result.ok and len(result.results) == len(seeds) else 1


if __name__ == "__main__":
    sys.exit(main())
