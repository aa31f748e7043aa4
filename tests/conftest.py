"""Shared fixtures: a `device` parameter (cpu, plus cuda where present) and single-threaded torch."""

import pytest
import torch

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(scope="session", autouse=True)
def _single_thread():
    """One intra-op thread: reproducible timings and no oversubscription on small CI machines."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    return request.param
