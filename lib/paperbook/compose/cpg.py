"""The Compositional Program Generator (Klinger et al. 2023) on SCAN: a parse, one learned copy module per grammar
rule, and the program they compose.

A command's parse is reduced to its *composite* rule applications (RuleNode); pass-through rules (v -> d, s -> v,
...) disappear and a word keeps its lexical meaning (a dictionary: walk -> I_WALK, left -> I_TURN_LEFT, every other
word -> nothing). Each composite rule r of arity s has a copy template: K slots, each a categorical over
{nothing, child 1, ..., child s} with logits theta_r (K, s + 1) (eq-04-template). A node's meaning is the
concatenation of its slots' choices (eq-04-copy). Training samples hard templates with a straight-through Gumbel
softmax and follows a curriculum over command lengths, freezing every rule once a stage is solved; the frozen
templates are a symbolic program (`execute`), which is how CPG is evaluated.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from ..core.rng import rng
from .scan import ACTION_OF, TURN_OF, interpret, parse

LEXICON = {**{w: [a] for w, a in ACTION_OF.items()}, **{w: [t] for w, t in TURN_OF.items()}}  # others: nothing
PAD = "<pad>"
VOCAB = (*ACTION_OF.values(), *TURN_OF.values(), PAD)
MAX_LEN = 48  # SCAN's longest output


@dataclass(frozen=True)
class RuleNode:
    rule: str                   # the composite rule, e.g. "v: u AROUND DIRECTION"
    children: tuple             # RuleNode or word (str), in the rule's order


def rule_tree(tree):
    """The composite rules of a lark parse (scan.parse): a node with one child passes it through; u -> ACTION
    is the word itself."""
    kids = [rule_tree(c) if hasattr(c, "children") else str(c) for c in tree.children]
    if len(kids) == 1:
        return kids[0]
    symbols = " ".join(c.data if hasattr(c, "children") else c.type for c in tree.children)
    return RuleNode(f"{tree.data}: {symbols}", tuple(kids))


def execute(program: dict[str, tuple[int, ...]], node) -> list[str]:
    """The meaning of a RuleNode (or word) under a program: rule -> template of child indices (0 = nothing)."""
    if isinstance(node, str):
        return list(LEXICON.get(node, []))
    parts = [[]] + [execute(program, c) for c in node.children]
    return [a for j in program[node.rule] for a in parts[j]]


def canonical(template: tuple[int, ...], children) -> tuple[int, ...]:
    """The template without its empty choices: slots choosing nothing or a word that means nothing (what the
    output depends on)."""
    silent = {j + 1 for j, c in enumerate(children) if isinstance(c, str) and not LEXICON.get(c)}
    return tuple(j for j in template if j and j not in silent)


# CPG's few-shot training sets (the command lists of github.com/IBM/cpg, Apache-2.0; their outputs come from our
# interpretation function). aroundright14 is the book's variant of addjump14 with no "around right" command.
ADDJUMP14 = ("jump", "run", "walk", "look", "look twice", "run left", "turn right", "run thrice", "look after run",
             "look opposite right", "walk and run", "turn opposite left", "turn around right", "walk around right")
FEWSHOT = {
    "addjump14": ADDJUMP14,
    "length14": ("walk", "jump", "look", "run", "turn right", "walk right", "jump twice", "run thrice",
                 "walk after run", "turn opposite left", "run and walk", "walk opposite left", "turn around right",
                 "run around left"),
    "aroundright14": tuple(c.replace("around right", "around left") for c in ADDJUMP14),
}

# The gold program (the chapter's reference; templates over the rule's right-hand side, 1-based).
GOLD = {"d: u DIRECTION": (2, 1), "d: TURN DIRECTION": (2,), "v: u OPPOSITE DIRECTION": (3, 3, 1),
        "v: TURN OPPOSITE DIRECTION": (3, 3), "v: u AROUND DIRECTION": (3, 1) * 4,
        "v: TURN AROUND DIRECTION": (3,) * 4, "s: v TWICE": (1, 1), "s: v THRICE": (1, 1, 1),
        "c: s AND s": (1, 3), "c: s AFTER s": (3, 1)}


def _one_hot(actions: list[str]) -> torch.Tensor:
    """(MAX_LEN, V) one-hot rows of the actions, padded with PAD rows (an empty meaning is all PAD)."""
    ids = [VOCAB.index(a) for a in actions[:MAX_LEN]] + [VOCAB.index(PAD)] * (MAX_LEN - min(len(actions), MAX_LEN))
    return nn.functional.one_hot(torch.tensor(ids), len(VOCAB)).double()


def _trim(m: torch.Tensor) -> torch.Tensor:
    """The rows of a meaning matrix before its first PAD row (by argmax)."""
    pad = (m.argmax(-1) == VOCAB.index(PAD)).nonzero()
    return m[: int(pad[0]) if len(pad) else len(m)]


class CopyModule(nn.Module):
    """A rule's template: K slots, each a categorical over {nothing, child 1..s}; logits theta (K, s + 1), zero
    init (eq-04-template)."""

    def __init__(self, arity: int, K: int = 8):
        super().__init__()
        self.theta = nn.Parameter(torch.zeros(K, arity + 1, dtype=torch.float64))

    def sample(self, tau: float, generator: torch.Generator) -> torch.Tensor:
        """(K, s + 1) hard one-hot rows, with the straight-through gradient of the Gumbel softmax at tau (the
        hard choice argmax(logits + g) does not depend on tau; tau scales the gradient)."""
        logits = torch.log_softmax(self.theta, -1)
        u = torch.rand(self.theta.shape, generator=generator, dtype=torch.float64).clamp(1e-12, 1 - 1e-12)
        noisy = logits - torch.log(-torch.log(u))
        soft = torch.softmax(noisy / tau, -1)
        hard = nn.functional.one_hot(noisy.argmax(-1), soft.shape[-1]).double()
        return hard - soft.detach() + soft

    def argmax(self) -> tuple[int, ...]:
        return tuple(int(j) for j in self.theta.argmax(-1))


@dataclass
class FitLog:
    iterations: int = 0
    stages: list = field(default_factory=list)  # (stage length, iterations when solved)


class CPG(nn.Module):
    """One CopyModule per composite rule seen in training; meanings composed bottom-up (eq-04-copy)."""

    def __init__(self, K: int = 8):
        super().__init__()
        self.K, self.modules_by_rule, self.frozen = K, nn.ModuleDict(), {}

    def add_rules(self, node) -> None:
        """Create the CopyModule of every composite rule in a RuleNode (before the optimiser is built)."""
        if isinstance(node, RuleNode):
            if node.rule not in self.modules_by_rule:
                self.modules_by_rule[node.rule] = CopyModule(len(node.children), self.K)
            for child in node.children:
                self.add_rules(child)

    def forward(self, node, tau: float, generator: torch.Generator) -> torch.Tensor:
        """(MAX_LEN, V) meaning of a node: the concatenation of each slot's trimmed choice, padded. Frozen rules
        use their template; the others a straight-through sample."""
        if isinstance(node, str):
            return _one_hot(LEXICON.get(node, []))
        choices = torch.stack([_one_hot([])] + [self(c, tau, generator) for c in node.children])  # (s+1, M, V)
        if node.rule in self.frozen:
            T = nn.functional.one_hot(torch.tensor(self.frozen[node.rule]), len(choices)).double()
        else:
            T = self.modules_by_rule[node.rule].sample(tau, generator)  # (K, s+1)
        slots = torch.einsum("kj,jmv->kmv", T, choices)  # (K, M, V)
        out = torch.cat([_trim(slot) for slot in slots])[:MAX_LEN]
        pad = _one_hot([])[: MAX_LEN - len(out)]
        return torch.cat([out, pad])

    def program(self) -> dict[str, tuple[int, ...]]:
        """The frozen templates, and the argmax of every rule not frozen yet."""
        return {**{rule: m.argmax() for rule, m in self.modules_by_rule.items()}, **self.frozen}


def _rules(node) -> set[str]:
    return set() if isinstance(node, str) else {node.rule}.union(*(_rules(c) for c in node.children))


def decode(meaning: torch.Tensor) -> list[str]:
    """The actions of a (MAX_LEN, V) meaning: its argmax rows before the first PAD."""
    return [VOCAB[int(i)] for i in _trim(meaning).argmax(-1)]


def fit(model: CPG, commands: list[str], *, lr: float = 0.05, window: int = 30, max_iters: int = 20_000,
        seed: int = 0) -> FitLog:
    """Train on the commands (their targets from the interpretation function) with the length curriculum
    (`curriculum_fit`), a stage per word count.

    Loss: cross-entropy with the meaning's rows (one-hot in the forward pass) used as logits, as the official code
    does. The log of clamped probabilities would give no gradient towards PAD rows (clamp's gradient is 0 there)."""
    data = [(rule_tree(parse(c)), interpret(c), len(c.split())) for c in commands]
    for tree, _, _ in data:
        model.add_rules(tree)

    def sample_loss(item, tau, g):
        tree, actions, _ = item
        meaning = model(tree, tau, g)
        loss = nn.functional.cross_entropy(meaning, _one_hot(actions).argmax(-1))
        return loss, decode(meaning) == actions

    return curriculum_fit(model, data, length=lambda item: item[2], rules=lambda item: _rules(item[0]),
                          sample_loss=sample_loss, solved=lambda item: execute(model.program(), item[0]) == item[1],
                          lr=lr, window=window, max_iters=max_iters, generator=rng(seed, "cpg", "fit"))


def curriculum_fit(model: nn.Module, data: list, *, length: Callable, rules: Callable, sample_loss: Callable,
                   solved: Callable, lr: float, window: int, max_iters: int, generator: torch.Generator) -> FitLog:
    """CPG's training loop (Klinger et al. 2023): stages of increasing `length(item)`; one sampled item per Adam
    step, `sample_loss(item, tau, generator) -> (loss, correct)`, with the Gumbel temperature
    tau = max(10 - 10 * recent accuracy, 0.5). A stage ends when the last `window` samples were correct (or all
    its rules are frozen already) and `solved(item)` holds for every item of the stage under the argmax program;
    then every rule seen so far (`rules(item)`) is frozen: `model.frozen` takes its `model.program()` template.
    The model has `.frozen` (rule -> template) and `.program()`."""
    log = FitLog()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for stage_length in sorted({length(item) for item in data}):
        stage = [item for item in data if length(item) == stage_length]
        stage_rules, recent = set().union(*map(rules, stage)), deque(maxlen=window)

        def done() -> bool:
            learnt = stage_rules <= set(model.frozen) or (len(recent) == window and all(recent))
            return learnt and all(solved(item) for item in stage)

        while not done():
            if log.iterations >= max_iters:
                return log
            item = stage[int(torch.randint(len(stage), (1,), generator=generator))]
            tau = max(10 - 10 * (sum(recent) / len(recent) if recent else 0.0), 0.5)
            loss, correct = sample_loss(item, tau, generator)
            recent.append(correct)
            if loss.requires_grad:  # not when every rule of the item is frozen already
                opt.zero_grad()
                loss.backward()
                opt.step()
            log.iterations += 1
        new = {r: model.program()[r] for r in sorted(stage_rules) if r not in model.frozen}
        model.frozen.update(new)  # in the order the rules were frozen
        log.stages.append((stage_length, log.iterations))
    return log
