"""Chapter 01's experiments (DrDAM vs MrDAM), one call per figure; each returns a tidy DataFrame.

Errors are absolute (at a memory grad E is ~0, so relative errors mean nothing), per query, then averaged.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch
from torch import Tensor
from tqdm import tqdm

from ...core.rng import np_rng, rng
from ...memory.drdam import DrDAM, MrDAM
from ...memory.features import FeatureConfig, RandomFeatureMap, rbf_kernel
from ...memory.patterns import binarize, binary_patterns, draw_patterns, flip_bits, hamming_fraction, occlude

QUERY_TYPES = ("mem", "near", "rand")  # at a memory, 10% of its bits flipped, a fresh random pattern
NEAR_FLIP = 0.1                        # fraction of bits flipped for a "near" query (round(0.1 D))
ITEMS = ("items_E", "items_grad", "items_hamming")  # per-query values behind a mean, for the claims' intervals


def without_items(table: pd.DataFrame) -> pd.DataFrame:
    """The table without its per-query columns (ITEMS): what the CSVs and the displayed tables keep."""
    return table.drop(columns=[c for c in ITEMS if c in table])


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x (-0.5 for an error falling as 1/sqrt(Y))."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def envelope(Ys: Sequence[float], errs: Sequence[float]) -> float:
    """b of the fitted envelope b/sqrt(Y): the smallest b with err <= b/sqrt(Y) at every Y (official, not Thm 1)."""
    return float(np.max(np.sqrt(np.asarray(Ys, float)) * np.asarray(errs, float)))


def make_model(xi: Tensor, beta: float, Y: int, *, kind: str = "sincos", seed: int, device) -> DrDAM:
    """A DrDAM with Y features of the given kind storing the memories xi (K, D)."""
    return DrDAM(RandomFeatureMap(FeatureConfig(xi.shape[1], Y, beta, kind=kind, seed=seed), device)).store(xi)


def query_sets(xi: Tensor, nq: int, *, generator: torch.Generator, recipe: str = "iid") -> dict[str, Tensor]:
    """nq queries per type: the first nq memories, the same with round(0.1 D) bits flipped, random patterns
    drawn by `recipe` (paperbook.memory.patterns.draw_patterns)."""
    K, dim = xi.shape
    if nq > K:
        raise ValueError(f"{nq} queries at memories need at least as many memories (K = {K})")
    mem = xi[:nq]
    near = flip_bits(mem.cpu(), round(NEAR_FLIP * dim), generator=generator).to(xi.device)
    rand = draw_patterns(nq, dim, recipe, generator=generator, unique=False).to(xi.device)
    return {"mem": mem, "near": near, "rand": rand}


def compare(mr: MrDAM, dr: DrDAM, q: Tensor, items: bool = False) -> tuple[dict, tuple[Tensor, Tensor]]:
    """Mean |E^ - E|, mean per-coordinate |grad E^ - grad E|, mean ||grad E^ - grad E||, their standard errors
    (std/sqrt(n) over queries) and the clamped fraction (with `items`, also the per-query |E^ - E| and
    per-coordinate gradient errors as tuples); also DrDAM's (energy, gradient) at q."""
    energy, grad, clamped = dr.evaluate(q)
    dE = (energy - mr.energy(q)).abs()  # (n,)
    dG = grad - mr.grad(q)  # (n, D)
    per_coord, l2 = dG.abs().mean(-1), dG.norm(dim=-1)
    se = lambda v: float(v.std() / math.sqrt(len(v))) if len(v) > 1 else 0.0  # noqa: E731
    stats = {"err_E": float(dE.mean()), "se_E": se(dE), "err_grad": float(per_coord.mean()), "se_grad": se(per_coord),
             "err_grad_l2": float(l2.mean()), "se_grad_l2": se(l2), "clamp_frac": float(clamped.double().mean())}
    if items:
        stats |= {"items_E": tuple(dE.tolist()), "items_grad": tuple(per_coord.tolist())}
    return stats, (energy, grad)


