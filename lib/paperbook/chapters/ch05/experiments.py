"""Chapter 05's experiments: the puzzles, one grid transformer per (encoding, seed), what each learned (accuracy
per level in and out of distribution, under noise, the alignment of its table with the grid) and the tables
behind the figures.

Trainings are independent, so they run in `workers` processes of one thread each: on this 2-core machine one
small float64 training gains nothing from a second thread (measured 12.7 ms a step with one, 13.2 with two),
and two trainings side by side halve the wall time. Each training's streams are named by its (encoding, seed),
so the results do not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import torch
from scipy.spatial.distance import pdist, squareform
from tqdm.auto import tqdm

from ...core.rng import int_seed, np_rng, rng
from ...relational import analysis, lst
from ...relational.model import GridTransformer, GridTransformerConfig
from ...relational.train import accuracy, predict, train
from . import parse_config

NOISE_MODES = ("fixed", "scaled")


def make_splits(n_train: int, n_test: int, n_ood: int, k_train: list[int], k_ood: list[int], *,
                seed: int) -> dict[str, lst.LSTData]:
    """Train and test (k_train revealed cells) and out-of-distribution puzzles (k_ood: more distractors), no
    puzzle in two splits."""
    train_set = lst.make_lst(n_train, tuple(k_train), rng=np_rng(seed, "lst", "train"))
    test = lst.make_lst(n_test, tuple(k_train), rng=np_rng(seed, "lst", "test"), exclude=frozenset(train_set.keys))
    ood = lst.make_lst(n_ood, tuple(k_ood), rng=np_rng(seed, "lst", "ood"),
                       exclude=frozenset(train_set.keys + test.keys))
    return {"train": train_set, "test": test, "ood": ood}


def level_counts(splits: dict[str, lst.LSTData]) -> pd.DataFrame:
    """Puzzles per split and level, and the revealed cells' range. Shown as `tab-x-puzzles`: not in the paper
    (the book's own)."""
    rows = []
    for name, data in splits.items():
        revealed = ((data.grids > 0) & (data.grids != lst.TARGET)).reshape(len(data), -1).sum(1)
        rows.append({"split": name, **{lst.LEVEL_NAMES[lv]: int((data.level == lv).sum()) for lv in lst.LEVELS},
                     "revealed cells": f"{revealed.min()}-{revealed.max()}"})
    return pd.DataFrame(rows)


def fit_one(config: str, model_seed: int, splits: dict[str, lst.LSTData], *, d: int, layers: int, heads: int,
            every_block: bool, lr: float, batch: int, epochs: int, weight_decay: float, noise_levels: list[float],
            seed: int, device: str) -> dict:
    """Train one grid transformer and measure it: its mean training loss per epoch, accuracies (test, ood, per
    level), accuracy under each noise protocol and level, which puzzles it answers right (out["right"]: test, ood
    and "<protocol> <level>" under noise) and for table encodings the input table before and after training."""
    kind, sigma = parse_config(config)
    cfg = GridTransformerConfig(pe=kind, sigma=sigma, d=d, layers=layers, heads=heads, pe_every_block=every_block)
    model = GridTransformer(cfg, seed=int_seed(seed, "model", model_seed))
    table0 = None if model.table is None else model.table.detach().clone()
    losses = train(model, splits["train"], epochs=epochs, lr=lr, batch=batch, weight_decay=weight_decay,
                   generator=rng(seed, "batches", config, model_seed), device=device)
    per_epoch = len(losses) // epochs
    out = {"config": config, "kind": kind, "sigma": sigma, "seed": model_seed, "steps": len(losses),
           "loss curve": np.asarray(losses[: per_epoch * epochs]).reshape(epochs, per_epoch).mean(1)}
    out["right"] = {}
    for split in ("train", "test", "ood"):
        predicted = predict(model, splits[split], device=device)
        out.update({f"{split} {k}": v for k, v in accuracy(splits[split], predicted).items()})
        out["right"][split] = predicted == splits[split].y
    out["noise"] = []
    for mode in NOISE_MODES:
        for level in noise_levels:
            predicted = predict(model, splits["test"], noise=level, scaled=mode == "scaled", device=device,
                                generator=rng(seed, "noise", config, model_seed, mode, int(round(level * 1000))))
            out["noise"].append({"config": config, "seed": model_seed, "protocol": mode, "noise": level,
                                 "accuracy": accuracy(splits["test"], predicted)["acc"]})
            out["right"][f"{mode} {level:g}"] = predicted == splits["test"].y
    if table0 is not None:
        tableT = model.table.detach().cpu()
        out.update(table0=table0.cpu().numpy(), table=tableT.numpy(), **analysis.grid_alignment(tableT))
        out["movement"] = analysis.pe_movement(table0.cpu(), tableT) if kind == "learn" else float("nan")
    return out


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: a forked child inherits the parent's intra-op thread pool in an undefined state
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=torch.set_num_threads, initargs=(1,))


