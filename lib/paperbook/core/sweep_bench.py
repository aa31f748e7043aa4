"""Benchmark (not a test): one chapter's sweep under both layouts of a 2-core machine, in one run, and their ratio.

    python -m paperbook.core.sweep_bench 02 --seeds 2

Layout A: 1 worker x 2 torch threads (one seed at a time); layout B: 2 workers x 1 thread (two seeds side by side).
Each layout runs in a scratch copy of the sweep folder so that neither reuses the other's results; seeds start at
100 so that no golden run is reused either. Prints the wall time of each and B / A (> 1: one seed at a time wins).
"""

from __future__ import annotations

import argparse
import shutil

from .run import repo_root
from .sweep import Layout, chapter_slug, seed_folder, sweep

LAYOUTS = {"1 worker x 2 threads": Layout(1, 2), "2 workers x 1 thread": Layout(2, 1)}
FIRST_SEED = 100


def bench(chapter: str, seeds: int) -> dict[str, float]:
    """Wall time (s) of a sweep of `seeds` fresh seeds under each layout."""
    root = repo_root()
    slug = chapter_slug(root, chapter)
    times = {}
    for name, layout in LAYOUTS.items():
        for s in range(FIRST_SEED, FIRST_SEED + seeds):
            shutil.rmtree(seed_folder(root, slug, "fast", s), ignore_errors=True)  # time the runs, not reuse
        result = sweep(slug, list(range(FIRST_SEED, FIRST_SEED + seeds)), root=root, layout=layout,
                       progress=False, write=False)
        if not result.ok:
            raise SystemExit(f"{name}: seeds failed: {result.errors}")
        times[name] = result.wall_time_s
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m paperbook.core.sweep_bench", description=__doc__.splitlines()[0])
    parser.add_argument("chapter")
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args(argv)
    times = bench(args.chapter, args.seeds)
    for name, seconds in times.items():
        print(f"{name}: {seconds:.0f} s")
    a, b = times.values()
    print(f"ratio (2 workers x 1 thread) / (1 worker x 2 threads): {b / a:.2f}")


if __name__ == "__main__":
    main()
