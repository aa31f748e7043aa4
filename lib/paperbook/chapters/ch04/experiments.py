"""Chapter 04's experiments: SCAN regenerated and fingerprinted, CPG fitted on the 14-example sets and run as a
program, a learner with no gradient on the same sets, the GRU baseline, and the COGS-style language. Each function
returns a tidy DataFrame."""

from __future__ import annotations

from functools import cache
from itertools import product

import numpy as np
import pandas as pd
import torch

from ...compose import cogs, cogs_cpg, cpg, scan
from ...compose import seq2seq as s2s
from ...core.rng import int_seed, np_rng, rng

EVAL_SPLITS = ("addprim_jump", "length", "around_right", "simple")  # CPG is scored on each full test set


def scan_fingerprints() -> pd.DataFrame:
    """Every split we regenerate: sizes, the sha256 of its sorted unique lines, and whether it is the official
    file (the simple split: sizes only; its membership is random).
    Shown as `tab-x-scan-fingerprints`: not in the paper (the book's own)."""
    rows = [{"split": "all commands", "train": len(scan.commands()), "train unique": len(scan.commands()),
             "test": 0, "test sha256": scan.fingerprint(scan.line(c) for c in scan.commands())[:12],
             "official": scan.fingerprint(scan.line(c) for c in scan.commands()) == scan.OFFICIAL_ALL}]
    for name in scan.SPLITS:
        train, test = scan.split(name)
        ours = (len(train), scan.fingerprint(train), len(test), scan.fingerprint(test))
        official = scan.OFFICIAL.get(name)
        rows.append({"split": name, "train": len(train), "train unique": len(set(train)), "test": len(test),
                     "test sha256": ours[3][:12],
                     "official": ours == official if official else None})
    return pd.DataFrame(rows)


