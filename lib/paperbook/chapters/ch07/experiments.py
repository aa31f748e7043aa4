"""Chapter 07's experiments: label probabilities of every prompt configuration, computed once with SmolLM2 and
reused by ICL, contextual calibration (CC) and LinC, their accuracy, ECE and entropy, and the studies of
demonstration order, label proportion, permutation, template, probe size and LinC's learning rate.

Protocol of the official code: the test set is fixed; the demonstrations of demo seed s are drawn from a train pool;
LinC's probe prompts (the val split) use their own demonstration set, drawn once from a fixed seed and shared by every
demo seed (val_demos = "fixed"; run_classification.py, save_results and eval_accuracy, at 7b07c98); p_cf comes from
the content-free queries under the test demonstrations; LinC starts from the CC solution.
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
from . import PROTOCOLS

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
    """(test demonstrations, probe demonstrations) of demo seed s, drawn from the train pool; the probe set follows
    the protocol `val_demos` (PROTOCOLS): "fixed" draws it from a seed that ignores the demo seed (the official
    `val_seed`), "independent" from one that follows it, "same" takes the test demonstrations."""
    if val_demos not in PROTOCOLS:
        raise ValueError(f"val_demos must be one of {PROTOCOLS}, got {val_demos!r}")
    train = split["train"]
    demos = sample_demos(train, k, rng=np_rng(seed, "demos", task, k, demo_seed))
    if val_demos == "same":
        return demos, demos
    probe_seed = "fixed" if val_demos == "fixed" else demo_seed
    return demos, sample_demos(train, k, rng=np_rng(seed, "val-demos", task, k, probe_seed))


def main_grid(lm: LM, splits: dict, shots, demo_seeds, *, seed: int, progress=None) -> dict[str, dict]:
    """{protocol: {(task, shots, demo_seed): Scored}} for every probe protocol of PROTOCOLS: the test and
    content-free scores are shared, only the probe scores differ. 0-shot prompts have no demonstrations, so one demo
    seed (and one probe set: the protocols coincide there)."""
    grids = {protocol: {} for protocol in PROTOCOLS}
    for task, split in splits.items():
        for k in shots:
            for s in (demo_seeds if k else demo_seeds[:1]):
                scored = None
                for protocol in PROTOCOLS:
                    demos, probe = draw_demos(split, task, k, s, seed=seed, val_demos=protocol)
                    scored = score_setting(lm, split, demos, probe) if scored is None else \
                        replace(scored, P_val=probe_scores(lm, split, probe))
                    grids[protocol][task, k, s] = scored
                if progress is not None:
                    progress.update()
    return grids


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
    _, probe = draw_demos(split, task, k, demo_seed, seed=seed, val_demos=val_demos)
    orders = {"+" * (k - 1) + "-": [1] * (k - 1) + [0], "-" * (k - 1) + "+": [0] * (k - 1) + [1]}
    out = {}
    for name, labels in orders.items():
        demos = sample_demos(split["train"], k, rng=np_rng(seed, "order", name), label_order=labels)
        out[(name,)] = score_setting(lm, split, demos, demos if val_demos == "same" else probe)
    return out


def robustness_study(lm: LM, split: dict, task: str, *, k: int, seed: int, demo_seed: int, val_demos: str,
                     proportions, permutations: int, formats) -> dict:
    """{(axis, setting): Scored} for the label proportion of the demonstrations, permutations of one fixed
    demonstration set and prompt formats, each with the probe prompts of that demo seed under `val_demos` (under
    "same", the setting's own demonstrations).
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
        permuted = [demos[j] for j in perms[i]]
        out["permutation", "".join(map(str, perms[i]))] = score_setting(
            lm, split, permuted, permuted if val_demos == "same" else probe)
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


def step_budget(lr, epochs, n_probes):
    """How far SGD can move LinC from its CC start: learning rate x epochs x probes (one step per probe per
    epoch); numbers or arrays."""
    return lr * epochs * n_probes


# The official scripts' LinC settings (lr, epochs, val_size) per model, data set and shots, transcribed from the
# spec's section 2 (examples_ssh/*.sh and the deleted cls_ssh/ of mominabbass/LinC): the range the sensitivity
# grid must span.
OFFICIAL_SETTINGS = pd.DataFrame(
    [("GPT-2 XL", "SST-2", 0, 0.5, 15, 30), ("GPT-2 XL", "SST-2", 1, 0.95, 50, 30),
     ("GPT-2 XL", "SST-2", 4, 3e-4, 15, 100), ("GPT-2 XL", "SST-2", 8, 7e-3, 15, 10),
     ("GPT-2 XL", "SST-5", 0, 9.5e-3, 50, 30), ("GPT-2 XL", "SST-5", 1, 2e-3, 50, 30),
     ("GPT-2 XL", "SST-5", 4, 8.5e-4, 50, 100), ("GPT-2 XL", "SST-5", 8, 9.4e-4, 50, 100),
     ("GPT-J", "SST-2", 0, 0.015, 15, 100), ("GPT-J", "SST-2", 1, 1.5e-4, 1, 300),
     ("GPT-J", "SST-2", 4, 3.5e-4, 15, 100), ("GPT-J", "SST-2", 8, 2.5e-4, 15, 100),
     ("GPT-J", "AGNews", 0, 0.5, 50, 300), ("GPT-J", "AGNews", 1, 9.5e-5, 50, 300),
     ("GPT-J", "AGNews", 4, 9.5e-5, 50, 100), ("GPT-J", "AGNews", 8, 4.5e-4, 50, 100),
     ("GPT-J", "TREC", 1, 0.1, 50, 100), ("GPT-J", "TREC", 4, 0.069, 50, 100), ("GPT-J", "TREC", 8, 0.15, 50, 100),
     ("GPT-J", "DBPedia", 0, 1.35, 50, 190), ("GPT-J", "DBPedia", 1, 3.5e-3, 100, 30),
     ("GPT-J", "DBPedia", 4, 9.5e-3, 100, 30), ("GPT-J", "DBPedia", 8, 0.0148, 100, 30),
     ("Llama-2-13B", "SST-2", 0, 5.5e-3, 15, 100), ("Llama-2-13B", "SST-2", 1, 8.5e-5, 1, 300),
     ("Llama-2-13B", "SST-2", 4, 9.9e-4, 15, 100), ("Llama-2-13B", "SST-2", 8, 5.5e-4, 15, 100),
     ("Llama-2-13B", "SST-5", 0, 8e-3, 15, 100), ("Llama-2-13B", "SST-5", 1, 6.5e-3, 50, 30),
     ("Llama-2-13B", "SST-5", 4, 1e-3, 50, 100), ("Llama-2-13B", "SST-5", 8, 4.5e-4, 50, 100)],
    columns=["model", "dataset", "shots", "lr", "epochs", "val_size"])


def official_budgets(shots: int) -> np.ndarray:
    """The step budgets of the official scripts' settings at `shots` demonstrations, sorted."""
    rows = OFFICIAL_SETTINGS[OFFICIAL_SETTINGS.shots == shots]
    return np.sort(step_budget(rows["lr"], rows["epochs"], rows["val_size"]).to_numpy())


def sensitivity_rows(grids: dict[str, dict], lrs, epochs, init: str) -> pd.DataFrame:
    """LinC's test accuracy, mean over the main configurations, per probe protocol and (lr, epochs), with the step
    budget; ICL's and CC's means (protocol-free) beside it. Shown, never used to pick the defaults.
    Shown as `tab-linc-sensitivity` and `fig-linc-lr-sensitivity`: not in the paper (the book's own)."""
    rows = []
    for protocol, grid in grids.items():
        for lr, ep in itertools.product(lrs, epochs):
            acc = {m: [] for m in METHODS}
            for sc in grid.values():
                for method, P in calibrated(sc, init=init, lr=lr, epochs=ep).items():
                    acc[method].append(float((P.argmax(-1) == sc.y).mean()))
            n_probes = len(next(iter(grid.values())).y_val)
            rows.append({"protocol": protocol, "lr": lr, "epochs": ep, "budget": step_budget(lr, ep, n_probes),
                         "LinC": float(np.mean(acc["LinC"])), "CC": float(np.mean(acc["CC"])),
                         "ICL": float(np.mean(acc["ICL"]))})
    return pd.DataFrame(rows)


def sensitivity_headline(rows: pd.DataFrame, protocol: str, n_test: int) -> str:
    """The sentence the chapter states of the sensitivity grid for one probe protocol: the step budgets at which
    LinC's mean accuracy trails CC's, its start, by more than one test query (1/n_test), the first of them, and how
    many settings of the grid do."""
    sub = rows[rows.protocol == protocol].sort_values(["budget", "lr"])
    behind = sub["LinC"] < sub["CC"] - 1 / n_test
    if not behind.any():
        return (f"with {protocol} probes, LinC never trails CC by more than one test query at any step budget of the "
                f"grid ({sub['budget'].min():.3g} to {sub['budget'].max():.3g})")
    first = sub.loc[behind.idxmax(), "budget"]
    before = sub.loc[sub["budget"] < first, "budget"]
    held = (f"never trails CC by more than one test query up to a step budget of {before.max():.3g}; it first "
            f"does at {first:.3g}" if len(before) else
            f"trails CC by more than one test query already at the smallest step budget, {first:.3g}")
    return f"with {protocol} probes, LinC {held} ({int(behind.sum())} of the {len(sub)} settings of the grid trail)"


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


def probe_ablation(rows_by_protocol: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per few-shot cell: CC's accuracy and LinC's under each probe protocol (means over demo sets); at 0 shots the
    protocols coincide. Shown as `tab-linc-probe-demos`: not in the paper (the book's own)."""
    few = {p: r[r.shots > 0] for p, r in rows_by_protocol.items()}
    mean = lambda r, m: r[r.method == m].groupby(["task", "shots"])["acc"].mean()
    first = next(iter(few.values()))
    out = pd.DataFrame({"CC": mean(first, "CC"), **{f"LinC {p}": mean(r, "LinC") for p, r in few.items()}})
    return out.reset_index()


def _mean_probs(P: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in P.mean(0)) + "]"


def probe_bias_rows(grids: dict[str, dict], linc: dict) -> pd.DataFrame:
    """Per few-shot configuration and probe protocol: the mean label distribution of the test prompts and of the
    probe prompts, their total-variation distance, and LinC's accuracy minus CC's. LinC learns W on the probes
    starting from CC's correction for the test prompts, so a probe bias unlike the test prompts' pulls it away.
    Shown as `tab-linc-probe-bias` and `fig-linc-probe-bias`: not in the paper (the book's own)."""
    rows = []
    for protocol, grid in grids.items():
        for (task, k, s), sc in grid.items():
            if k == 0:
                continue
            out = calibrated(sc, **linc)
            acc = {m: float((P.argmax(-1) == sc.y).mean()) for m, P in out.items()}
            rows.append({"task": task, "shots": k, "demo_seed": s, "protocol": protocol,
                         "test mean p": _mean_probs(sc.P), "probe mean p": _mean_probs(sc.P_val),
                         "tv": 0.5 * float(np.abs(sc.P.mean(0) - sc.P_val.mean(0)).sum()),
                         "LinC - CC": acc["LinC"] - acc["CC"]})
    return pd.DataFrame(rows)


def probe_bias_view(rows: pd.DataFrame, shots: int) -> pd.DataFrame:
    """probe_bias_rows at one shot count, one row per (task, demo seed, protocol): the test prompts' mean label
    distribution, the probe prompts', and their TV distance (long, so that it fits the column)."""
    sub = rows[rows.shots == shots].sort_values(["task", "demo_seed"], kind="stable")
    return sub[["task", "demo_seed", "protocol", "test mean p", "probe mean p", "tv"]].rename(
        columns={"test mean p": "test p", "probe mean p": "probe p", "tv": "TV"}).reset_index(drop=True)


def nval_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Probe size x method: test accuracy, mean over demonstration sets and queries.
    Shown as `tab-linc-nval`: not in the paper (the book's own)."""
    mean = rows.groupby(["n_val", "method"], sort=False)["correct"].mean().unstack("method")[list(METHODS)]
    return mean.reset_index().rename_axis(columns=None)
