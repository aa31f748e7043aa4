"""cDAG constructors and complexity measures: the closed forms of the chapter's model table, exactly."""

import itertools
import math

import networkx as nx
import pytest

from paperbook.compose import cdag as C

LS, MS = list(range(2, 41)), list(range(1, 5))


def _brute_loi(d: C.CDag, lam: float) -> dict:
    """eq-03-loi by enumerating every path (exponential: small cDAGs only)."""
    return {i: math.fsum(lam ** (len(p) - 1) for p in nx.all_simple_paths(d.graph, s, d.sink))
            for i, s in enumerate(d.sources)}


@pytest.mark.parametrize("L", LS)
def test_chain_and_balanced_tree_closed_forms(L):
    rnn = C.rnn_cdag(L)
    assert (C.n_span(rnn), C.depth(rnn), C.max_arity(rnn)) == (L, L, 2 if L > 1 else 1)
    assert set(C.path_counts(rnn).values()) == {1}
    tree = C.tree_cdag(L)
    assert (C.n_span(tree), C.depth(tree), C.max_arity(tree)) == (L - 1, math.ceil(math.log2(L)), 2)
    assert set(C.path_counts(tree).values()) == {1}


@pytest.mark.parametrize("L, M", list(itertools.product(LS, MS)))
def test_transformer_path_counts_are_L_to_the_M_minus_1(L, M):
    full, causal = C.transformer_cdag(L, M), C.transformer_cdag(L, M, causal=True)
    assert max(C.path_counts(full).values()) == L ** (M - 1)
    assert (C.n_span(full), C.max_arity(full), C.depth(full)) == (M * L, L, M)
    assert C.path_counts(causal)[0] == max(C.path_counts(causal).values()) == math.comb(L + M - 2, M - 1)


def test_pinned_values_of_the_spec():
    assert C.max_loi(C.transformer_cdag(16, 2)) == 16 and C.max_loi(C.transformer_cdag(16, 3)) == 256
    assert C.max_loi(C.transformer_cdag(16, 3, causal=True)) == 136
    assert C.max_loi(C.transformer_cdag(32, 3)) == 1024 and C.max_loi(C.transformer_cdag(32, 3, causal=True)) == 528
    cnn = C.cnn_cdag(16, 3, 3)
    assert C.max_loi(cnn) == 27 and C.n_span(cnn) == 14 + 12 + 10 + 1 and C.depth(cnn) == 4


def test_windowed_attention_is_banded():
    d = C.transformer_cdag(12, 3, window=3)
    assert C.max_arity(d) == 3 and C.max_loi(d) <= 3 ** 2
    with pytest.raises(ValueError, match="odd"):
        C.transformer_cdag(12, 3, window=4)


@pytest.mark.parametrize("k, m", [(2, 3), (3, 2), (3, 3), (4, 2)])
def test_cnn_with_stride_equal_to_kernel_is_the_k_ary_tree(k, m):
    L = k ** m
    cnn, tree = C.cnn_cdag(L, k, m, stride=k), C.tree_cdag(L, k)
    assert nx.is_isomorphic(cnn.graph, tree.graph, edge_match=lambda a, b: a["slot"] == b["slot"])
    assert C.measures(cnn) == C.measures(tree)
    assert (C.n_span(tree), C.depth(tree)) == ((L - 1) // (k - 1), m)


@pytest.mark.parametrize("make", [lambda: C.rnn_cdag(6), lambda: C.tree_cdag(7, 3), lambda: C.cnn_cdag(8, 3, 2),
                                  lambda: C.transformer_cdag(4, 3), lambda: C.transformer_cdag(5, 3, causal=True)])
@pytest.mark.parametrize("lam", [0.5, 1.0, 1.7])
def test_dynamic_programme_equals_path_enumeration(make, lam):
    d = make()
    assert C.loi(d, lam) == pytest.approx(_brute_loi(d, lam), rel=1e-12)
    assert C.path_counts(d) == {i: round(v) for i, v in _brute_loi(d, 1.0).items()}


def test_error_gain_counts_the_applications_after_each_node():
    # chain of L: the application at t has L - t applications after it: sum over t of lam^(L - t)
    L, lam = 5, 0.5
    assert C.error_gain(C.rnn_cdag(L), lam) == pytest.approx(sum(lam ** j for j in range(L)))
    assert C.error_gain(C.transformer_cdag(3, 2), 1.0) == 3 + 1  # block 1: one path each to the sink; the sink


def test_reach_grows_linearly_where_paths_grow_exponentially():
    d = C.transformer_cdag(8, 4)
    assert max(C.reach(d).values()) == 4 * 8 and C.max_loi(d) == 8 ** 3


def test_bad_dags_and_sizes_are_refused():
    g = nx.DiGraph([(("src", 0), "a"), ("a", "b"), ("b", "a")])
    nx.set_edge_attributes(g, 0, "slot")
    with pytest.raises(ValueError, match="acyclic"):
        C.CDag(g, (("src", 0),), "b")
    with pytest.raises(ValueError, match="too short"):
        C.cnn_cdag(5, 3, 3)
    with pytest.raises(ValueError, match="leaves"):
        C.tree_cdag(1)
