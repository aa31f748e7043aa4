"""The Latin Square Task generator: the squares, unique answers, the level rule (against an independent
re-implementation), balance and disjoint splits."""

import itertools

import numpy as np
import pytest

from paperbook.relational import lst


def test_there_are_576_latin_squares_of_order_4_and_each_line_is_a_permutation():
    squares = lst.all_latin_squares(4)
    assert squares.shape == (576, 4, 4) and len({s.tobytes() for s in squares}) == 576
    perm = np.array([1, 2, 3, 4])
    assert (np.sort(squares, axis=1) == perm[None, :, None]).all()
    assert (np.sort(squares, axis=2) == perm[None, None, :]).all()
    assert lst.all_latin_squares(3).shape == (12, 3, 3)


def _level_by_cases(grid, target):
    """An independent statement of verify_LST's rule, cell by cell: which strategy pins the answer."""
    r, c = target
    g = np.where(grid == lst.TARGET, 0, grid)
    row = {int(v) for v in g[r] if v}
    col = {int(v) for v in g[:, c] if v}
    if len(row) == 3 or len(col) == 3:
        return 1
    if len(row | col) == 3:
        return 2
    for line, own, cross in ((g[r], c, lambda j: g[:, j]), (g[:, c], r, lambda i: g[i, :])):
        shapes = {int(v) for v in line if v}
        blanks = [j for j in range(4) if j != own and line[j] == 0]
        if len(shapes) <= 1:
            for q in set(range(1, 5)) - shapes:
                if all(q in cross(j) for j in blanks):
                    return 3
    return 0


def test_every_generated_puzzle_has_its_stated_unique_answer_and_level():
    data = lst.make_lst(999, (3, 7), rng=np.random.default_rng(3))
    assert len(set(data.keys)) == 999
    for grid, y, level in zip(data.grids, data.y, data.level):
        target = divmod(int(np.flatnonzero(grid.reshape(-1) == lst.TARGET)[0]), 4)
        assert lst.solve_target(grid, target) == {int(y) + 1}
        assert _level_by_cases(grid, target) == level
    assert np.bincount(data.level)[1:].tolist() == [333, 333, 333]
    assert data.tokens.shape == (999, 16, 5) and (data.tokens[..., 4].sum(1) == 1).all()


def test_exhaustive_small_check_of_the_rule_on_one_square():
    square = lst.all_latin_squares()[100]
    for shown in itertools.combinations(range(1, 16), 5):  # target at cell 0, 5 revealed cells
        grid = np.zeros(16, int)
        grid[list(shown)] = square.reshape(-1)[list(shown)]
        grid[0] = lst.TARGET
        grid = grid.reshape(4, 4)
        level, answer = lst.complexity(grid, (0, 0))
        assert level == _level_by_cases(grid, (0, 0))
        if level:
            assert answer == square[0, 0] and lst.solve_target(grid, (0, 0)) == {answer}


def test_splits_never_share_a_puzzle_and_levels_balance_within_one():
    rng = np.random.default_rng(0)
    a = lst.make_lst(100, (3, 7), rng=rng)
    b = lst.make_lst(50, (3, 7), rng=rng, exclude=frozenset(a.keys))
    assert not set(a.keys) & set(b.keys)
    assert lst.quotas(100) == {1: 34, 2: 33, 3: 33}


def test_encode_is_one_hot_with_blanks_as_zeros():
    grid = np.array([[1, 0, 0, 0], [0, 5, 0, 0], [0, 0, 4, 0], [0, 0, 0, 0]])
    tokens = lst.encode(grid)
    assert tokens[0].tolist() == [1, 0, 0, 0, 0] and tokens[5].tolist() == [0, 0, 0, 0, 1]
    assert tokens[10].tolist() == [0, 0, 0, 1, 0] and tokens[1].sum() == 0


def test_bad_k_range_is_refused():
    with pytest.raises(ValueError, match="k_range"):
        lst.make_lst(10, (8, 3), rng=np.random.default_rng(0))
