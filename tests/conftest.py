"""Shared fixtures: a `device` parameter (cpu, plus cuda where present), single-threaded torch, and every test
starting from the same global random state (a test that draws without a generator is still reproducible alone
and in any order)."""

import os

import numpy as np
import pytest
import torch

# Progress bars off in tests and in the notebooks they execute (nbval, papermill inherit the environment), so that
# outputs compare equal to the goldens (`make golden` runs with the same setting). The code path is the same.
os.environ.setdefault("TQDM_DISABLE", "1")

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(scope="session", autouse=True)
def _single_thread():
    """One intra-op thread: reproducible timings and no oversubscription on small CI machines."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def _seeded():
    """Seed torch's and numpy's global generators before each test."""
    torch.manual_seed(0)
    np.random.seed(0)


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    return request.param
