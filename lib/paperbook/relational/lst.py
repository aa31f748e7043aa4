"""The Latin Square Task (LST) of Ito et al. (arXiv 2406.08272, after Birney et al.'s human task): a 4x4 grid of
blanks, shapes 1-4 and one target "?"; the answer is the shape at "?" such that no row or column repeats one.

Puzzles are the book's own: a Latin square is drawn from all 576 of order 4, some cells are revealed, and the
puzzle is kept only when the revealed cells determine the target uniquely (checked against every square) and
one of the three strategies of the companion project's `verify_LST.py` solves it. The strategy names the
relational complexity: 1 (binary: the target's row or its column), 2 (ternary: both), 3 (quaternary: a third
line, through a blank of the target's row or column).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SIDE = 4
CELLS = SIDE * SIDE
SHAPES = frozenset(range(1, SIDE + 1))
TARGET = 5  # the code of "?" in a grid; 0 is blank
LEVELS = (1, 2, 3)
LEVEL_NAMES = {1: "binary", 2: "ternary", 3: "quaternary"}


@lru_cache(maxsize=None)
def all_latin_squares(n: int = SIDE) -> np.ndarray:
    """Every Latin square of order n with symbols 1..n, by backtracking over the cells in row-major order:
    (L, n, n), L = 576 for n = 4."""
    found, grid = [], np.zeros((n, n), int)

    def fill(cell: int) -> None:
        if cell == n * n:
            found.append(grid.copy())
            return
        r, c = divmod(cell, n)
        for v in range(1, n + 1):
            if v not in grid[r, :c] and v not in grid[:r, c]:
                grid[r, c] = v
                fill(cell + 1)
        grid[r, c] = 0

    fill(0)
    squares = np.stack(found)
    squares.setflags(write=False)
    return squares


def solve_target(grid: np.ndarray, target: tuple[int, int]) -> set[int]:
    """The values at `target` of every Latin square that agrees with the revealed cells (grid values 1-4; 0 is
    blank; the target cell's own value is ignored)."""
    squares = all_latin_squares(SIDE).reshape(-1, CELLS)  # (576, 16)
    flat = np.asarray(grid).reshape(CELLS)
    shown = (flat >= 1) & (flat <= SIDE)
    shown[target[0] * SIDE + target[1]] = False
    agree = (squares[:, shown] == flat[shown]).all(axis=1)  # (576,)
    return set(squares[agree, target[0] * SIDE + target[1]].tolist())


def _shapes(line: np.ndarray) -> set[int]:
    return set(line.tolist()) & SHAPES


def _third_line(grid: np.ndarray, target: tuple[int, int], axis: int) -> int:
    """verify_LST's quaternary strategy along the target's row (axis 0) or column (axis 1): with the line's
    missing shapes R and its blanks B (|B| = |R| - 1 in {2, 3}), the q in R that every blank's crossing line
    already holds must go to the target. 0 when it does not apply."""
    lines = grid if axis == 0 else grid.T
    r, c = target if axis == 0 else target[::-1]
    missing = SHAPES - _shapes(lines[r])
    blanks = [j for j in range(SIDE) if j != c and lines[r, j] == 0]
    if len(missing) not in (3, 4):
        return 0
    for q in sorted(missing):
        if all(q in lines[:, j] for j in blanks):
            return q
    return 0


def complexity(grid: np.ndarray, target: tuple[int, int]) -> tuple[int, int]:
    """(level, answer) by the first of the three strategies that solves the puzzle; (0, 0) if none does."""
    grid = np.where(np.asarray(grid) == TARGET, 0, grid)
    row, col = _shapes(grid[target[0]]), _shapes(grid[:, target[1]])
    for level, seen in ((1, row), (1, col), (2, row | col)):
        if len(seen) == SIDE - 1:
            return level, next(iter(SHAPES - seen))
    for axis in (0, 1):
        answer = _third_line(grid, target, axis)
        if answer:
            return 3, answer
    return 0, 0


def encode(grid: np.ndarray) -> np.ndarray:
    """(16, 5) one-hot cells in row-major order: channels 0-3 the shapes, channel 4 the target; blank = zeros."""
    flat = np.asarray(grid).reshape(CELLS)
    tokens = np.zeros((CELLS, 5), np.float32)
    filled = flat > 0
    tokens[np.flatnonzero(filled), flat[filled] - 1] = 1.0
    return tokens


def key(grid: np.ndarray) -> str:
    """The 16-cell string of a puzzle (0 blank, 1-4 shapes, 5 the target): its identity across splits."""
    return "".join(map(str, np.asarray(grid).reshape(CELLS)))


@dataclass(frozen=True)
class LSTData:
    """N puzzles: tokens (N, 16, 5) float32, y (N,) the answer 0-3, level (N,) 1-3, grids (N, 4, 4), keys."""

    tokens: np.ndarray
    y: np.ndarray
    level: np.ndarray
    grids: np.ndarray
    keys: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.y)


def quotas(n: int) -> dict[int, int]:
    """n split over the three levels as evenly as possible (the first levels take the remainder)."""
    return {lv: n // 3 + (i < n % 3) for i, lv in enumerate(LEVELS)}


def make_lst(n: int, k_range: tuple[int, int], *, rng: np.random.Generator, exclude: frozenset[str] = frozenset(),
             max_draws: int = 2_000_000) -> LSTData:
    """n distinct puzzles balanced over the levels (quotas), none of whose keys is in `exclude`: a random square,
    target cell and k in k_range revealed cells among the other 15; kept if uniquely determined and leveled."""
    lo, hi = k_range
    if not 1 <= lo <= hi <= CELLS - 1:
        raise ValueError(f"k_range must satisfy 1 <= low <= high <= {CELLS - 1}, got {k_range}")
    squares, want = all_latin_squares(SIDE), quotas(n)
    seen, kept = set(exclude), {lv: [] for lv in LEVELS}
    for _ in range(max_draws):
        square = squares[rng.integers(len(squares))]
        t = int(rng.integers(CELLS))
        shown = rng.choice(np.delete(np.arange(CELLS), t), size=int(rng.integers(lo, hi + 1)), replace=False)
        grid = np.zeros(CELLS, int)
        grid[shown] = square.reshape(CELLS)[shown]
        grid[t] = TARGET
        grid = grid.reshape(SIDE, SIDE)
        target = divmod(t, SIDE)
        level, answer = complexity(grid, target)
        if level == 0 or len(kept[level]) == want[level] or key(grid) in seen:
            continue
        if solve_target(grid, target) != {answer}:
            raise AssertionError(f"strategy answer {answer} is not the unique solution of {key(grid)}")
        seen.add(key(grid))
        kept[level].append(grid)
        if all(len(kept[lv]) == want[lv] for lv in LEVELS):
            break
    else:
        raise RuntimeError(f"{max_draws} draws gave {({lv: len(v) for lv, v in kept.items()})} of {want} puzzles "
                           f"with k in {k_range}: lower n or widen k_range")
    grids = np.stack([g for lv in LEVELS for g in kept[lv]])  # (n, 4, 4)
    order = rng.permutation(len(grids))
    grids = grids[order]
    levels = np.repeat(LEVELS, [want[lv] for lv in LEVELS])[order]
    targets = np.argmax(grids.reshape(-1, CELLS) == TARGET, axis=1)
    answers = [solve_target(g, divmod(int(t), SIDE)).pop() for g, t in zip(grids, targets)]
    return LSTData(tokens=np.stack([encode(g) for g in grids]), y=np.asarray(answers) - 1, level=levels,
                   grids=grids, keys=tuple(key(g) for g in grids))
