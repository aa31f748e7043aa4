"""Chapter 06's experiments: R-NRN, its static-structure ablation and five scikit-learn baselines per data set and
seed (the benchmark table, sizes and times), sufficient explanations and their checks, importances and deletion
curves, and the optional random search of the full profile.

Fits are independent, so they run in `workers` processes of one thread each (core.parallel; a small float64
training gains nothing from a second thread); every fit's random streams are named by its (data set, model,
seed), so the numbers do not depend on the number of workers. Times are the fitting process's CPU seconds.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from ...core.parallel import on_cpu, run_tasks
from ...core.rng import int_seed, np_rng
from ...logic.data import Split, load_tabular
from ...logic.explain import (
    binary_auc,
    completion_agreement,
    deletion_curves,
    feature_importance,
    rule_agreement,
    sufficient_explanation,
    to_text,
)
from ...logic.train import RNRNClassifier

NRN_MODELS = ("R-NRN", "NRN static")
BASELINES = ("GBT", "HGB", "RF", "MLP", "LR")
MODELS = NRN_MODELS + BASELINES
SEEDLESS = ("GBT", "HGB", "LR")  # deterministic at these settings: one fit serves every seed
SEARCH_SPACE = {  # the paper's tuning ranges (experiments/src/tuners.py), the subset the full profile searches
    "width": (2, 30), "depth": (1, 3), "prune_plateau": (1, 8), "prune_quantile": (0.05, 0.9), "delta": (1.0, 12.0),
    "weight_init": (0.01, 1.0), "lr": (1e-4, 0.15), "ucb_scale": (1.0, 2.0), "normal_form": ("cnf", "dnf")}


def load_splits(names: list[str], *, n_train_max: int, test_size: float, seed: int) -> dict[str, Split]:
    """One stratified split per data set."""
    return {n: load_tabular(n, n_train_max=n_train_max, test_size=test_size, seed=seed) for n in names}


def data_table(splits: dict[str, Split]) -> pd.DataFrame:
    """Rows, features and the positive rate of each split. Shown as `tab-nrn-data`: not in the paper
    (the book's own)."""
    return pd.DataFrame([{"data": n, "features": s.X_train.shape[1], "train rows": len(s.y_train),
                          "test rows": len(s.y_test), "classes": len(np.unique(s.y_train)),
                          "train positive rate": float(np.mean(s.y_train == s.y_train.max()))}
                         for n, s in splits.items()])


def baseline(model: str, model_seed: int, *, rf_trees: int):
    """A scikit-learn baseline at its defaults (the spec's settings); MLP and LR on standardised features."""
    if model == "GBT":
        return GradientBoostingClassifier(random_state=model_seed)
    if model == "HGB":
        return HistGradientBoostingClassifier(random_state=model_seed)
    if model == "RF":
        return RandomForestClassifier(rf_trees, random_state=model_seed, n_jobs=1)
    if model == "MLP":
        return make_pipeline(StandardScaler(), MLPClassifier((64, 64), early_stopping=True, max_iter=500,
                                                             random_state=model_seed))
    if model == "LR":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    raise ValueError(f"unknown baseline {model!r}; choose from {BASELINES}")


def model_size(est) -> int:
    """Trainable size: weights for an NRN, MLP or LR; tree nodes for the forests and boosted ensembles."""
    if isinstance(est, RNRNClassifier):
        return est.model_.n_params()
    final = est.steps[-1][1] if hasattr(est, "steps") else est
    if isinstance(final, MLPClassifier):
        return int(sum(w.size for w in final.coefs_) + sum(b.size for b in final.intercepts_))
    if isinstance(final, LogisticRegression):
        return int(final.coef_.size + final.intercept_.size)
    if isinstance(final, HistGradientBoostingClassifier):
        return int(sum(len(p.nodes) for stage in final._predictors for p in stage))
    trees = final.estimators_.ravel() if isinstance(final, GradientBoostingClassifier) else final.estimators_
    return int(sum(t.tree_.node_count for t in trees))


def fit_one(data: str, model: str, model_seed: int, split: Split, *, nrn: dict, rf_trees: int, seed: int) -> dict:
    """Fit one model on the split's training rows (one thread) and score it on the test rows."""
    with threadpool_limits(1):
        if model in NRN_MODELS:
            est = RNRNClassifier(**nrn, bandit=model == "R-NRN", seed=int_seed(seed, "nrn", data, model_seed))
        else:
            est = baseline(model, int_seed(seed, model, data, model_seed), rf_trees=rf_trees)
        cpu = time.process_time()
        est.fit(split.X_train, split.y_train)
        cpu = time.process_time() - cpu
        auc = binary_auc(split.y_test, est.predict_proba(split.X_test))
    out = {"data": data, "model": model, "seed": model_seed, "auc": auc, "size": model_size(est), "cpu_s": cpu,
           "estimator": est}
    if model in NRN_MODELS:
        history = pd.DataFrame(est.history_)
        out.update(epochs=len(history), prunes=int(history["pruned"].sum()),
                   best_epoch=int(history["val_auc"].idxmax()), n_predicates=len(est.thresholds_),
                   channels=est.model_.n_classes,
                   size_with_bandit=est.model_.n_params(count_bandit=model == "R-NRN"))
    return out


def run_jobs(jobs: list[tuple[str, str, int, dict]], splits: dict[str, Split], *, workers: int, device: str,
             desc: str, rf_trees: int, seed: int) -> list[dict]:
    """fit_one for every (data, model, seed, NRN settings) job, in `workers` processes on the CPU (here on CUDA),
    returned in job order; a seedless baseline is fitted once and its result copied to every seed."""
    tasks: dict[tuple, tuple] = {}
    for d, m, s, nrn in jobs:
        tasks.setdefault(_key((d, m, s, nrn)), (d, m, s, splits[d], {**nrn, "device": device}))
    done = run_tasks(_fit_task, tasks, workers=workers if on_cpu(device) else 1, desc=desc, rf_trees=rf_trees,
                     seed=seed)
    return [{**done[_key(job)], "seed": job[2]} for job in jobs]


def _fit_task(data, model, model_seed, split, nrn, **settings) -> dict:
    return fit_one(data, model, model_seed, split, nrn=nrn, **settings)


def _key(job: tuple) -> tuple:
    data, model, model_seed, _ = job
    return data, model, 0 if model in SEEDLESS else model_seed


def fit_all(splits: dict[str, Split], seeds: list[int], nrn_for: dict[str, dict], *, workers: int, device: str,
            rf_trees: int, seed: int) -> list[dict]:
    """Every model of MODELS on every data set and seed (the benchmark); nrn_for holds each data set's NRN
    settings."""
    jobs = [(d, m, s, nrn_for[d]) for d in splits for m in MODELS for s in seeds]
    return run_jobs(jobs, splits, workers=workers, device=device, desc="fits", rf_trees=rf_trees, seed=seed)


def results_table(fits: list[dict]) -> pd.DataFrame:
    """One row per fit: data, model, seed, test ROC AUC, size, CPU seconds. Shown as `tab-nrn-fits`: not in the
    paper (the book's own)."""
    return pd.DataFrame([{k: f[k] for k in ("data", "model", "seed", "auc", "size", "cpu_s")} for f in fits])


def auc_table(results: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd over seeds of test ROC AUC, mean size and CPU seconds, per data set and model. Shown as
    `tab-auc`: the paper's main table (its number not read from the PDF; our subset of its data sets and models)."""
    g = results.groupby(["data", "model"], sort=False)
    return g.agg(auc=("auc", "mean"), auc_sd=("auc", "std"), size=("size", "mean"), cpu_s=("cpu_s", "mean"),
                 seeds=("seed", "nunique")).reset_index()


def auc_view(table: pd.DataFrame) -> pd.DataFrame:
    """Data sets x models: 'mean ± sd' of test ROC AUC (the main-table analogue)."""
    cell = table.assign(text=[f"{m:.3f} ± {0.0 if np.isnan(s) else s:.3f}" for m, s in zip(table.auc, table.auc_sd)])
    return cell.pivot(index="data", columns="model", values="text")[list(MODELS)].rename_axis(None, axis=1)


def bandit_ablation(results: pd.DataFrame) -> pd.DataFrame:
    """Per data set and seed: test AUC with the bandit, with the static random structure, and the difference.
    Shown as `tab-bandit-ablation`: not in the paper (the book's own)."""
    wide = results[results.model.isin(NRN_MODELS)].pivot(index=["data", "seed"], columns="model", values="auc")
    return wide.assign(difference=wide["R-NRN"] - wide["NRN static"]).reset_index().rename_axis(None, axis=1)


def nrn_runs(fits: list[dict]) -> pd.DataFrame:
    """Per NRN fit: epochs run, the best-validation epoch, prune rounds, predicates and weights."""
    keys = ("data", "model", "seed", "epochs", "best_epoch", "prunes", "n_predicates", "channels", "size",
            "size_with_bandit")
    shape = ("layer_sizes", "k_in", "k_internal", "k_out")
    return pd.DataFrame([{**{k: f[k] for k in keys}, **{k: f["estimator"].get_params()[k] for k in shape}}
                         for f in fits if f["model"] in NRN_MODELS])


def first_model(fits: list[dict], data: str, model: str):
    """The fitted estimator of the first seed."""
    return next(f["estimator"] for f in fits if f["data"] == data and f["model"] == model)


def tree_path_lengths(split: Split, rows: np.ndarray, *, seed: int) -> np.ndarray:
    """Split nodes on each row's path through a depth-5 decision tree: that tree's own sufficient explanation."""
    tree = DecisionTreeClassifier(max_depth=5, random_state=int_seed(seed, "tree", split.name))
    tree.fit(split.X_train, split.y_train)
    return np.asarray(tree.decision_path(rows).sum(1)).ravel() - 1


def analyse_one(split: Split, rnrn: RNRNClassifier, rf: RandomForestClassifier, *, n_rows: int, n_completions: int,
                repeats: int, seed: int) -> dict:
    """Everything the chapter asks of one data set's first-seed R-NRN (and RF): sufficient explanations of the
    first n_rows test rows, with invariant A (n_completions inputs satisfying each) and B (the test rows
    satisfying it) and the depth-5 tree's path beside each; importances (R-NRN from its explanations, the RF's
    impurity and permutation importances on the training rows); and the deletion curves."""
    with threadpool_limits(1):
        X, r = split.X_test[:n_rows], np_rng(seed, "completions", split.name)
        explanations = [sufficient_explanation(rnrn, x) for x in X]
        rows = []
        for i, (e, path) in enumerate(zip(explanations, tree_path_lengths(split, X, seed=seed))):
            covered, wrong = rule_agreement(rnrn, e, split.X_test)
            rows.append({"data": split.name, "row": i, "length": len(e), "tree path": int(path),
                         "decision": int(e.decision), "coverage": covered / len(split.X_test),
                         "A agreement": completion_agreement(rnrn, e, n_completions, X.shape[1], r),
                         "B violations": wrong})
        perm = permutation_importance(rf, split.X_train, split.y_train, scoring="roc_auc", n_repeats=repeats,
                                      random_state=int_seed(seed, "perm", split.name), n_jobs=1).importances_mean
        imps = {"R-NRN": feature_importance(rnrn, explanations, split.X_train.shape[1]),
                "RF impurity": rf.feature_importances_, "RF permutation": perm}
        curves, areas = [], []
        for kind, importance in imps.items():
            model = rnrn if kind == "R-NRN" else rf
            repeated = deletion_curves(model.predict_proba, split.X_test, split.y_test,
                                       np.argsort(-importance, kind="stable"),
                                       np_rng(seed, "deletion", split.name, kind), repeats)
            curve = repeated.mean(0)
            relative = (curve - 0.5) / (curve[0] - 0.5) if curve[0] > 0.5 else np.full_like(curve, np.nan)
            curves += [{"data": split.name, "importance": kind, "removed": k, "fraction": k / (len(curve) - 1),
                        "auc": a, "relative": rel} for k, (a, rel) in enumerate(zip(curve, relative))]
            areas += [{"data": split.name, "importance": kind, "repeat": r, "area": a}
                      for r, a in enumerate(relative_areas(repeated))]
    return {"rows": pd.DataFrame(rows), "explanations": explanations, "importances": imps,
            "curves": pd.DataFrame(curves), "areas": pd.DataFrame(areas)}


def relative_areas(repeated: np.ndarray) -> list[float]:
    """Per repeat (a row of deletion curves): the area under its normalised curve, as in `deletion_areas` (NaN for
    a model no better than chance)."""
    fraction = np.arange(repeated.shape[1]) / (repeated.shape[1] - 1)
    return [float(np.trapezoid((c - 0.5) / (c[0] - 0.5), fraction)) if c[0] > 0.5 else float("nan")
            for c in repeated]


def analyse_all(fits: list[dict], splits: dict[str, Split], *, workers: int, device, **settings) -> dict[str, dict]:
    """analyse_one for every data set, in `workers` processes. Deletion curves are normalised: `relative` is
    (AUC - 0.5) / (AUC_0 - 0.5), so that models starting at different AUCs compare (NaN for a model no better
    than chance); each model is permuted in its own importance order, as in the paper's incremental deletion."""
    tasks = {n: (s, first_model(fits, n, "R-NRN"), first_model(fits, n, "RF")) for n, s in splits.items()}
    return run_tasks(analyse_one, tasks, workers=workers if on_cpu(device) else 1,
                     desc="explanations and importances", **settings)


def per_row_table(analyses: dict[str, dict]) -> pd.DataFrame:
    """One row per explained test row and data set."""
    return pd.concat([a["rows"] for a in analyses.values()], ignore_index=True)


def curves_table(analyses: dict[str, dict]) -> pd.DataFrame:
    """The deletion curves of every data set and importance kind. Shown as `tab-deletion-curves`: not in the
    paper (the book's own)."""
    return pd.concat([a["curves"] for a in analyses.values()], ignore_index=True)


def repeat_areas_table(analyses: dict[str, dict]) -> pd.DataFrame:
    """One row per data set, importance kind and deletion repeat: the area under that repeat's normalised curve."""
    return pd.concat([a["areas"] for a in analyses.values()], ignore_index=True)


def sufficiency_table(per_row: pd.DataFrame) -> pd.DataFrame:
    """Per data set: explanation length (mean, median, max), tree-path mean, coverage, invariants A and B.
    Shown as `tab-sufficiency`: not in the paper (the book's own)."""
    g = per_row.groupby("data", sort=False)
    return g.agg(rows=("row", "size"), mean_length=("length", "mean"), median_length=("length", "median"),
                 max_length=("length", "max"), tree_path_mean=("tree path", "mean"),
                 mean_coverage=("coverage", "mean"), min_A_agreement=("A agreement", "min"),
                 B_violations=("B violations", "sum")).reset_index()


def sample_explanations(analyses: dict[str, dict], splits: dict[str, Split], fits: list[dict]) -> pd.DataFrame:
    """The first test row's explanation per data set, as logic and as a sentence, with the decided class.
    Shown as `tab-explanations`: not in the paper (the book's own)."""
    out = []
    for name, split in splits.items():
        e, clf = analyses[name]["explanations"][0], first_model(fits, name, "R-NRN")
        out.append({"data": name, "predicted class": split.class_names[int(clf.classes_[e.decision])],
                    "explanation": to_text(e.conditions, split.feature_names),
                    "in words": "predicted because " + to_text(e.conditions, split.feature_names, "natural")})
    return pd.DataFrame(out)


def deletion_areas(curves: pd.DataFrame) -> pd.DataFrame:
    """Data sets x importance kinds: normalised area under the relative deletion curve (trapezoid over the
    fraction of columns removed). Shown as `tab-deletion-areas`: not in the paper (the book's own)."""
    area = curves.groupby(["data", "importance"], sort=False).apply(
        lambda c: float(np.trapezoid(c["relative"], c["fraction"])), include_groups=False)
    return area.unstack("importance").rename_axis(None, axis=1).reset_index()


def top_features(analyses: dict[str, dict], data: str, k: int = 3) -> list[int]:
    """The k most important R-NRN features of a data set, most important first (see `ranked`)."""
    return ranked(analyses[data]["importances"]["R-NRN"], k)


def ranked(importance: np.ndarray, k: int) -> list[int]:
    """The k features of largest importance, most important first; only features of positive importance count,
    so there may be fewer than k."""
    return [int(j) for j in np.argsort(-importance, kind="stable")[:k] if importance[j] > 0]


def draw_configs(n: int, *, seed: int) -> list[dict]:
    """n R-NRN settings drawn over SEARCH_SPACE (log-uniform learning rate and weight init)."""
    r, s = np_rng(seed, "search"), SEARCH_SPACE
    out = []
    for _ in range(n):
        depth = int(r.integers(s["depth"][0], s["depth"][1] + 1))
        width = int(r.integers(s["width"][0], s["width"][1] + 1))
        out.append({"layer_sizes": (width,) * depth, "normal_form": str(r.choice(s["normal_form"])),
                    "prune_plateau": int(r.integers(s["prune_plateau"][0], s["prune_plateau"][1] + 1)),
                    "prune_quantile": float(r.uniform(*s["prune_quantile"])), "delta": float(r.uniform(*s["delta"])),
                    "weight_init": float(np.exp(r.uniform(*np.log(s["weight_init"])))),
                    "lr": float(np.exp(r.uniform(*np.log(s["lr"])))), "ucb_scale": float(r.uniform(*s["ucb_scale"]))})
    return out


def search(splits: dict[str, Split], nrn: dict, trials: int, *, workers: int, device: str, rf_trees: int,
           seed: int) -> tuple[dict[str, dict], pd.DataFrame]:
    """Random search per data set over the default and `trials` drawn settings, one R-NRN fit each; the best
    validation AUC (the classifier's own early-stopping holdout, never the test rows) wins. Returns each data
    set's chosen NRN settings and the trial table. Shown as `tab-nrn-search`: not in the paper (the book's own)."""
    configs = [{}] + draw_configs(trials, seed=seed)
    jobs = [(name, "R-NRN", i, {**nrn, **config}) for name in splits for i, config in enumerate(configs)]
    fits = run_jobs(jobs, splits, workers=workers, device=device, desc="search", rf_trees=rf_trees,
                    seed=int_seed(seed, "search"))
    table = pd.DataFrame([{"data": f["data"], "trial": f["seed"],
                           "val_auc": float(pd.DataFrame(f["estimator"].history_)["val_auc"].max()),
                           "test_auc": f["auc"], **{k: str(v) for k, v in configs[f["seed"]].items()}}
                          for f in fits])
    best = table.loc[table.groupby("data", sort=False)["val_auc"].idxmax()]
    return {row.data: {**nrn, **configs[row.trial]} for row in best.itertuples()}, table
