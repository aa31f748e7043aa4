"""The one seeding helper: independent random streams named by (seed, experiment, ...) keys.

    g = rng(seed, "fig5", dim)            # torch.Generator (CPU) for the Fig 5 memories of dimension `dim`
    r = np_rng(seed, "fig6")              # numpy Generator
    KMeans(random_state=int_seed(seed, "kmeans", name))

Keys are hashed into numpy's SeedSequence, so two experiments never share a stream by accident (as
hand-picked offsets such as `seed + 5 + dim` can) and adding an experiment changes no other stream.
"""

from __future__ import annotations

import zlib

import numpy as np
import torch

Key = str | int


def _words(seed: int, keys: tuple[Key, ...]) -> list[int]:
    """SeedSequence entropy: the seed, the number of keys, then each key (a string by its CRC-32, an int as
    itself). The count keeps (k,) and (k, 0) apart: SeedSequence pads its entropy with zeros."""
    words = [int(seed), len(keys)]
    for key in keys:
        if isinstance(key, str):
            words.append(zlib.crc32(key.encode()))
        elif isinstance(key, (int, np.integer)) and not isinstance(key, bool) and key >= 0:
            words.append(int(key))
        else:
            raise TypeError(f"seed keys are strings or non-negative ints, got {key!r}")
    return words


def int_seed(seed: int, *keys: Key) -> int:
    """A seed in [0, 2^31) for APIs that take an int (scikit-learn's random_state, torch.manual_seed)."""
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return int(np.random.SeedSequence(_words(seed, keys)).generate_state(1, np.uint32)[0] >> 1)


def rng(seed: int, *keys: Key) -> torch.Generator:
    """A CPU torch.Generator for the stream named by keys (draw on the CPU, then move: same numbers on any device)."""
    return torch.Generator().manual_seed(int_seed(seed, *keys))


def np_rng(seed: int, *keys: Key) -> np.random.Generator:
    """A numpy Generator for the stream named by keys."""
    return np.random.default_rng(np.random.SeedSequence(_words(seed, keys)))
