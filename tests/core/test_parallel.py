"""core.parallel: the same results in this process and in workers, in task order; on_cpu for strings and devices."""

import math

import torch

from paperbook.core.parallel import on_cpu, run_tasks


def _threads_and_power(x: int, *, p: int) -> tuple[int, int]:
    return torch.get_num_threads(), x ** p


def test_workers_give_the_same_results_in_task_order():
    tasks = {f"t{i}": (i,) for i in range(5)}
    here = run_tasks(_threads_and_power, tasks, workers=1, desc="here", p=3)
    there = run_tasks(_threads_and_power, tasks, workers=2, desc="there", p=3)
    assert list(there) == list(tasks) and [v[1] for v in here.values()] == [v[1] for v in there.values()]
    assert all(threads == 1 for threads, _ in there.values())  # one intra-op thread per worker
    assert math.prod(v[1] for v in here.values() if v[1]) == 1 * 8 * 27 * 64


def test_on_cpu_accepts_strings_and_devices():
    assert on_cpu("cpu") and on_cpu(torch.device("cpu")) and not on_cpu(torch.device("cuda")) and not on_cpu("cuda")
