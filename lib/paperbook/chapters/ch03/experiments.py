"""Chapter 03's experiments: one function per table or figure, each returning a tidy DataFrame.

The paper has no experiments and no code; everything here is the book's illustration of its definitions
(cDAGs, locus of influence) and of the bounds the chapter derives following it.
"""

from __future__ import annotations

import math
import time
from typing import Sequence

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from ...compose import cdag as C
from ...compose import scan
from ...compose.evaluate import error_propagation, sensitivity_ratio
from ...compose.treeops import make_dataset, make_table
from ...compose.treeops_models import make_model, train
from ...core.rng import int_seed, np_rng, rng

WINDOW = 3  # local attention: each position reads its two neighbours and itself


def model_dags(L: int, M: int, k: int) -> dict[str, tuple[C.CDag, int | None, str]]:
    """The cDAG of each model family at length L and depth M, with the closed form of its max path-LoI and how
    the measure must relate to it ("==" or "<=")."""
    dags = {"RNN (chain)": (C.rnn_cdag(L), 1, "=="), "balanced binary tree": (C.tree_cdag(L), 1, "==")}
    if L >= 1 + M * (k - 1):
        dags[f"CNN k={k} + pool"] = (C.cnn_cdag(L, k, M), k ** M, "<=")
    dags["transformer"] = (C.transformer_cdag(L, M), L ** (M - 1), "==")
    dags["causal transformer"] = (C.transformer_cdag(L, M, causal=True), math.comb(L + M - 2, M - 1), "==")
    dags[f"local attention w={WINDOW}"] = (C.transformer_cdag(L, M, window=WINDOW), WINDOW ** (M - 1), "<=")
    return dags


def complexity_table(Ls: Sequence[int], Ms: Sequence[int], k: int) -> pd.DataFrame:
    """tab-x-complexity: the measures of every model's cDAG, beside the closed form of its max path-LoI. The
    chain and the tree do not depend on M (one row each per L).
    Shown as `tab-x-complexity`: not in the paper (the book's own)."""
    rows = []
    for L in sorted(set(Ls)):
        for M in sorted(set(Ms)):
            for model, (d, closed, relation) in model_dags(L, M, k).items():
                if M != min(Ms) and model in ("RNN (chain)", "balanced binary tree"):
                    continue
                m = C.measures(d)
                holds = m["max_path_loi"] == closed if relation == "==" else m["max_path_loi"] <= closed
                rows.append({"model": model, "L": L, "M": "-" if "RNN" in model or "tree" in model else str(M),
                             **m, "closed_form": f"{relation} {closed}", "matches": bool(holds)})
    return pd.DataFrame(rows)


def closed_form_sweep(max_L: int, max_M: int) -> pd.DataFrame:
    """T1/T2: path counts by the dynamic programme against the closed forms for every L in 2..max_L and M in
    1..max_M (transformer L^(M-1), causal C(L+M-2, M-1), chain 1, tree 1 with depth ceil(log2 L) and L-1 nodes)."""
    rows = []
    for L in tqdm(range(2, max_L + 1), desc="closed forms", leave=False):
        rnn, tree = C.rnn_cdag(L), C.tree_cdag(L)
        rows.append({"L": L, "M": None, "model": "chain", "ok": set(C.path_counts(rnn).values()) == {1}
                     and C.depth(rnn) == L and C.n_span(rnn) == L})
        rows.append({"L": L, "M": None, "model": "tree", "ok": set(C.path_counts(tree).values()) == {1}
                     and C.depth(tree) == math.ceil(math.log2(L)) and C.n_span(tree) == L - 1})
        for M in range(1, max_M + 1):
            full, causal = C.path_counts(C.transformer_cdag(L, M)), C.path_counts(C.transformer_cdag(L, M, True))
            rows.append({"L": L, "M": M, "model": "transformer", "ok": max(full.values()) == L ** (M - 1)})
            rows.append({"L": L, "M": M, "model": "causal transformer",
                         "ok": max(causal.values()) == math.comb(L + M - 2, M - 1)})
    return pd.DataFrame(rows)


def loi_vs_length(Ls: Sequence[int], Ms: Sequence[int]) -> pd.DataFrame:
    """fig-x-loi-vs-length: max path-LoI against L for the chain, the tree and (causal) transformers of each M."""
    rows = []
    for L in sorted(set(Ls)):
        rows += [{"model": "RNN (chain)", "M": None, "L": L, "max_loi": C.max_loi(C.rnn_cdag(L))},
                 {"model": "balanced binary tree", "M": None, "L": L, "max_loi": C.max_loi(C.tree_cdag(L))}]
        for M in sorted(set(Ms)):
            rows += [{"model": "transformer", "M": M, "L": L, "max_loi": C.max_loi(C.transformer_cdag(L, M))},
                     {"model": "causal transformer", "M": M, "L": L,
                      "max_loi": C.max_loi(C.transformer_cdag(L, M, causal=True))}]
    return pd.DataFrame(rows)


