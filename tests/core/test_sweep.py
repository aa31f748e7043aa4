"""Seed sweeps on Dask, on the skeleton chapter: a record per sweep, resume, a worker killed mid-task, a failing seed,
and results that do not depend on the layout (2-worker LocalClusters, seconds per seed)."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from notebook_utils import TEMPLATE

from paperbook.core.sweep import Layout, open_client, record_folder, seed_folder, sweep

SLUG = "00_template"
pytestmark = pytest.mark.slow


def make_root(tmp_path: Path, name: str = "root") -> Path:
    """A checkout holding only the skeleton's notebook (the library is the installed one)."""
    root = tmp_path / name
    (root / "notebooks").mkdir(parents=True)
    (root / "lib" / "paperbook").mkdir(parents=True)
    shutil.copy(TEMPLATE, root / "notebooks" / f"{SLUG}.ipynb")
    return root


@pytest.fixture(scope="module")
def client():
    c = open_client(None, Layout(workers=2, threads=1))
    yield c
    c.close()
    c.cluster.close()


def test_a_sweep_writes_its_record_and_resumes_without_recomputing(tmp_path, client):
    root = make_root(tmp_path)
    first = sweep(SLUG, [0, 1, 2], root=root, client=client, progress=False)
    assert first.ok and [r["seed"] for r in first.results] == [0, 1, 2]
    record = record_folder(root, SLUG, "fast")
    assert sorted(p.name for p in record.iterdir()) == ["claims-by-seed.csv", "fig-seed-margins.png",
                                                       "provenance.json", "stability.csv"]
    table = pd.read_csv(record / "stability.csv", keep_default_na=False).set_index("id")
    assert table.loc["T1", "seeds"] == 3 and table.loc["T1", "across_seeds"] == "reproduced"
    assert table.loc["K1", "across_seeds"] == "holds"
    by_seed = pd.read_csv(record / "claims-by-seed.csv")
    assert by_seed.groupby("seed")["ours"].first().nunique() == 3, "every seed is its own run"
    shutil.rmtree(seed_folder(root, SLUG, "fast", 1))  # an interrupted sweep: seed 1 never finished
    again = sweep(SLUG, [0, 1, 2], root=root, client=client, progress=False)
    assert [r["reused"] for r in again.results] == [True, False, True]
    assert {r["seed"]: r["provenance"]["run_id"] for r in again.results if r["reused"]} == \
        {r["seed"]: r["provenance"]["run_id"] for r in first.results if r["seed"] != 1}
    assert not list(seed_folder(root, SLUG, "fast", 0).parent.glob(".*.partial")), "no half-written attempt left"


def test_a_worker_killed_mid_task_is_rescheduled_and_the_sweep_completes(tmp_path, client):
    root = make_root(tmp_path)
    done = {}
    thread = threading.Thread(target=lambda: done.update(r=sweep(SLUG, [3, 4], root=root, client=client,
                                                                   progress=False)))
    thread.start()
    deadline = time.time() + 60
    while not any(client.processing().values()) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # the seed's papermill run has started
    busy = [w for w, keys in client.processing().items() if keys]
    assert busy, "no task was running"
    pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
    os.kill(pid, signal.SIGKILL)  # kill one worker mid-task: its nanny starts a new one, Dask reschedules the seed
    thread.join(timeout=240)
    result = done["r"]
    assert result.ok and [r["seed"] for r in result.results] == [3, 4], result.errors
    assert record_folder(root, SLUG, "fast").exists()


def test_a_failing_seed_is_reported_with_its_cell_and_no_record_is_written(tmp_path, client):
    root = make_root(tmp_path)
    path = root / "notebooks" / f"{SLUG}.ipynb"
    nb = nbformat.read(path, as_version=4)
    setup = next(c for c in nb.cells if "run = start(globals(), ch)" in c.source)
    setup.source += "\nassert run.seed != 6, 'seed 6 breaks'"
    nbformat.write(nb, path)
    result = sweep(SLUG, [5, 6], root=root, client=client, progress=False)
    assert not result.ok and [r["seed"] for r in result.results] == [5]
    assert "AssertionError: seed 6 breaks" in result.errors[6] and result.errors[6].startswith("cell ")
    assert result.record is None and not record_folder(root, SLUG, "fast").exists()


def test_results_do_not_depend_on_workers_or_threads(tmp_path, client):
    two = sweep(SLUG, [7, 8], root=make_root(tmp_path, "two"), client=client, progress=False)
    one = sweep(SLUG, [7, 8], root=make_root(tmp_path, "one"), layout=Layout(workers=1, threads=2), progress=False)
    frames = [pd.read_csv(r.record / "claims-by-seed.csv") for r in (two, one)]
    pd.testing.assert_frame_equal(*frames)


def test_bad_seeds_and_unknown_profiles_fail_before_any_work(tmp_path):
    root = make_root(tmp_path)
    with pytest.raises(ValueError, match="distinct"):
        sweep(SLUG, [1, 1], root=root)
    with pytest.raises(FileNotFoundError, match="huge"):
        sweep(SLUG, [0], root=root, profile="huge")


def test_an_existing_cluster_by_address_and_a_gpu_resource(tmp_path):
    """The README's recipe for more machines: workers started with `--resources GPU=1` (here a LocalCluster with
    that resource) take the seeds of a sweep that asks for a GPU (`--gpu`), reached by the scheduler's address."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, resources={"GPU": 1}, dashboard_address=None,
                      silence_logs=40) as cluster:
        result = sweep(SLUG, [9], root=make_root(tmp_path), scheduler=cluster.scheduler_address, gpu=True,
                       progress=False)
    assert result.ok and result.record is not None
    assert '"layout": null' in (result.record / "provenance.json").read_text(), "a cluster's layout is not ours"
