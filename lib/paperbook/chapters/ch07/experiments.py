"""Chapter 07's experiments: label probabilities of every prompt configuration, computed once with SmolLM2 and
reused by ICL, contextual calibration (CC) and LinC, their accuracy, ECE and entropy, and the studies of
demonstration order, label proportion, permutation, template, probe size and LinC's learning rate.

Protocol of the official code: the test set is fixed; the demonstrations of demo seed s are drawn from a train pool;
LinC's probe prompts (the val split) use an independent demonstration set (val_demos = "independent"); p_cf comes
from the content-free queries under the test demonstrations; LinC starts from the CC solution.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ...core.rng import np_rng
from ...icl.calib import (
    apply_affine,
    cc_params,
    content_free_prior,
    entropy_bits,
    fit_linc,
    predict_linc,
    reliability_summary,
)
from ...icl.prompting import CONTENT_FREE, prompt_ids, score_queries
from ...icl.tasks import TaskData, make_task, prompt_format, sample_demos
from ...lm.scoring import PromptScorer
from ...lm.smollm import load_smollm2
from ...lm.tokenize import smollm2_tokenizer

METHODS = ("ICL", "CC", "LinC")


@dataclass
class LM:
    """The frozen model, its tokenizer and scorer, and a memo of probe-set scores (shared across studies)."""
    scorer: PromptScorer
    tok: object
    load_s: float
    memo: dict


def load_lm(route: str, *, device, batch_size: int) -> LM:
    """SmolLM2-135M-Instruct (float32) and our tokenizer, timed."""
    t0 = time.perf_counter()
    model = load_smollm2(route, device=device)
    tok = smollm2_tokenizer()
    return LM(PromptScorer(model, device, batch_size), tok, time.perf_counter() - t0, {})


def scoring_check(lm: LM, split: dict, *, n: int = 4) -> dict:
    """Claim L0: cached, batched scoring against each prompt run alone (the same ids), on n test queries after a
    2-shot prefix."""
    test, train = split["test"], split["train"]
    demos = [(train.texts[i], int(train.labels[i])) for i in range(2)]
    prefix_ids, queries = prompt_ids(lm.tok, demos, test.texts[:n], test.template, test.words)
    cached = lm.scorer.next_token_logits(prefix_ids, queries)
    alone = lm.scorer.reference_logits([prefix_ids + q for q in queries])
    return {"max_abs_dlogit": float((cached - alone).abs().max()), "prefix_tokens": len(prefix_ids)}


def task_splits(names, *, n_test: int, n_val: int, n_train: int, seed: int) -> dict[str, dict[str, TaskData]]:
    """Per task, disjoint test / val / train sets cut from one pool of distinct texts (the test set depends on the
    seed alone, never on the demo seeds)."""
    splits = {}
    for name in names:
        pool = make_task(name, n_test + n_val + n_train, rng=np_rng(seed, "task", name))
        cuts = np.cumsum([0, n_test, n_val, n_train])
        splits[name] = {part: pool.subset(range(a, b)) for part, a, b in zip(("test", "val", "train"), cuts, cuts[1:])}
    return splits


@dataclass(frozen=True)
class Scored:
    """Label probabilities of one prompt configuration."""
    P: np.ndarray        # (n_test, C) renormalised, test queries
    raw_cf: np.ndarray   # (3, C) raw, content-free queries under the test demonstrations
    y: np.ndarray        # (n_test,)
    P_val: np.ndarray    # (n_val, C) renormalised, probe queries under the probe demonstrations
    y_val: np.ndarray    # (n_val,)


def score_setting(lm: LM, split: dict, demos, val_demos, fmt: str = "default") -> Scored:
    """Scores of the test and content-free queries after `demos`, and of the probe queries after `val_demos`, in
    prompt format `fmt` (probe scores are memoised: many studies share them)."""
    test, val = split["test"], split["val"]
    t = prompt_format(test.template, fmt)
    raw, P = score_queries(lm.scorer, lm.tok, demos, test.texts + CONTENT_FREE, t, test.words)
    n = len(test.texts)
    return Scored(P[:n], raw[n:], test.labels, probe_scores(lm, split, val_demos, fmt), val.labels)


def draw_demos(split: dict, task: str, k: int, demo_seed: int, *, seed: int, val_demos: str):
    """(test demonstrations, probe demonstrations) of demo seed s: independent draws from the train pool, or the
    same set when val_demos = "same"."""
    train = split["train"]
    demos = sample_demos(train, k, rng=np_rng(seed, "demos", task, k, demo_seed))
    if val_demos == "same":
        return demos, demos
    return demos, sample_demos(train, k, rng=np_rng(seed, "val-demos", task, k, demo_seed))


def other_protocol(val_demos: str) -> str:
    """The probe protocol that val_demos is not."""
    return "same" if val_demos == "independent" else "independent"


def main_grid(lm: LM, splits: dict, shots, demo_seeds, *, seed: int, val_demos: str, progress=None):
    """({(task, shots, demo_seed): Scored} over the grid, and the same grid with the other probe protocol (the
    probe prompts under the test demonstrations when val_demos is "independent", and vice versa): only the probe
    scores differ. 0-shot prompts have no demonstrations, so one demo seed."""
    other = other_protocol(val_demos)
    grid, alt = {}, {}
    for task, split in splits.items():
        for k in shots:
            for s in (demo_seeds if k else demo_seeds[:1]):
                demos, probe = draw_demos(split, task, k, s, seed=seed, val_demos=val_demos)
                grid[task, k, s] = score_setting(lm, split, demos, probe)
                alt_probe = draw_demos(split, task, k, s, seed=seed, val_demos=other)[1]
                alt[task, k, s] = replace(grid[task, k, s], P_val=probe_scores(lm, split, alt_probe))
                if progress is not None:
                    progress.update()
    return grid, alt


def probe_scores(lm: LM, split: dict, demos, fmt: str = "default") -> np.ndarray:
    """(n_val, C) renormalised label probabilities of the probe queries after `demos` (memoised)."""
    val = split["val"]
    key = (val.name, fmt, tuple(demos))
    if key not in lm.memo:
        t = prompt_format(val.template, fmt)
        lm.memo[key] = score_queries(lm.scorer, lm.tok, demos, val.texts, t, val.words)[1]
    return lm.memo[key]


def calibrated(sc: Scored, *, init: str, lr: float, epochs: int, n_val: int | None = None) -> dict[str, np.ndarray]:
    """Test probabilities of ICL (p), CC (normalised p / p_cf, eq-07-cc) and LinC (eq-07-linc) fit on the first
    n_val probe examples."""
    p_cf = content_free_prior(sc.raw_cf)
    W, b = cc_params(p_cf)
    n = len(sc.y_val) if n_val is None else n_val
    linc = fit_linc(sc.P_val[:n], sc.y_val[:n], p_cf=p_cf, init=init, lr=lr, epochs=epochs)
    return {"ICL": sc.P, "CC": apply_affine(sc.P, W, b, softmax_out=False), "LinC": predict_linc(sc.P, linc)}


def metrics_rows(grid: dict, linc: dict, keys=("task", "shots", "demo_seed")) -> pd.DataFrame:
    """One row per (configuration, method): accuracy, ECE, mean entropy / log2 C, near-uniform fraction and the
    predicted-class-1 rate; the grid's key fields are named by `keys`."""
    rows = []
    for key, sc in grid.items():
        for method, P in calibrated(sc, **linc).items():
            rows.append({**dict(zip(keys, key)), "method": method, "classes": P.shape[1],
                         **reliability_summary(P, sc.y),
                         "rate_1": float((P.argmax(-1) == 1).mean())})
    return pd.DataFrame(rows)


def p_cf_table(grid: dict) -> pd.DataFrame:
    """p_cf of every configuration, rounded to 2 decimals.
    Shown as `tab-linc-pcf`: not in the paper (the book's own)."""
    return pd.DataFrame([{"task": t, "shots": k, "demo_seed": s,
                          "p_cf": "[" + ", ".join(f"{v:.2f}" for v in content_free_prior(sc.raw_cf)) + "]"}
                         for (t, k, s), sc in grid.items()])


def summary(rows: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean and sd (numpy's, ddof 0, as the official code reports) of `metric` over demo seeds, per task, shots
    and method. Shown as `tab-linc-accuracy` and `tab-linc-ece`: not in the paper (the book's own)."""
    g = rows.groupby(["task", "shots", "method"], sort=False)[metric]
    return pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=0), "n_sets": g.size()}).reset_index()


def summary_view(table: pd.DataFrame) -> pd.DataFrame:
    """task x shots rows, one "mean ± sd" column per method (sd left out for a single demonstration set)."""
    text = table.apply(lambda r: f"{r['mean']:.3f}" + (f" ± {r['sd']:.3f}" if r["n_sets"] > 1 else ""), axis=1)
    view = table.assign(v=text).pivot(index=["task", "shots"], columns="method", values="v")
    return view[list(METHODS)].reset_index().rename_axis(columns=None)


def order_study(lm: LM, split: dict, task: str, *, k: int, seed: int, demo_seed: int, val_demos: str) -> dict:
    """Claim L2 (recency bias): k demonstrations labelled [+, ..., +, -] against [-, ..., -, +], with the main
    probe prompts of that demo seed. Shown as `tab-linc-order`: not in the paper (the book's own)."""
    _, probe = draw_demos(split, task, k, demo_seed, seed=seed, val_demos="independent")
    orders = {"+" * (k - 1) + "-": [1] * (k - 1) + [0], "-" * (k - 1) + "+": [0] * (k - 1) + [1]}
    out = {}
    for name, labels in orders.items():
        demos = sample_demos(split["train"], k, rng=np_rng(seed, "order", name), label_order=labels)
        out[(name,)] = score_setting(lm, split, demos, demos if val_demos == "same" else probe)
    return out


def robustness_study(lm: LM, split: dict, task: str, *, k: int, seed: int, demo_seed: int, val_demos: str,
                     proportions, permutations: int, formats) -> dict:
    """{(axis, setting): Scored} for the label proportion of the demonstrations, permutations of one fixed
    demonstration set and prompt formats, each with the main probe prompts of that demo seed.
    Shown as `tab-linc-robustness-settings`: not in the paper (the book's own)."""
    demos, probe = draw_demos(split, task, k, demo_seed, seed=seed, val_demos=val_demos)
    out = {}
    for f in proportions:
        n_pos = int(round(f * k))
        labels = np_rng(seed, "proportion", n_pos).permutation([1] * n_pos + [0] * (k - n_pos)).tolist()
        chosen = sample_demos(split["train"], k, rng=np_rng(seed, "proportion-demos", n_pos), label_order=labels)
        out["label proportion", f"{f:g}"] = score_setting(lm, split, chosen, chosen if val_demos == "same" else probe)
    perms = list(itertools.permutations(range(k)))
    picks = np_rng(seed, "permutations").choice(len(perms), size=min(permutations, len(perms)), replace=False)
    for i in sorted(picks):
        order = perms[i]
        out["permutation", "".join(map(str, order))] = score_setting(lm, split, [demos[j] for j in order], probe)
    for fmt in formats:
        out["template", fmt] = score_setting(lm, split, demos, probe, fmt)
    return out


def spread_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per robustness axis and method: mean, min, max and range (max - min) of the accuracy over settings.
    Shown as `tab-linc-robustness`: not in the paper (the book's own)."""
    g = rows.groupby(["axis", "method"], sort=False)["acc"]
    out = pd.DataFrame({"mean": g.mean(), "min": g.min(), "max": g.max()}).reset_index()
    return out.assign(range=out["max"] - out["min"])


def val_size_rows(grid: dict, task: str, k: int, sizes, linc: dict) -> pd.DataFrame:
    """One row per test query: whether it is predicted correctly when LinC's probe is the first m val examples, for
    m in sizes, per demo seed and method (ICL and CC do not depend on m)."""
    frames = []
    for (t, shots, s), sc in grid.items():
        if (t, shots) != (task, k):
            continue
        for m in sizes:
            for method, P in calibrated(sc, n_val=m, **linc).items():
                frames.append(pd.DataFrame({"n_val": m, "demo_seed": s, "method": method,
                                            "query": np.arange(len(sc.y)), "correct": P.argmax(-1) == sc.y}))
    return pd.concat(frames, ignore_index=True)


def sensitivity_rows(grid: dict, lrs, epochs, init: str) -> pd.DataFrame:
    """LinC's test accuracy, mean over every main configuration, for each (lr, epochs): shown, never used to pick
    the defaults. Shown as `tab-linc-sensitivity`: not in the paper (the book's own)."""
    rows = []
    for lr, ep in itertools.product(lrs, epochs):
        accs = [float((calibrated(sc, init=init, lr=lr, epochs=ep)["LinC"].argmax(-1) == sc.y).mean())
                for sc in grid.values()]
        rows.append({"lr": lr, "epochs": ep, "acc": float(np.mean(accs))})
    return pd.DataFrame(rows)


def example_rows(grid: dict, linc: dict, keys=("task", "shots", "demo_seed")) -> pd.DataFrame:
    """One row per test prediction of every configuration and method: the query's index, the predicted class,
    entropy in bits, confidence and correctness (for the histograms, reliability diagrams and per-query claims);
    the grid's key fields are named by `keys`."""
    frames = []
    for key, sc in grid.items():
        for method, P in calibrated(sc, **linc).items():
            frames.append(pd.DataFrame({**dict(zip(keys, key)), "method": method, "classes": P.shape[1],
                                        "query": np.arange(len(sc.y)), "predicted": P.argmax(-1),
                                        "entropy_bits": entropy_bits(P), "confidence": P.max(-1),
                                        "correct": P.argmax(-1) == sc.y}))
    return pd.concat(frames, ignore_index=True)


def task_table(splits: dict) -> pd.DataFrame:
    """Per task: classes, label words and the first test query.
    Shown as `tab-linc-tasks`: not in the paper (the book's own)."""
    return pd.DataFrame([{"task": name, "classes": len(s["test"].words), "label words": ", ".join(s["test"].words),
                          "first test query": s["test"].texts[0]} for name, s in splits.items()])


def reliability_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per method, means over every configuration of accuracy, ECE, entropy / log2 C and the near-uniform share.
    Shown as `tab-linc-reliability`: not in the paper (the book's own)."""
    cols = ["acc", "ece", "entropy", "near_uniform"]
    return rows.groupby("method", sort=False)[cols].mean().reset_index()


def probe_ablation(rows: pd.DataFrame, alt_rows: pd.DataFrame, val_demos: str) -> pd.DataFrame:
    """LinC's accuracy per cell (mean over demo sets) under both probe protocols, and the difference.
    Shown as `tab-linc-probe-demos`: not in the paper (the book's own)."""
    other = other_protocol(val_demos)
    mean = lambda r: r[r.method == "LinC"].groupby(["task", "shots"])["acc"].mean()
    out = pd.DataFrame({val_demos: mean(rows), other: mean(alt_rows)})[["independent", "same"]]
    return out.assign(difference=out["same"] - out["independent"]).reset_index()


def nval_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Probe size x method: test accuracy, mean over demonstration sets and queries.
    Shown as `tab-linc-nval`: not in the paper (the book's own)."""
    mean = rows.groupby(["n_val", "method"], sort=False)["correct"].mean().unstack("method")[list(METHODS)]
    return mean.reset_index().rename_axis(columns=None)