def fit_all(configs: list[str], model_seeds: list[int], splits: dict[str, lst.LSTData], *, workers: int,
            **settings) -> list[dict]:
    """fit_one for every (encoding, seed), in `workers` processes on the CPU (in this process on CUDA), in the
    order of configs x seeds whatever order they finish in."""
    jobs = [(c, s) for c in configs for s in model_seeds]
    bar = tqdm(total=len(jobs), desc="trainings")
    if workers == 1 or settings["device"] != "cpu":
        results = []
        for c, s in jobs:
            results.append(fit_one(c, s, splits, **settings))
            bar.update()
    else:
        with _pool(workers) as pool:
            futures = [pool.submit(fit_one, c, s, splits, **settings) for c, s in jobs]
            for f in futures:
                f.add_done_callback(lambda _: bar.update())
            results = [f.result() for f in futures]
    bar.close()
    return results


def _label(config: str) -> str:
    kind, sigma = parse_config(config)
    return f"learn σ={sigma:g}" if kind == "learn" else kind


ACC_COLUMNS = ["test acc", "test acc1", "test acc2", "test acc3", "ood acc", "ood acc1", "ood acc2", "ood acc3"]


def accuracy_table(fits: list[dict]) -> pd.DataFrame:
    """Per encoding: seeds, optimiser steps, and the mean (with several seeds also the sd) over seeds of each
    accuracy, training accuracy included. Shown as `tab-accuracy-by-pe`: not in the paper (the book's own)."""
    df = pd.DataFrame([{k: v for k, v in f.items() if not isinstance(v, (list, dict, np.ndarray))} for f in fits])
    g = df.groupby("config", sort=False)
    table = g[["train acc", *ACC_COLUMNS]].mean()
    if df["seed"].nunique() > 1:
        table["test acc sd"], table["ood acc sd"] = g["test acc"].std(), g["ood acc"].std()
    table.insert(0, "steps", g["steps"].first())
    table.insert(0, "seeds", g["seed"].nunique())
    table.insert(0, "encoding", [_label(c) for c in table.index])
    return table.reset_index()


def by_level(table: pd.DataFrame, split: str) -> pd.Series:
    """"binary / ternary / quaternary" accuracies of a split as one text column, two decimals."""
    return table[[f"{split} acc{lv}" for lv in lst.LEVELS]].apply(
        lambda r: " / ".join(f"{v:.2f}" for v in r), axis=1)


def accuracy_view(table: pd.DataFrame) -> pd.DataFrame:
    """The accuracy table as the page shows it: the per-level accuracies folded into one column per split."""
    view = table[["encoding", "seeds", "steps", "train acc", "test acc"]].copy()
    view["test 1 / 2 / 3"] = by_level(table, "test")
    view["OOD acc"] = table["ood acc"]
    view["OOD 1 / 2 / 3"] = by_level(table, "ood")
    for sd in ("test acc sd", "ood acc sd"):
        if sd in table:
            view[sd] = table[sd]
    return view


COMMON_SCALE = "learn:1.0"  # movements on a common scale are in units of this table's initial norm


def seed_table(fits: list[dict]) -> pd.DataFrame:
    """Per table encoding and seed: rho_manh, rho_rowcol of the trained table, and for learnable tables how far
    training moved it, ||P_T - P_0||, relative to its own initial norm ("movement") and to the initial norm of
    the same seed's σ = 1 table ("movement, σ=1 units": a common scale; NaN without that table)."""
    unit = {f["seed"]: np.linalg.norm(f["table0"]) for f in fits if f["config"] == COMMON_SCALE}
    rows = [{"config": f["config"], "encoding": _label(f["config"]), "seed": f["seed"], "rho_manh": f["rho_manh"],
             "rho_rowcol": f["rho_rowcol"], "movement": f["movement"],
             "movement, σ=1 units": np.linalg.norm(f["table"] - f["table0"]) / unit.get(f["seed"], np.nan)
             if f["kind"] == "learn" else np.nan} for f in fits if "table" in f]
    return pd.DataFrame(rows)


def alignment_table(fits: list[dict], null: np.ndarray) -> pd.DataFrame:
    """Per table encoding: seed_table's columns, mean over seeds, then the 99th percentile of |rho| over
    untrained N(0, 1) tables. Shown as `tab-alignment`: not in the paper (the book's own)."""
    table = seed_table(fits).drop(columns="seed").groupby(["config", "encoding"], sort=False).mean().reset_index()
    q = np.quantile(np.abs(null), 0.99, axis=0)
    chance = {"config": "null", "encoding": f"random N(0,1), |rho| 99th pct of {len(null)}", "rho_manh": q[0],
              "rho_rowcol": q[1]}
    return pd.concat([table, pd.DataFrame([chance])], ignore_index=True)