def error_vs_features(dims, K: int, nq: int, betas, Ys, *, kind: str = "sincos", seed: int, device,
                      stream: str = "fig3", recipe: str = "iid", items: bool = False) -> pd.DataFrame:
    """Fig 3: approximation error vs Y per (D, beta, query type), with the random-guess levels
    |E(mem) - E^(rand)| and per-coordinate |grad E(mem) - grad E^(rand)| (the paper's red line), and the mean
    squared distance of each query type to the memories. Memories and random queries are drawn by `recipe`
    from the random stream (seed, stream, D); `items` keeps the per-query errors (ITEMS).
    Shown as `tab-3-errors` and `tab-3-ordering`: the paper's Figure 3."""
    rows = []
    for dim in tqdm(dims, desc="Fig 3: D", leave=False):
        g = rng(seed, stream, dim)
        xi = draw_patterns(K, dim, recipe, generator=g).to(device)  # memories, (K, D)
        queries = query_sets(xi, nq, generator=g, recipe=recipe)
        sqdist = {name: float(torch.cdist(q, xi).square().mean()) for name, q in queries.items()}
        for beta in betas:
            mr = MrDAM(xi, beta)
            for Y in Ys:
                dr = make_model(xi, beta, Y, kind=kind, seed=seed, device=device)
                stats = {name: compare(mr, dr, q, items) for name, q in queries.items()}
                rand_E, rand_G = stats["rand"][1]
                guess_E = float((mr.energy(queries["mem"]) - rand_E).abs().mean())
                guess_G = float((mr.grad(queries["mem"]) - rand_G).abs().mean())
                for name, (row, _) in stats.items():
                    rows.append({"D": dim, "K": K, "beta": beta, "Y": Y, "query": name, **row,
                                 "guess_E": guess_E, "guess_grad": guess_G, "sqdist": sqdist[name]})
    return pd.DataFrame(rows)


def far_from_memories(dim: int, K: int, nq: int, beta: float, Ys, recipes, *, seed: int, device) -> pd.DataFrame:
    """The caveat's cell of Fig 3 (one D and beta) under each pattern recipe, with the per-query errors: "iid"
    repeats Fig 3's own draws (same stream), "official" draws memories and random queries as the official scripts
    do. Shown as `tab-3-far-from-memories`: the paper's Figure 3 (its caveat's cell)."""
    return pd.concat([error_vs_features([dim], K, nq, [beta], Ys, seed=seed, device=device, recipe=r, items=True)
                      .assign(recipe=r) for r in recipes], ignore_index=True)


def slopes(errors: pd.DataFrame) -> pd.DataFrame:
    """Log-log slopes of err_E and err_grad vs Y per (D, beta, query), with the envelope constant b.
    Shown as `tab-3-slopes`: the paper's Figure 3 (the slopes of its curves)."""
    rows = []
    for (dim, beta, query), g in errors.groupby(["D", "beta", "query"], sort=False):
        rows.append({"D": dim, "beta": beta, "query": query, "slope_E": loglog_slope(g["Y"], g["err_E"]),
                     "slope_grad": loglog_slope(g["Y"], g["err_grad"]), "b_E": envelope(g["Y"], g["err_E"]),
                     "b_grad": envelope(g["Y"], g["err_grad"]), "max_clamp_frac": g["clamp_frac"].max()})
    return pd.DataFrame(rows)


def error_vs_memories(Ks, Y: int, betas, dims, nq: int, *, seed: int, device) -> pd.DataFrame:
    """Fig 5: error vs the number of stored memories K at fixed Y per D and beta, queries at / near the first K_min
    memories and random; T grows by `add` as K grows. Shown as `tab-5-error-vs-memories`: the paper's Figure 5."""
    Ks, rows = sorted(Ks), []
    for dim in tqdm(dims, desc="Fig 5: D", leave=False):
        g = rng(seed, "fig5", dim)
        xi = binary_patterns(Ks[-1], dim, generator=g).to(device)  # (K_max, D)
        queries = query_sets(xi[:Ks[0]], nq, generator=g)  # at, near and far from the first memories
        for beta in betas:
            dr = DrDAM(RandomFeatureMap(FeatureConfig(dim, Y, beta, seed=seed), device))
            stored = 0
            for K in Ks:
                dr.add(xi[stored:K])  # a new memory modifies the weights; the size of T does not change
                stored = K
                mr = MrDAM(xi[:K], beta)
                for name, q in queries.items():
                    rows.append({"D": dim, "K": K, "beta": beta, "query": name, "dim_T": dr.T.numel(),
                                 "n_params_Mr": mr.n_params, **compare(mr, dr, q)[0]})
    return pd.DataFrame(rows)