def p1_dags(L: int, k: int) -> dict[str, C.CDag]:
    """The four cDAGs the bounds are checked on: chain, tree, transformer (M = 2) and CNN (kernel k, M = 3)."""
    return {f"RNN{L}": C.rnn_cdag(L), f"tree{L}": C.tree_cdag(L), f"transformer{L} M=2": C.transformer_cdag(L, 2),
            f"CNN{L} k={k} M=3": C.cnn_cdag(L, k, 3)}


def _on_each_dag(L: int, k: int, lams: Sequence[float], check, *, seed: int, key: str) -> pd.DataFrame:
    """check(cdag, lam, generator) -> DataFrame, run on every cDAG of `p1_dags` and every lambda, concatenated."""
    parts = [check(d, lam, rng(seed, key, name, str(lam))).assign(dag=name, lam=lam)
             for name, d in p1_dags(L, k).items() for lam in lams]
    return pd.concat(parts, ignore_index=True)


def sensitivity(L: int, k: int, dim: int, lams: Sequence[float], delta: float, trials: int, *,
                seed: int) -> pd.DataFrame:
    """P1 / fig-x-sensitivity-bound: per cDAG, lambda and token, the observed gain |delta f| / |delta| over random
    lambda-Lipschitz instances beside the bound LoI_i(lambda) (h the identity). Shown as
    `tab-x-sensitivity-ratio`: not in the paper (the book's own)."""
    check = lambda d, lam, g: sensitivity_ratio(d, dim, lam, delta, trials, generator=g)
    return _on_each_dag(L, k, lams, check, seed=seed, key="p1")


def propagation(L: int, k: int, dim: int, lams: Sequence[float], eps: Sequence[float], trials: int, *,
                seed: int) -> pd.DataFrame:
    """P2 / fig-x-error-propagation: output error under per-application error eps, beside eps * error_gain.
    Shown as `tab-x-error-propagation`: not in the paper (the book's own)."""
    check = lambda d, lam, g: error_propagation(d, dim, lam, eps, trials, generator=g)
    return _on_each_dag(L, k, lams, check, seed=seed, key="p2")


def range_label(r: Sequence[int]) -> str:
    return f"{r[0]}-{r[1]} leaves"


@torch.no_grad()
def correct(model: torch.nn.Module, data, batch: int = 500) -> np.ndarray:
    """Per-item correctness (1.0 or 0.0) of the model's predictions on `data`; its mean is the accuracy."""
    model.eval()
    preds = [model(data.trees[lo:lo + batch]).argmax(-1).cpu().numpy() for lo in range(0, len(data), batch)]
    return (np.concatenate(preds) == data.labels).astype(float)


def treeops(models: Sequence[str], n_train: Sequence[int], repeats: int, train_leaves: Sequence[int],
            test_ranges: Sequence[Sequence[int]], n_test: int, *, table_seed: int, steps: int, batch: int, lr: float,
            dim: int, seed: int, device) -> pd.DataFrame:
    """fig-x-treeops-generalisation and fig-x-sample-efficiency: accuracy per model, training-set size, repeat and
    test range. Per repeat, the training sets are nested prefixes of one pool, and every test set excludes the
    pool's expressions. Shown as `tab-x-treeops`: not in the paper (the book's own)."""
    table, rows = make_table(5, table_seed), []
    for r in range(repeats):
        data_rng = np_rng(seed, "treeops-data", r)
        pool = make_dataset(max(n_train), tuple(train_leaves), table=table, rng=data_rng)
        tests = {range_label(rg): make_dataset(n_test, tuple(rg), table=table, rng=data_rng, exclude=pool.strings())
                 for rg in test_ranges}
        for n in sorted(set(n_train)):
            data = type(pool)(pool.trees[:n], pool.labels[:n], pool.leaf_range)
            for name in models:
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(int_seed(seed, "treeops-init", name, n, r))
                    model = make_model(name, 5, dim).double().to(device)
                start = time.perf_counter()
                train(model, data, steps=steps, batch=batch, lr=lr, generator=rng(seed, "treeops-batches", name, n, r),
                      desc=f"{name} n={n}")
                seconds = time.perf_counter() - start
                for label, test in tests.items():
                    right = correct(model, test)
                    rows.append({"model": name, "n_train": n, "repeat": r, "range": label,
                                 "accuracy": float(right.mean()), "correct": right, "train_s": seconds})
    return pd.DataFrame(rows)