def item_scores(fits: list[dict], splits: dict[str, lst.LSTData]) -> dict[str, pd.DataFrame]:
    """Per split ("train", "test", "ood", and "<protocol> <level>" under noise, on the test puzzles): a puzzle x
    encoding table of the share of seeds that answer the puzzle right (the per-item values of the accuracy
    claims), indexed by the puzzle's level (1-3)."""
    scores = {}
    for split in fits[0]["right"]:
        by_config: dict[str, list[np.ndarray]] = {}
        for f in fits:
            by_config.setdefault(f["config"], []).append(f["right"][split])
        level = pd.Index(splits[split if split in splits else "test"].level, name="level")
        scores[split] = pd.DataFrame({c: np.mean(v, axis=0) for c, v in by_config.items()}, index=level)
    return scores


def loss_curves(fits: list[dict]) -> pd.DataFrame:
    """Mean training loss per epoch, per encoding and seed (long format)."""
    return pd.DataFrame([{"encoding": _label(f["config"]), "seed": f["seed"], "epoch": e + 1, "loss": float(v)}
                         for f in fits for e, v in enumerate(f["loss curve"])])


def noise_table(fits: list[dict]) -> pd.DataFrame:
    """Test accuracy per encoding, protocol and noise level, mean over seeds. Shown as `tab-noise`: not in the paper
    (the book's own)."""
    df = pd.DataFrame([row for f in fits for row in f["noise"]])
    table = df.groupby(["config", "protocol", "noise"], sort=False)["accuracy"].mean().reset_index()
    table.insert(1, "encoding", table["config"].map(_label))
    return table


def noise_view(table: pd.DataFrame) -> pd.DataFrame:
    """Test accuracy per encoding (rows) and protocol x noise level > 0 (columns "fixed 0.2", ...)."""
    noisy = table[table["noise"] > 0].assign(column=lambda t: t["protocol"] + " " + t["noise"].map("{:g}".format))
    return noisy.pivot_table(index="encoding", columns="column", values="accuracy", sort=False).reset_index()


def null_alignment(d: int, draws: int, *, seed: int) -> np.ndarray:
    """(draws, 2) alignment of untrained N(0, 1) tables of width d."""
    return analysis.random_pe_null(d, draws, generator=rng(seed, "null"))


def first_tables(fits: list[dict]) -> dict[str, np.ndarray]:
    """The first seed's trained table (16, d) per table encoding."""
    first = {}
    for f in fits:
        if "table" in f:
            first.setdefault(f["config"], f["table"])
    return first


def geometry(fits: list[dict], *, seed: int) -> dict[str, np.ndarray]:
    """2D MDS pictures (16, 2) of the first seed's trained table, per table encoding."""
    return {c: analysis.pe_mds(t, seed=int_seed(seed, "mds")) for c, t in first_tables(fits).items()}


def distances(fits: list[dict]) -> dict[str, np.ndarray]:
    """Cosine-distance matrices (16, 16) of the first seed's trained tables, after the grid's Manhattan distances
    (the matrices the alignment statistics correlate)."""
    grid = squareform(pdist(analysis.grid_coordinates(), "cityblock"))
    return {"grid": grid, **{c: squareform(pdist(t, "cosine")) for c, t in first_tables(fits).items()}}


HUMAN = {1: 0.967, 2: 0.870, 3: 0.663}  # human accuracy per level (40 participants; spec section 2)

# The released reference logs at epoch 4000, 15 seeds (spec section 3; "test" in distribution, "human-val" the
# 108 fMRI puzzles), transcribed from the spec: the paper's side of the claims.
REFERENCE_LOGS = pd.DataFrame(
    [("sin2d", None, 0.985, 0.998, 0.990, 0.969, 0.977, 0.991, 0.978, 0.961),
     ("learn", 0.1, 0.970, 0.993, 0.977, 0.939, 0.925, 0.941, 0.926, 0.907),
     ("learn", 0.2, 0.986, 0.998, 0.988, 0.971, 0.956, 0.983, 0.935, 0.948),
     ("learn", 0.5, 0.986, 0.997, 0.988, 0.973, 0.946, 0.976, 0.931, 0.931),
     ("learn", 1.0, 0.981, 0.997, 0.984, 0.961, 0.894, 0.939, 0.863, 0.880),
     ("learn", 1.5, 0.916, 0.960, 0.929, 0.857, 0.616, 0.676, 0.631, 0.541),
     ("learn", 2.0, 0.847, 0.911, 0.848, 0.788, 0.377, 0.409, 0.431, 0.291)],
    columns=["encoding", "sigma", "test", "test 1-vec", "test 2-vec", "test 3-vec", "human-val", "human-val 1-vec",
             "human-val 2-vec", "human-val 3-vec"])