def storage_check(dim: int, K: int, Y: int, beta: float, *, seed: int, device) -> dict[str, float]:
    """D5: T(all K) vs T(first K-1) + phi(xi_K); remove(add(.)) vs the original; sizes of T and of MrDAM.
    Shown as `tab-x-storage`: not in the paper (the book's own)."""
    g = rng(seed, "storage")
    xi = binary_patterns(K, dim, generator=g).to(device)
    full = make_model(xi, beta, Y, seed=seed, device=device)
    grown = make_model(xi[:-1], beta, Y, seed=seed, device=device)
    before = grown.T.clone()
    grown.add(xi[-1:])
    add_diff = float((full.T - grown.T).abs().max())
    grown.remove(xi[-1:])
    return {"K": K, "D": dim, "Y": Y, "n_params_Mr": K * dim, "n_params_Dr": full.n_params,
            "max|T_all - (T_K-1 + phi)|": add_diff, "max|remove(add(T)) - T|": float((grown.T - before).abs().max())}


def retrieval_agreement(dim: int, K: int, nq: int, betas, Ys, alpha: float, depth: int, *, seed: int,
                        device) -> pd.DataFrame:
    """Fig 4A: both models descend from the same queries; normalised Hamming distance between their binarised
    fixed points (and per query, `items_hamming`), and each model's bit error against the memory a query came
    from (mem and near queries).
    Shown as `tab-4a-retrieval` and `tab-4a-retrieval-paper-setting`: the paper's Figure 4A."""
    g = rng(seed, "fig4a")
    xi = binary_patterns(K, dim, generator=g).to(device)
    queries = query_sets(xi, nq, generator=g)
    names, sizes = list(queries), [len(q) for q in queries.values()]
    starts = torch.cat(list(queries.values()))  # every query type descends in one batch, (3 nq, D)
    rows = []
    for beta in tqdm(betas, desc="Fig 4A: beta", leave=False):
        mr = MrDAM(xi, beta)
        mr_fixed = dict(zip(names, mr.descend(starts, alpha, depth)[0].split(sizes)))
        for Y in Ys:
            dr = make_model(xi, beta, Y, seed=seed, device=device)
            dr_fixed = dict(zip(names, dr.descend(starts, alpha, depth)[0].split(sizes)))
            for name, q in queries.items():
                source = xi[:nq] if name != "rand" else None
                rows.append({"D": dim, "K": K, "alpha": alpha, "depth": depth, "beta": beta, "Y": Y, "query": name,
                             "hamming": hamming_fraction(dr_fixed[name], mr_fixed[name]),
                             "items_hamming": tuple(query_hamming(dr_fixed[name], mr_fixed[name]).tolist()),
                             "bit_error_Mr": hamming_fraction(mr_fixed[name], source) if source is not None else np.nan,
                             "bit_error_Dr": hamming_fraction(dr_fixed[name], source) if source is not None else np.nan,
                             "clamp_frac_start": float(dr.clamped(q).double().mean())})
    return pd.DataFrame(rows)


def query_hamming(a: Tensor, b: Tensor) -> Tensor:
    """Fraction of differing bits per query between binarised states; its mean is hamming_fraction. Shape:
    (n, D), (n, D) -> (n,)."""
    return (binarize(a) != binarize(b)).double().mean(-1)


