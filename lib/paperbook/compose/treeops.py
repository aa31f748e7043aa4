"""The tree-ops task (the book's illustration, following Ram et al. 2024): a fully bracketed expression over Z_p,
drawn as a random binary tree, is the input; its value under a fixed non-associative operation table T is the
target. The tree is the input's own (input-dependent) cDAG; a model that computes on it can generalise to longer
expressions, a model with an input-agnostic cDAG must learn every bracketing from examples.

Trees are nested pairs with int leaves. Shapes: split point uniform in 1..n-1, recursively (not uniform over the
Catalan(n - 1) shapes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.rng import np_rng

Tree = int | tuple  # a leaf value, or (left, right)
OPEN, CLOSE = "(", ")"


def is_associative(table: np.ndarray) -> bool:
    p = len(table)
    a, b, c = np.meshgrid(range(p), range(p), range(p), indexing="ij")
    return bool(np.all(table[table[a, b], c] == table[a, table[b, c]]))


def make_table(p: int = 5, seed: int = 0) -> np.ndarray:
    """A random operation table T: Z_p x Z_p -> Z_p, (p, p); the first non-associative draw of the seed."""
    rng = np_rng(seed, "treeops-table", p)
    for _ in range(100):
        table = rng.integers(0, p, size=(p, p))
        if not is_associative(table):
            return table
    raise RuntimeError(f"no non-associative {p} x {p} table in 100 draws")  # p = 1 has none


def sample_tree(n_leaves: int, p: int, rng: np.random.Generator) -> Tree:
    if n_leaves < 1:
        raise ValueError(f"a tree has at least one leaf, got {n_leaves}")
    if n_leaves == 1:
        return int(rng.integers(p))
    k = int(rng.integers(1, n_leaves))
    return sample_tree(k, p, rng), sample_tree(n_leaves - k, p, rng)


def value(tree: Tree, table: np.ndarray) -> int:
    """The root value: T[value(left), value(right)] at every internal node."""
    return tree if isinstance(tree, int) else int(table[value(tree[0], table), value(tree[1], table)])


def leaves(tree: Tree) -> list[int]:
    return [tree] if isinstance(tree, int) else leaves(tree[0]) + leaves(tree[1])


def bracketed(tree: Tree) -> list[str]:
    """The input tokens: digits and brackets, 3n - 2 of them for n leaves."""
    return [str(tree)] if isinstance(tree, int) else [OPEN, *bracketed(tree[0]), *bracketed(tree[1]), CLOSE]


def balanced(items: list) -> Tree:
    """The balanced binary tree over the leaves in order (an input-agnostic bracketing)."""
    if len(items) == 1:
        return items[0]
    mid = (len(items) + 1) // 2
    return balanced(items[:mid]), balanced(items[mid:])


def left_chain(items: list) -> Tree:
    """((x1 x2) x3) ... : the recurrent model's bracketing (input-agnostic)."""
    tree = items[0]
    for item in items[1:]:
        tree = (tree, item)
    return tree


@dataclass(frozen=True)
class TreeOpsData:
    trees: list          # the gold trees
    labels: np.ndarray   # (n,) root values
    leaf_range: tuple    # (lo, hi): leaf counts drawn uniformly in lo..hi

    def __len__(self) -> int:
        return len(self.trees)

    def strings(self) -> set[str]:
        return {" ".join(bracketed(t)) for t in self.trees}


def make_dataset(n: int, leaf_range: tuple[int, int], *, table: np.ndarray, rng: np.random.Generator,
                 exclude: set[str] = frozenset()) -> TreeOpsData:
    """n expressions with a leaf count uniform in leaf_range = (lo, hi), none of whose strings is in `exclude` (a
    test set excludes its training expressions; short expressions are few, so the held-out set holds mostly long
    ones)."""
    lo, hi = leaf_range
    if not 1 <= lo <= hi:
        raise ValueError(f"want 1 <= lo <= hi leaves, got {leaf_range}")
    trees, tries = [], 0
    while len(trees) < n:
        tries += 1
        if tries > 100 * n + 1000:
            raise ValueError(f"could not draw {n} expressions with {leaf_range} leaves outside the excluded set")
        tree = sample_tree(int(rng.integers(lo, hi + 1)), len(table), rng)
        if not exclude or " ".join(bracketed(tree)) not in exclude:
            trees.append(tree)
    return TreeOpsData(trees, np.array([value(t, table) for t in trees]), (lo, hi))