def scan_parse_complexity(tf_blocks: int) -> pd.DataFrame:
    """tab-x-cpg-cdag: the cDAGs of SCAN's 20,910 commands under their parse (CPG's input-dependent cDAG) beside
    the GRU chain and a transformer of `tf_blocks` blocks over the same tokens (those depend only on the length).
    Shown as `tab-x-cpg-cdag`: not in the paper (the book's own)."""
    fixed = {L: {"GRU chain": C.measures(C.rnn_cdag(L)),
                 f"transformer M={tf_blocks}": C.measures(C.transformer_cdag(L, tf_blocks))} for L in range(1, 10)}
    rows = []
    for command in tqdm(scan.commands(), desc="SCAN parses", leave=False):
        L = len(command.split())
        rows.append({"model": "SCAN parse (CPG)", "tokens": L, **C.measures(C.parse_cdag(scan.parse(command)))})
        rows += [{"model": model, "tokens": L, **m} for model, m in fixed[L].items()]
    per = pd.DataFrame(rows)
    out = per.groupby("model", sort=False).agg(
        commands=("tokens", "size"), max_tokens=("tokens", "max"), max_arity=("max_arity", "max"),
        mean_depth=("depth", "mean"), max_depth=("depth", "max"), mean_span_procs=("span_procs", "mean"),
        max_path_loi=("max_path_loi", "max")).reset_index()
    return out.assign(input_dependent=out["model"].str.startswith("SCAN"))


def ops_summary(runs: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per model, training size and range: mean (and sd over repeats when there are several), and the
    per-item correctness of every repeat, concatenated in repeat order (the same test items for every model)."""
    groups = runs.groupby(["model", "n_train", "range"], sort=False)
    out = groups["accuracy"].mean().rename("accuracy").reset_index()
    if runs["repeat"].nunique() > 1:
        out["sd"] = groups["accuracy"].std().to_numpy()
    out["correct"] = pd.Series([np.concatenate(list(c)) for _, c in groups["correct"]], dtype=object)
    return out


def blind_accuracy(table: np.ndarray, leaf_range: Sequence[int], max_leaves: int = 8) -> float | None:
    """The expected accuracy of the best predictor that sees the leaves but not the brackets, on the generator's
    distribution over `leaf_range` (leaf count uniform, split points uniform, leaves uniform): the mean over leaf
    sequences of the largest posterior probability of a root value. Exact, by enumerating every leaf sequence;
    None beyond `max_leaves` leaves (p^n sequences)."""
    lo, hi = leaf_range
    if hi > max_leaves:
        return None
    p = len(table)
    onehot = np.zeros((p, p, p))
    onehot[np.arange(p)[:, None], np.arange(p)[None, :], table] = 1.0
    dist = {1: np.eye(p)}  # dist[n][s, v]: P(root value v | leaf sequence s of n leaves), s in base-p order
    for n in range(2, hi + 1):
        splits = [np.einsum("ia,jb,abv->ijv", dist[k], dist[n - k], onehot).reshape(-1, p) for k in range(1, n)]
        dist[n] = sum(splits) / (n - 1)
    return float(np.mean([dist[n].max(axis=1).mean() for n in range(lo, hi + 1)]))


def grammar_bounds(rules) -> dict[str, int]:
    """What a grammar guarantees of its parse cDAGs (`rules`: lark rules): arity at most the longest right-hand
    side, path-LoI 1 (a parse is a tree: every node has one parent), and depth at most the longest chain of
    nonterminals (the grammar must not be recursive)."""
    below = {}
    for rule in rules:
        below.setdefault(rule.origin.name, set()).update(s.name for s in rule.expansion if not s.is_term)

    def height(symbol: str, seen: frozenset) -> int:
        if symbol in seen:
            raise ValueError(f"recursive grammar (through {symbol!r}): its parse depth is unbounded")
        return 1 + max((height(s, seen | {symbol}) for s in below[symbol]), default=0)
    return {"max arity": max(len(rule.expansion) for rule in rules), "max path-LoI": 1,
            "max depth": max(height(s, frozenset()) for s in below)}


def wide(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with one column per test range (the chapter's accuracy table)."""
    table = summary.pivot_table(index=["model", "n_train"], columns="range", values="accuracy", sort=False)
    return table.reset_index().rename_axis(columns=None)


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def worst_ratio(table: pd.DataFrame) -> pd.DataFrame:
    """The largest observed / bound (`max_ratio`) per cDAG (rows) and lambda (columns): at most 1 where the bound
    holds."""
    return table.pivot_table(index="dag", columns="lam", values="max_ratio", aggfunc="max", sort=False).rename(
        columns=lambda lam: f"lambda={lam:g}").reset_index().rename_axis(columns=None)


SHORT = {"span_procs": "g apps", "max_arity": "arity", "max_path_loi": "max LoI", "max_reach": "reach",
         "closed_form": "closed form", "matches": "ok", "max_tokens": "max tokens", "mean_depth": "mean depth",
         "max_depth": "max depth", "mean_span_procs": "mean g apps", "input_dependent": "input-dep."}


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The table with the short column headings the book shows (g apps = span-processor applications)."""
    return table.rename(columns=SHORT)