def kernel_estimates(dim: int, betas, Ys, n_pairs: int, *, seed: int, device) -> tuple[pd.DataFrame, dict]:
    """Kernel sanity: SinCos estimates of kappa(x, y) on pairs at every Hamming distance, their RMS error and
    the exact SD (1 - kappa^2)/sqrt(2Y); also (kappa, estimate) per beta at the largest Y for a scatter.
    Shown as `tab-x-kernel-estimates`: not in the paper (the book's own)."""
    g = rng(seed, "kernel")
    x = binary_patterns(n_pairs, dim, generator=g, unique=False)
    y = torch.stack([flip_bits(x[i:i + 1], int(k), generator=g)[0]
                     for i, k in enumerate(torch.randint(0, dim // 2 + 1, (n_pairs,), generator=g))])
    x, y = x.to(device), y.to(device)
    rows, scatter = [], {}
    for beta in betas:
        kappa = rbf_kernel(x, y, beta).diagonal()  # (n_pairs,)
        for Y in Ys:
            fmap = RandomFeatureMap(FeatureConfig(dim, Y, beta, seed=seed), device)
            est = (fmap(x) * fmap(y)).sum(-1)  # (n_pairs,)
            sd = (1 - kappa ** 2) / math.sqrt(2 * Y)
            rows.append({"beta": beta, "Y": Y, "rms_error": float((est - kappa).square().mean().sqrt()),
                         "rms_predicted": float(sd.square().mean().sqrt()), "mean_kappa": float(kappa.mean())})
            if Y == max(Ys):
                scatter[beta] = (kappa.cpu().numpy(), est.cpu().numpy())
    return pd.DataFrame(rows), scatter


def energy_offset_mae(exact: Tensor, approx: Tensor) -> float:
    """Mean |E^ - E| after removing the intercept of a least-squares line E^ ~ a E + c (Fig 6 compares
    energies up to a constant). Shape: (n,), (n,)."""
    _, c = np.polyfit(exact.cpu().numpy(), approx.cpu().numpy(), 1)
    return float((approx - c - exact).abs().mean())


def kernel_ablation(X: np.ndarray, K: int, nq: int, betas, Ys, kinds, *, seed: int, device) -> pd.DataFrame:
    """Fig 6: energy error (offset removed) and per-coordinate gradient error of each feature map, at the
    memories and at held-out rows of X.
    Shown as `tab-6-kernel-ablation`: the paper's Figure 6 (on digits by default; the paper: letter)."""
    if K + nq > len(X) or nq > K:
        raise ValueError(f"need nq <= K and K + nq <= {len(X)} rows, got K = {K}, nq = {nq}")
    order = np_rng(seed, "fig6").permutation(len(X))
    data = torch.as_tensor(X, dtype=torch.float64, device=device)
    xi, held_out = data[order[:K]], data[order[K:K + nq]]
    rows = []
    for beta in tqdm(betas, desc="Fig 6: beta", leave=False):
        mr = MrDAM(xi, beta)
        for kind in kinds:
            for Y in Ys:
                dr = make_model(xi, beta, Y, kind=kind, seed=seed, device=device)
                for where, q in (("memories", xi[:nq]), ("queries", held_out)):
                    energy, grad, clamped = dr.evaluate(q)
                    rows.append({"kind": kind, "beta": beta, "Y": Y, "at": where,
                                 "err_E": energy_offset_mae(mr.energy(q), energy),
                                 "err_grad": float((grad - mr.grad(q)).abs().mean()),
                                 "clamp_frac": float(clamped.double().mean())})
    return pd.DataFrame(rows)


@dataclass
class CompletionResult:
    memories: Tensor     # (K, D)
    queries: Tensor      # occluded queries (nq, D)
    sources: Tensor      # index of the memory each query came from, (nq,)
    mr_final: Tensor     # MrDAM fixed points (nq, D)
    dr_final: dict       # Y -> DrDAM fixed points (nq, D)
    mr_energy: Tensor    # E along the MrDAM path, (depth + 1, nq)
    dr_energy: dict      # Y -> (E^ along the DrDAM path, E along the same path), each (depth + 1, nq)
    table: pd.DataFrame  # per model and Y: nearest-memory accuracy, distance to MrDAM, energy gap


def nearest_memory_hits(x: Tensor, xi: Tensor, sources: Tensor) -> Tensor:
    """Whether each state's nearest memory is the one it came from. Shape: (n, D), (K, D), (n,) -> (n,) bool."""
    return torch.cdist(x, xi).argmin(-1) == sources


def nearest_memory_accuracy(x: Tensor, xi: Tensor, sources: Tensor) -> float:
    """Fraction of states whose nearest memory is the one they came from. Shape: (n, D), (K, D), (n,)."""
    return float(nearest_memory_hits(x, xi, sources).double().mean())


def completion(X: np.ndarray, K: int, nq: int, beta: float, Ys, occlude_frac: float, alpha: float, depth: int, *,
               seed: int, device) -> CompletionResult:
    """Fig 1: K random rows of X are stored; nq of them, with the last `occlude_frac` of their coordinates zeroed,
    are completed by both models while the visible coordinates stay clamped.
    Shown as `tab-1-completion`: the paper's Figure 1 (an analog on digits by default)."""
    if nq > K:
        raise ValueError(f"nq = {nq} queries are drawn from the K = {K} memories")
    draw = np_rng(seed, "fig1")
    xi = torch.as_tensor(X[draw.choice(len(X), K, replace=False)], dtype=torch.float64, device=device)
    sources = torch.as_tensor(draw.choice(K, nq, replace=False), device=device)
    queries, visible = occlude(xi[sources], occlude_frac)
    mr = MrDAM(xi, beta)
    mr_final, mr_energy = mr.descend(queries, alpha, depth, clamp=visible, energy_fn=mr.energy)
    originals = xi[sources]
    rows = [{"model": "MrDAM", "Y": pd.NA, "accuracy": nearest_memory_accuracy(mr_final, xi, sources),
             "mean_dist_to_original": float((mr_final - originals).norm(dim=-1).mean()), "mean_dist_to_Mr": 0.0,
             "max_energy_gap": 0.0}]
    dr_final, dr_energy = {}, {}
    for Y in tqdm(Ys, desc="Fig 1: Y", leave=False):
        dr = make_model(xi, beta, Y, seed=seed, device=device)
        both = lambda x: torch.stack([dr.energy(x), mr.energy(x)])  # noqa: E731  (2, nq)
        dr_final[Y], path = dr.descend(queries, alpha, depth, clamp=visible, energy_fn=both)  # (depth + 1, 2, nq)
        dr_energy[Y] = (path[:, 0], path[:, 1])
        rows.append({"model": "DrDAM", "Y": Y, "accuracy": nearest_memory_accuracy(dr_final[Y], xi, sources),
                     "mean_dist_to_original": float((dr_final[Y] - originals).norm(dim=-1).mean()),
                     "mean_dist_to_Mr": float((dr_final[Y] - mr_final).norm(dim=-1).mean()),
                     "max_energy_gap": float((path[:, 0] - path[:, 1]).abs().max())})
    table = pd.DataFrame(rows).astype({"Y": "Int64"})
    return CompletionResult(xi, queries, sources, mr_final, dr_final, mr_energy, dr_energy, table)


def reconstruction_grid(X: np.ndarray, K: int, nq: int, betas, Ys, occlude_frac: float, alpha: float, depth: int,
                        *, seed: int, device) -> tuple[pd.DataFrame, dict[float, CompletionResult]]:
    """Fig 4B: Fig 1's completion at every beta (same memories and queries): per beta, model and Y the
    nearest-memory accuracy and distances; and each beta's CompletionResult for the image grid.
    Shown as `tab-4b-reconstructions`: the paper's Figure 4B (an analog on digits by default)."""
    results = {float(b): completion(X, K, nq, b, Ys, occlude_frac, alpha, depth, seed=seed, device=device)
               for b in tqdm(betas, desc="Fig 4B: beta", leave=False)}
    table = pd.concat([r.table.assign(beta=b) for b, r in results.items()], ignore_index=True)
    return table[["beta", *results[float(betas[0])].table.columns]], results


def cost_vs_memories(Ks, Y: int, dim: int, beta: float, nq: int, reps: int, *, seed: int, device) -> pd.DataFrame:
    """Parameters and measured time of one gradient step on nq queries, MrDAM vs DrDAM, as K grows (median of
    reps). Timings vary from run to run; parameter counts do not.
    Shown as `tab-x-cost`: not in the paper (the book's own)."""
    g = rng(seed, "cost")
    xi = binary_patterns(max(Ks), dim, generator=g, unique=False).to(device)
    q = binary_patterns(nq, dim, generator=g, unique=False).to(device)
    dr = DrDAM(RandomFeatureMap(FeatureConfig(dim, Y, beta, seed=seed), device))
    rows, stored = [], 0
    for K in sorted(Ks):
        dr.add(xi[stored:K])
        stored = K
        for model in (MrDAM(xi[:K], beta), dr):
            times = []
            for _ in range(reps):
                if q.is_cuda:
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                model.grad(q)
                if q.is_cuda:
                    torch.cuda.synchronize()
                times.append(time.perf_counter() - t0)
            rows.append({"model": type(model).__name__, "K": K, "n_params": model.n_params,
                         "ms_per_step": 1e3 * float(np.median(times))})
    return pd.DataFrame(rows)
