"""The tree-ops task generator and its three learners."""

import numpy as np
import pytest
import torch

from paperbook.compose import treeops as T
from paperbook.compose.treeops_models import MODELS, TreeNet, accuracy, make_model, sinusoidal, train
from paperbook.core.rng import rng


def _brute_value(tokens: list[str], table) -> int:
    """Evaluate the bracketed string with a stack (independent of the tree recursion)."""
    stack = []
    for tok in tokens:
        if tok == T.CLOSE:
            b, a = stack.pop(), stack.pop()
            stack[-1:] = [int(table[a, b])]  # replaces the matching "("
        else:
            stack.append(tok if tok == T.OPEN else int(tok))
    (only,) = stack
    return only


def test_table_is_seeded_and_not_associative():
    table = T.make_table(5, 0)
    assert table.shape == (5, 5) and not T.is_associative(table)
    assert (T.make_table(5, 0) == table).all() and not (T.make_table(5, 1) == table).all()
    assert T.is_associative(np.add.outer(np.arange(5), np.arange(5)) % 5)


def test_value_and_tokens_agree_with_a_stack_evaluator():
    table, r = T.make_table(), np.random.default_rng(1)
    for n in range(1, 15):
        tree = T.sample_tree(n, 5, r)
        tokens = T.bracketed(tree)
        assert len(tokens) == 3 * n - 2 and len(T.leaves(tree)) == n
        assert T.value(tree, table) == _brute_value(tokens, table)


def test_fixed_bracketings_keep_the_leaves_in_order():
    items = list(range(7))
    for tree in (T.balanced(items), T.left_chain(items)):
        assert T.leaves(tree) == items
    assert T.left_chain([1, 2, 3]) == ((1, 2), 3) and T.balanced([1, 2, 3, 4]) == ((1, 2), (3, 4))


def test_datasets_are_deterministic_sized_and_held_out():
    table = T.make_table()
    a = T.make_dataset(300, (2, 6), table=table, rng=np.random.default_rng(3))
    b = T.make_dataset(300, (2, 6), table=table, rng=np.random.default_rng(3))
    assert a.trees == b.trees and (a.labels == b.labels).all() and len(a) == 300
    assert {len(T.leaves(t)) for t in a.trees} == set(range(2, 7))
    test = T.make_dataset(300, (2, 6), table=table, rng=np.random.default_rng(4), exclude=a.strings())
    assert not test.strings() & a.strings()
    with pytest.raises(ValueError, match="could not draw"):
        T.make_dataset(30, (2, 2), table=table, rng=np.random.default_rng(0), exclude=a.strings() | {
            " ".join(T.bracketed((x, y))) for x in range(5) for y in range(5)})


def test_sinusoidal_positions_match_the_formula():
    pe = sinusoidal(50, 8)
    assert pe[7, 2] == pytest.approx(np.sin(7 / 10000 ** (2 / 8))) and pe[7, 3] == pytest.approx(
        np.cos(7 / 10000 ** (2 / 8)))


@pytest.mark.parametrize("name", MODELS)
def test_every_model_maps_a_batch_of_any_length_to_logits(name):
    model = make_model(name, 5, 16).double()
    trees = [T.sample_tree(n, 5, np.random.default_rng(n)) for n in (1, 3, 20)]
    assert model(trees).shape == (3, 5)


def test_treenet_batches_by_height_like_a_recursion():
    model = TreeNet(5, 8).double()
    tree = ((1, (2, 3)), 4)

    def rec(t):
        if isinstance(t, int):
            return model.embed(torch.tensor([t]))
        return model.span(torch.cat([rec(t[0]), rec(t[1])], 1))

    torch.testing.assert_close(model([tree, 3]), torch.cat([model.out(rec(tree)), model.out(rec(3))]))


def test_treenet_on_the_gold_structure_fits_64_examples():
    table = T.make_table()
    data = T.make_dataset(64, (2, 6), table=table, rng=np.random.default_rng(0))
    torch.manual_seed(0)
    model = TreeNet(5, 32).double()
    train(model, data, steps=300, batch=64, lr=5e-3, generator=rng(0, "fit"))
    assert accuracy(model, data) == 1.0
