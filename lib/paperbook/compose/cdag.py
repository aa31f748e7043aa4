"""Computation DAGs (cDAGs) of compositional functions and their complexity measures, following Ram, Klinger and
Gray (2024), eq-03-compositional:

    f(X) = h( g^{(x) D(X)}( e(x_1, 1), ..., e(x_L, L) ) )

A cDAG has one source node per token (holding e(x_i, i)), internal nodes where the span processor g is applied to
the values of the node's parents (its *arity* is its in-degree), and one internal *sink* whose value goes to h.
Every edge carries a `slot`, the argument position of the parent in g. The constructors below give the cDAGs of
recurrent, tree, convolutional and attention models; `parse_cdag` gives a parse tree's (input-dependent) cDAG.

networkx holds the structure; the measures are dynamic programmes over its topological order (path counts reach
L^(M-1), so enumerating paths is exponential).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable

import networkx as nx


@dataclass(frozen=True)
class CDag:
    graph: nx.DiGraph          # nodes: ("src", i) | ("g", layer, position) | ("rule", preorder, name) | "sink"
    #                            edges carry a `slot`: the argument position of the parent
    sources: tuple             # source nodes in token order
    sink: Hashable             # the internal node whose value h reads
    order: tuple = field(init=False, repr=False)     # every node, in topological order
    internal: tuple = field(init=False, repr=False)  # the span-processor applications, in topological order

    def __post_init__(self):
        g = self.graph
        if not nx.is_directed_acyclic_graph(g):
            raise ValueError("a cDAG must be acyclic")
        object.__setattr__(self, "order", tuple(nx.topological_sort(g)))
        object.__setattr__(self, "internal", tuple(v for v in self.order if g.in_degree(v)))
        if any(g.in_degree(s) for s in self.sources) or set(self.sources) - set(g):
            raise ValueError("every source must be a node without parents")
        if self.sink in self.sources or g.out_degree(self.sink) or not g.in_degree(self.sink):
            raise ValueError("the sink must be an internal node without children")
        for v in self.internal:
            slots = sorted(g.edges[u, v]["slot"] for u in g.predecessors(v))
            if len(set(slots)) < len(slots):
                raise ValueError(f"node {v!r} has two parents in one argument slot: {slots}")

    @property
    def L(self) -> int:
        return len(self.sources)

    def parents(self, v) -> list:
        """The parents of v in argument order (by edge slot)."""
        return sorted(self.graph.predecessors(v), key=lambda u: self.graph.edges[u, v]["slot"])


def _dag(edges: list[tuple], L: int, sink) -> CDag:
    """A cDAG from (parent, child, slot) triples over the sources ("src", 0..L-1)."""
    graph = nx.DiGraph()
    sources = tuple(("src", i) for i in range(L))
    graph.add_nodes_from(sources)
    graph.add_edges_from((u, v, {"slot": s}) for u, v, s in edges)
    return CDag(graph, sources, sink)


def _need(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def rnn_cdag(L: int) -> CDag:
    """A recurrent model h_t = g(h_{t-1}, e(x_t)): a chain of L applications (the first has no h_{t-1})."""
    _need(L >= 1, f"L must be >= 1, got {L}")
    edges = [(("src", t), ("g", 1, t), 1) for t in range(L)]
    edges += [(("g", 1, t - 1), ("g", 1, t), 0) for t in range(1, L)]
    return _dag(edges, L, ("g", 1, L - 1))


def tree_cdag(L: int, k: int = 2) -> CDag:
    """A balanced k-ary tree: each level applies g to consecutive groups of k nodes; a group of one is carried up
    unchanged (no application), so L = k^m leaves give (L - 1) / (k - 1) applications and depth m."""
    _need(L >= 2 and k >= 2, f"a tree needs L >= 2 leaves and arity k >= 2, got L={L}, k={k}")
    level, edges, layer = [("src", i) for i in range(L)], [], 0
    while len(level) > 1:
        layer += 1
        groups = [level[i:i + k] for i in range(0, len(level), k)]
        level = [grp[0] if len(grp) == 1 else ("g", layer, j) for j, grp in enumerate(groups)]
        edges += [(u, ("g", layer, j), s) for j, grp in enumerate(groups) if len(grp) > 1 for s, u in enumerate(grp)]
    return _dag(edges, L, level[0])


def cnn_cdag(L: int, k: int, M: int, stride: int = 1, pool: bool = True) -> CDag:
    """M convolution layers of kernel k and the given stride (valid padding), then a pooling sink over the last
    layer when it has more than one position (so that stride = kernel = k on L = k^M is the k-ary tree)."""
    _need(k >= 1 and M >= 1 and stride >= 1, f"want k, M, stride >= 1, got {k}, {M}, {stride}")
    level, edges = [("src", i) for i in range(L)], []
    for layer in range(1, M + 1):
        width = (len(level) - k) // stride + 1
        _need(width >= 1, f"L={L} is too short for {M} layers of kernel {k}, stride {stride}")
        new = [("g", layer, j) for j in range(width)]
        edges += [(level[j * stride + s], new[j], s) for j in range(width) for s in range(k)]
        level = new
    if len(level) == 1 or not pool:
        _need(len(level) == 1, "without pooling the last layer must have one position")
        return _dag(edges, L, level[0])
    edges += [(u, "sink", s) for s, u in enumerate(level)]
    return _dag(edges, L, "sink")


def transformer_cdag(L: int, M: int, causal: bool = False, window: int | None = None, readout: int = -1) -> CDag:
    """M attention blocks over L positions: position j of block l reads block l - 1 at every position (causal: at
    positions <= j; window w, odd: at |j - j'| <= (w - 1) / 2). The read-out takes block M at position `readout`;
    the other positions of block M are computed all the same (they count as applications)."""
    _need(L >= 1 and M >= 1, f"want L, M >= 1, got {L}, {M}")
    _need(window is None or (window >= 1 and window % 2 == 1), f"window must be odd, got {window}")
    half = L if window is None else (window - 1) // 2
    edges, below = [], [("src", i) for i in range(L)]
    for layer in range(1, M + 1):
        for j in range(L):
            seen = [i for i in range(L) if abs(i - j) <= half and not (causal and i > j)]
            edges += [(below[i], ("g", layer, j), s) for s, i in enumerate(seen)]
        below = [("g", layer, j) for j in range(L)]
    return _dag(edges, L, below[readout])


def parse_cdag(tree) -> CDag:
    """The cDAG of a parse tree (a lark Tree with every token kept): its tokens are the sources, in order, and
    each rule application is a span-processor application on its children."""
    edges, tokens, rules = [], [], []

    def visit(node):
        if not hasattr(node, "children"):
            tokens.append(node)
            return ("src", len(tokens) - 1)
        rules.append(node)
        me = ("rule", len(rules) - 1, str(node.data))  # preorder number, rule name
        edges.extend((visit(child), me, s) for s, child in enumerate(node.children))
        return me

    root = visit(tree)
    _need(root[0] == "rule", "a parse tree must have at least one rule application")
    return _dag(edges, len(tokens), root)


def n_span(d: CDag) -> int:
    """Number of span-processor applications (internal nodes)."""
    return len(d.internal)


def max_arity(d: CDag) -> int:
    return max(d.graph.in_degree(v) for v in d.internal)


def _to_sink(d: CDag, combine, start: float) -> dict:
    """A value per node computed backwards from the sink: value(v) = combine(values of v's children), with
    value(sink) = start; None marks a node that does not reach the sink."""
    value = {}
    for v in reversed(d.order):
        kids = [value[c] for c in d.graph.successors(v) if value[c] is not None]
        value[v] = start if v == d.sink else (combine(v, kids) if kids else None)
    return value


def loi(d: CDag, lam: float = 1.0) -> dict:
    """eq-03-loi: LoI_i(lam) = sum over paths p from token i to the sink of lam^|p|, |p| the number of
    span-processor applications on p (lam = 1: the number of paths). Keyed by token index."""
    w = _to_sink(d, lambda v, kids: (lam if d.graph.in_degree(v) else 1.0) * math.fsum(kids), lam)
    return {i: w[s] or 0.0 for i, s in enumerate(d.sources)}


def path_counts(d: CDag) -> dict:
    """LoI at lam = 1 in exact integers: the number of paths from each token to the sink."""
    w = _to_sink(d, lambda v, kids: sum(kids), 1)
    return {i: w[s] or 0 for i, s in enumerate(d.sources)}


def max_loi(d: CDag, lam: float = 1.0) -> float:
    return max(loi(d, lam).values())


def error_gain(d: CDag, lam: float = 1.0) -> float:
    """P2's weight of span-processor error: sum over internal v of sum over paths p from v to the sink of
    lam^(applications after v on p); per node a(sink) = 1, a(v) = lam * sum of a over v's children."""
    a = _to_sink(d, lambda v, kids: lam * math.fsum(kids), 1.0)
    return math.fsum(a[v] for v in d.internal if a[v] is not None)


def depth(d: CDag) -> int:
    """The most span-processor applications on any path from a token to the sink."""
    longest = _to_sink(d, lambda v, kids: max(kids) + (1 if d.graph.in_degree(v) else 0), 1)
    return max(longest[s] for s in d.sources if longest[s] is not None)


def reach(d: CDag) -> dict:
    """Number of internal nodes that depend on each token (its descendants)."""
    return {i: len(nx.descendants(d.graph, s)) for i, s in enumerate(d.sources)}


def measures(d: CDag) -> dict:
    """The complexity measures of one cDAG, as a table row."""
    paths = path_counts(d)
    return {"span_procs": n_span(d), "max_arity": max_arity(d), "depth": depth(d), "max_path_loi": max(paths.values()),
            "max_reach": max(reach(d).values())}
