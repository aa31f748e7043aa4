"""CPG on the book's COGS-style language: a lite version of Klinger et al.'s COGS model.

As in their model, the parse, the LF skeletons and the determiner and preposition meanings are given
(cogs.interpret renders them), and each grammar rule's substitution is learned. Here the learned part is the
role program of every verb frame type: for each argument slot of the frame, the role it fills (ROLES). One
CopyModule per frame type (K = its argument count, a categorical over the roles), sampled with the
straight-through Gumbel softmax and trained with CPG's length curriculum (cpg.curriculum_fit); the frozen
templates are a program that cogs.interpret executes.
"""

from __future__ import annotations

import torch
from torch import nn

from ..core.rng import rng
from . import cogs
from .cpg import CopyModule, FitLog, curriculum_fit


class RoleCPG(nn.Module):
    """One role module per verb frame type seen in training."""

    def __init__(self):
        super().__init__()
        self.modules_by_rule, self.frozen = nn.ModuleDict(), {}

    def add_sites(self, sites: list[tuple[str, int]]) -> None:
        for frame, n_args in sites:
            if frame not in self.modules_by_rule:
                self.modules_by_rule[frame] = CopyModule(len(cogs.ROLES) - 1, K=n_args)  # (n_args, |ROLES|)

    def templates(self, frame: str, tau: float, generator: torch.Generator) -> torch.Tensor:
        """(n_args, |ROLES|) one-hot roles: the frozen program's, or a straight-through sample."""
        if frame in self.frozen:
            ids = torch.tensor([cogs.ROLES.index(r) for r in self.frozen[frame]])
            return nn.functional.one_hot(ids, len(cogs.ROLES)).double()
        return self.modules_by_rule[frame].sample(tau, generator)

    def program(self) -> dict[str, tuple[str, ...]]:
        """frame type -> roles: the frozen templates, and the argmax of every type not frozen yet."""
        learned = {f: tuple(cogs.ROLES[j] for j in m.argmax()) for f, m in self.modules_by_rule.items()}
        return {**learned, **self.frozen}


def fit(model: RoleCPG, pairs: list[tuple[str, str]], lex: cogs.Lexicon, *, lr: float = 0.05, window: int = 30,
        max_iters: int = 20_000, seed: int = 0) -> FitLog:
    """Train on (sentence, LF) pairs with the length curriculum, stages of three words (as IBM's COGS stages
    (2,3), (4,6), ...). Loss: cross-entropy of each argument's sampled one-hot role, used as logits (as for SCAN),
    against the role its LF gives it."""
    data = []
    for sentence, lf in pairs:
        sites = cogs.role_sites(sentence, lex)
        model.add_sites(sites)
        gold = [torch.tensor([cogs.ROLES.index(r) for r in roles]) for roles in cogs.gold_roles(sentence, lf, lex)]
        data.append((sentence, lf, sites, gold))

    def sample_loss(item, tau, g):
        _, _, sites, gold = item
        T = [model.templates(frame, tau, g) for frame, _ in sites]
        loss = sum(nn.functional.cross_entropy(t, y) for t, y in zip(T, gold))
        return loss, all(bool((t.argmax(-1) == y).all()) for t, y in zip(T, gold))

    return curriculum_fit(
        model, data, length=lambda item: (len(item[0].split()) - 1) // 3, rules=lambda item: {f for f, _ in item[2]},
        sample_loss=sample_loss, solved=lambda item: exact(model.program(), item[0], item[1], lex),
        lr=lr, window=window, max_iters=max_iters, generator=rng(seed, "cogs-cpg", "fit"))


def exact(program: dict, sentence: str, lf: str, lex: cogs.Lexicon) -> bool:
    """Whether the program interprets the sentence to exactly its LF (a frame type it lacks: wrong)."""
    try:
        return cogs.interpret(sentence, lex, program) == lf
    except KeyError:
        return False


def fewshot(per_type: int, *, seed: int, pool: int = 2000) -> list[tuple[str, str]]:
    """A few-shot training set from the book's COGS-style generator: for each frame type, the `per_type` shortest
    in-distribution sentences that use it (from a seeded pool), among those whose nouns and names are distinct (so
    that each argument's role can be read off its LF)."""
    def distinct(sentence: str) -> bool:
        content = [w for w in sentence.split() if w in cogs.BOOK_LEXICON.nouns | cogs.BOOK_LEXICON.names]
        return len(set(content)) == len(content)

    candidates = sorted((p for p in cogs.sample("in_distribution", pool, seed=seed) if distinct(p[0])),
                        key=lambda p: (len(p[0].split()), p[0]))
    chosen: dict[str, tuple[str, str]] = {}
    for frame in cogs.GOLD_ROLES:
        using = [p for p in candidates if frame in {f for f, _ in cogs.role_sites(p[0], cogs.BOOK_LEXICON)}]
        chosen.update({p[0]: p for p in using[:per_type]})
    return list(chosen.values())
