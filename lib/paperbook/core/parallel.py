"""Independent tasks side by side in worker processes of one thread each, or in this process.

Workers are spawned, not forked: a forked child inherits the parent's intra-op thread pool in an undefined state.
A task's random streams must be named by the task itself (its key), never drawn from a shared generator, so that
the results do not depend on the number of workers or on the order the tasks finish in.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Hashable, Mapping

import torch
from tqdm.auto import tqdm


def run_tasks(fn: Callable, tasks: Mapping[Hashable, tuple], *, workers: int, desc: str, **kwargs) -> dict:
    """{key: fn(*args, **kwargs)} for tasks {key: args}, in `workers` spawned processes of one thread each (in
    this process when workers = 1), with a progress bar. fn and its arguments must pickle."""
    bar = tqdm(total=len(tasks), desc=desc)
    if workers == 1:
        done = {}
        for key, args in tasks.items():
            done[key] = fn(*args, **kwargs)
            bar.update()
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=torch.set_num_threads, initargs=(1,)) as pool:
            futures = {key: pool.submit(fn, *args, **kwargs) for key, args in tasks.items()}
            for f in futures.values():
                f.add_done_callback(lambda _: bar.update())
            done = {key: f.result() for key, f in futures.items()}
    bar.close()
    return done


def on_cpu(device) -> bool:
    """Whether device (a string or a torch.device: the run's is the latter, never equal to "cpu") is the CPU, where
    worker processes pay; on a GPU the tasks share one device and run in this process."""
    return torch.device(device).type == "cpu"