def _commands_actions(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    pairs = [scan.unline(t) for t in lines]
    return [c for c, _ in pairs], [a for _, a in pairs]


@cache
def _tree_and_actions(command: str):
    """A command's rule tree and actions (parsed once per process: the chapter executes ~10^5 programs)."""
    return cpg.rule_tree(scan.parse(command)), scan.interpret(command)


def program_accuracy(program: dict, commands: list[str]) -> float:
    """Exact match of the program executed on commands (a command using a rule the program lacks is wrong)."""
    right = 0
    for c in commands:
        tree, actions = _tree_and_actions(c)
        try:
            right += cpg.execute(program, tree) == actions
        except KeyError:
            pass
    return right / len(commands)


def _test_commands() -> dict[str, list[str]]:
    tests = {name: _commands_actions(scan.split(name)[1])[0] for name in EVAL_SPLITS}
    return {**tests, "all 20,910": scan.commands()}


def fit_cpg(sets: list[str], seeds: list[int], *, K: int, lr: float, window: int, max_iters: int,
            seed: int) -> tuple[pd.DataFrame, dict]:
    """CPG trained on each few-shot set with each seed, then executed as a program on every full test set.
    Returns the table and the fitted models by (set, seed).
    Shown as `tab-x-cpg` and `tab-x-exact-match`: not in the paper (the book's own)."""
    tests, rows, models = _test_commands(), [], {}
    for name, s in product(sets, seeds):
        model = cpg.CPG(K=K)
        log = cpg.fit(model, list(cpg.FEWSHOT[name]), lr=lr, window=window, max_iters=max_iters,
                      seed=int_seed(seed, "cpg", name, s))
        models[name, s] = model
        row = {"training set": name, "seed": s, "examples": len(cpg.FEWSHOT[name]), "iterations": log.iterations,
               "stages": len(log.stages), "solved": len(log.stages) == len({len(c.split())
                                                                            for c in cpg.FEWSHOT[name]})}
        rows.append(row | {split: program_accuracy(model.program(), cmds) for split, cmds in tests.items()})
    return pd.DataFrame(rows), models


def fit_cpg_standard(splits: list[str], *, K: int, lr: float, window: int, max_iters: int,
                     seed: int) -> pd.DataFrame:
    """The standard setting: CPG trained on a split's whole training set (its distinct commands), then its
    program scored on the split's full test set.
    Shown as `tab-x-cpg-standard`: not in the paper (the book's own)."""
    rows = []
    for name in splits:
        train, test = (sorted({scan.unline(t)[0] for t in lines}) for lines in scan.split(name, seed=seed))
        model = cpg.CPG(K=K)
        log = cpg.fit(model, train, lr=lr, window=window, max_iters=max_iters,
                      seed=int_seed(seed, "cpg-standard", name))
        rows.append({"split": name, "training commands": len(train), "iterations": log.iterations,
                     "solved": len(log.stages) == len({len(c.split()) for c in train}),
                     "test accuracy": program_accuracy(model.program(), test)})
    return pd.DataFrame(rows)


def templates(model: cpg.CPG) -> pd.DataFrame:
    """Each rule's learned template next to the gold one, both canonicalised (slots that copy nothing or a
    silent word dropped): what the program's output depends on.
    Shown as `tab-x-templates`: not in the paper (the book's own)."""
    trees = [_tree_and_actions(c)[0] for c in scan.commands()]
    rows = []
    for rule, gold in cpg.GOLD.items():
        kids = next(t for t in trees if not isinstance(t, str) and t.rule == rule).children
        learned = model.program().get(rule)
        ours = None if learned is None else cpg.canonical(learned, kids)
        rows.append({"rule": rule, "learned": str(ours), "gold": str(cpg.canonical(gold, kids)),
                     "equal": ours == cpg.canonical(gold, kids)})
    return pd.DataFrame(rows)


def incremental(name: str, *, K: int, lr: float, window: int, max_iters: int, seed: int) -> dict:
    """Learn the rules of the 1-2 word commands of a set, then go on with the whole set: the templates frozen in
    the first phase must be unchanged, and the final program must be right on every command."""
    model, commands = cpg.CPG(K=K), list(cpg.FEWSHOT[name])
    short = [c for c in commands if len(c.split()) <= 2]
    cpg.fit(model, short, lr=lr, window=window, max_iters=max_iters, seed=int_seed(seed, "incr", 1))
    before = dict(model.frozen)
    cpg.fit(model, commands, lr=lr, window=window, max_iters=max_iters, seed=int_seed(seed, "incr", 2))
    return {"frozen first": len(before), "frozen after": len(model.frozen),
            "changed": sum(model.frozen[r] != t for r, t in before.items()),
            "all 20,910": program_accuracy(model.program(), scan.commands())}


def _rules(node) -> set[str]:
    return set() if isinstance(node, str) else {node.rule}.union(*(_rules(c) for c in node.children))


def _arity(node, rule: str) -> int | None:
    """The number of children of `rule` where it first occurs in a rule tree (None: it does not occur)."""
    if isinstance(node, str):
        return None
    if node.rule == rule:
        return len(node.children)
    return next((a for c in node.children if (a := _arity(c, rule)) is not None), None)


def first_consistent(commands: list[str], K: int) -> dict:
    """A learner with no gradient: over the commands in curriculum order, a rule that is the only unknown rule of
    a command gets the first K-slot template (in itertools.product order) that makes every command using only
    known rules and it right. Rules never alone stay unknown."""
    data = [_tree_and_actions(c) for c in sorted(commands, key=lambda c: len(c.split()))]
    program, progress = {}, True
    while progress:
        progress = False
        for tree, _ in data:
            unknown = _rules(tree) - set(program)
            if len(unknown) != 1:
                continue
            rule = unknown.pop()
            checks = [(t, a) for t, a in data if rule in _rules(t) <= set(program) | {rule}]
            for template in product(range(_arity(tree, rule) + 1), repeat=K):
                if all(cpg.execute({**program, rule: template}, t) == a for t, a in checks):
                    program[rule], progress = template, True
                    break
    return program


def fit_first_consistent(sets: list[str], *, K: int) -> pd.DataFrame:
    """The no-gradient learner (`first_consistent`) on each few-shot set, its program scored like CPG's.
    Shown as `tab-x-first-consistent`: not in the paper (the book's own)."""
    tests, rows = _test_commands(), []
    for name in sets:
        program = first_consistent(list(cpg.FEWSHOT[name]), K)
        row = {"training set": name, "examples": len(cpg.FEWSHOT[name]), "rules": len(program)}
        rows.append(row | {split: program_accuracy(program, cmds) for split, cmds in tests.items()})
    return pd.DataFrame(rows)


def slots_needed(K: int) -> dict:
    """The slot check (G11): does any K-slot template of `v: u AROUND DIRECTION` interpret "walk around left"
    (8 actions)? Exhaustive over the 4^K templates."""
    rule, tree = "v: u AROUND DIRECTION", cpg.rule_tree(scan.parse("walk around left"))
    target = scan.interpret("walk around left")
    program = dict(cpg.GOLD)
    right = 0
    for template in product(range(4), repeat=K):
        program[rule] = template
        right += cpg.execute(program, tree) == target
    return {"K": K, "templates": 4 ** K, "correct": right}


def sample_efficiency(name: str, ks: list[int], *, K: int, lr: float, window: int, max_iters: int,
                      seed: int) -> pd.DataFrame:
    """CPG trained on the first k commands of a few-shot set: exact match on all 20,910 commands. Shown as
    `tab-x-sample-efficiency`: not in the paper (the book's own)."""
    rows = []
    for k in ks:
        model = cpg.CPG(K=K)
        cpg.fit(model, list(cpg.FEWSHOT[name][:k]), lr=lr, window=window, max_iters=max_iters,
                seed=int_seed(seed, "curve", name, k))
        rows.append({"model": "CPG", "examples": k, "accuracy": program_accuracy(model.program(), scan.commands())})
    return pd.DataFrame(rows)


def _sample(items: list, n: int, seed: int, *keys) -> list:
    if n >= len(items):
        return list(items)
    return [items[i] for i in sorted(np_rng(seed, *keys).choice(len(items), n, replace=False))]


def train_gru(splits: list[str], *, steps: int, dim: int, batch: int, lr: float, dropout: float,
              n_train_eval: int, n_test_eval: int, seed: int, device) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The GRU baseline on each split: exact match on a seeded sample of its training lines and of its test
    set (the whole set when the sample size is at least its size), and on the length split the test accuracy
    by output length. Float64 with snapped parameters (core.training). Shown as `tab-x-gru`, `tab-x-exact-match`
    and `tab-x-acc-by-output-length`: not in the paper (the book's own)."""
    rows, by_length = [], []
    for name in splits:
        train, test = (_commands_actions(lines) for lines in scan.split(name, seed=seed))
        torch.manual_seed(int_seed(seed, "gru-init", name))
        model = s2s.GRUSeq2Seq(dim, dropout).double().to(device)
        s2s.train_seq2seq(model, *train, steps=steps, batch=batch, lr=lr, generator=rng(seed, "gru-batches", name),
                          desc=f"GRU {name}")
        tr = [_sample(x, n_train_eval, seed, "gru-train-eval", name) for x in train]
        te = [_sample(x, n_test_eval, seed, "gru-test-eval", name) for x in test]
        rows.append({"split": name, "training lines": len(train[0]), "steps": steps,
                     "train-sample accuracy": s2s.exact_match(model, *tr), "train evaluated": len(tr[0]),
                     "test accuracy": s2s.exact_match(model, *te), "test evaluated": len(te[0])})
        if name == "length":
            for n_actions in sorted({len(a) for a in te[1]}):
                idx = [i for i, a in enumerate(te[1]) if len(a) == n_actions]
                by_length.append({"model": "GRU", "output length": n_actions, "commands": len(idx),
                                  "accuracy": s2s.exact_match(model, [te[0][i] for i in idx],
                                                              [te[1][i] for i in idx])})
    return pd.DataFrame(rows), pd.DataFrame(by_length)


def cpg_by_output_length(program: dict) -> pd.DataFrame:
    """CPG's exact match on the whole length test set, by output length. Shown as `tab-x-acc-by-output-length`:
    not in the paper (the book's own)."""
    commands, actions = _commands_actions(scan.split("length")[1])
    rows = []
    for n_actions in sorted({len(a) for a in actions}):
        cmds = [c for c, a in zip(commands, actions) if len(a) == n_actions]
        rows.append({"model": "CPG", "output length": n_actions, "commands": len(cmds),
                     "accuracy": program_accuracy(program, cmds)})
    return pd.DataFrame(rows)


def cogs_style(*, per_type: int, n_test: int, max_depth: int, lr: float, window: int, max_iters: int,
               seed: int) -> tuple[pd.DataFrame, list, cpg.FitLog, dict]:
    """CPG's role programs on the book's COGS-style language: fitted on a few-shot set (per_type sentences per
    frame type), then exact match on n_test held-out sentences of each category, with the categories' sizes and
    nesting. Returns the table, the training pairs, the fit log and the program. Shown as `tab-x-cogs-style`:
    not in the paper (the book's own)."""
    train = cogs_cpg.fewshot(per_type, seed=int_seed(seed, "cogs-train"))
    model = cogs_cpg.RoleCPG()
    log = cogs_cpg.fit(model, train, cogs.BOOK_LEXICON, lr=lr, window=window, max_iters=max_iters,
                       seed=int_seed(seed, "cogs-fit"))
    seen, rows = {s for s, _ in train}, []
    for category in cogs.CATEGORIES:
        pairs = cogs.sample(category, n_test + len(seen), seed=int_seed(seed, "cogs-test"), max_depth=max_depth)
        pairs = [p for p in pairs if p[0] not in seen][:n_test]
        words = [s.split() for s, _ in pairs]
        rows.append({"category": category, "sentences": len(pairs),
                     "mean words": float(np.mean([len(w) for w in words])),
                     "max PPs": max(sum(x in cogs.PREPOSITIONS for x in w) for w in words),
                     "max CPs": max(w.count("that") for w in words),
                     "CPG exact match": float(np.mean([cogs_cpg.exact(model.program(), s, lf, cogs.BOOK_LEXICON)
                                                       for s, lf in pairs]))})
    return pd.DataFrame(rows), train, log, model.program()
