"""SCAN's command grammar (Lake and Baroni 2018, the phrase-structure grammar of their Fig. 6), parsed with lark.

    C -> S and S | S after S | S          V -> D[1] opposite D[2] | D[1] around D[2] | D | U
    S -> V twice | V thrice | V           D -> U left | U right | turn left | turn right
    U -> walk | look | run | jump

D[1] and D[2] are the two halves of a D (U or "turn", then a direction), so "walk opposite left" and "turn around
right" are V's. The grammar generates exactly 20,910 commands. Every rule application is a parse node, and every
token is kept, so a node's arity is its rule's right-hand side length (at most 3).
"""

from __future__ import annotations

import hashlib
from functools import cache
from itertools import product

from lark import Lark, Tree

from ..core.rng import np_rng

GRAMMAR = r"""
c: s AND s | s AFTER s | s
s: v TWICE | v THRICE | v
v: u OPPOSITE DIRECTION | TURN OPPOSITE DIRECTION | u AROUND DIRECTION | TURN AROUND DIRECTION | d | u
d: u DIRECTION | TURN DIRECTION
u: ACTION

AND: "and"
AFTER: "after"
TWICE: "twice"
THRICE: "thrice"
OPPOSITE: "opposite"
AROUND: "around"
TURN: "turn"
DIRECTION: "left" | "right"
ACTION: "walk" | "look" | "run" | "jump"
%ignore " "
"""

ACTIONS, DIRECTIONS = ("walk", "look", "run", "jump"), ("left", "right")
@cache
def parser() -> Lark:
    """An LALR(1) parser (lark refuses a grammar with LALR conflicts, so the grammar is unambiguous)."""
    return Lark(GRAMMAR, start="c", parser="lalr", keep_all_tokens=True)


VOCABULARY = frozenset(
    {*ACTIONS, *DIRECTIONS, "turn", "opposite", "around", "twice", "thrice", "and", "after"})


def parse(command: str) -> Tree:
    """The parse of a command: words of SCAN's vocabulary separated by single spaces (lark's lexer alone would
    also split "walkleft"); raises ValueError on other strings, lark's UnexpectedInput on a non-sentence."""
    words = command.split(" ")
    if not set(words) <= VOCABULARY:
        raise ValueError(f"not a sequence of SCAN words separated by single spaces: {command!r}")
    return parser().parse(command)


def _vs() -> list[str]:
    heads = [*ACTIONS, "turn"]
    ds = [f"{x} {d}" for x, d in product(heads, DIRECTIONS)]
    return [*ACTIONS, *ds, *(f"{x} {how} {d}" for how in ("opposite", "around") for x, d in product(heads, DIRECTIONS))]


def commands() -> list[str]:
    """Every SCAN command (20,910), enumerated from the grammar's rules."""
    ss = [f"{v}{suffix}" for v in _vs() for suffix in ("", " twice", " thrice")]
    return [*ss, *(f"{a} {conj} {b}" for conj in ("and", "after") for a, b in product(ss, ss))]


# The interpretation function (Lake and Baroni 2018, Fig. 7): a command's action sequence.
ACTION_OF = {"walk": "I_WALK", "look": "I_LOOK", "run": "I_RUN", "jump": "I_JUMP"}
TURN_OF = {"left": "I_TURN_LEFT", "right": "I_TURN_RIGHT"}
REPEAT = {"twice": 2, "thrice": 3}


def _meaning(node) -> list[str]:
    """[[node]] by structural recursion over the parse: its rule, its words and its sub-phrases' meanings."""
    sub = [_meaning(c) for c in node.children if hasattr(c, "children")]  # nonterminal children, in order
    words = [str(c) for c in node.children if not hasattr(c, "children")]
    x = sub[0] if sub else []  # "turn" has no action of its own
    if node.data == "u":
        return [ACTION_OF[words[0]]]
    if node.data == "d":
        return [TURN_OF[words[-1]], *x]
    if node.data == "v" and words:
        turn = TURN_OF[words[-1]]
        return [turn, turn, *x] if "opposite" in words else [turn, *x] * 4
    if node.data == "s":
        return x * REPEAT.get(words[0], 1) if words else x
    if node.data == "c" and words == ["after"]:
        return [*sub[1], *sub[0]]
    return [action for meaning in sub for action in meaning]  # v -> d | u; c -> s | s and s


def interpret(command: str) -> list[str]:
    """The action sequence of a command: [[x left]] = LTURN [[x]], [[x opposite left]] = LTURN LTURN [[x]],
    [[x around left]] = (LTURN [[x]]) x 4, [[x twice]] = [[x]] [[x]], [[a and b]] = [[a]] [[b]],
    [[a after b]] = [[b]] [[a]] (right likewise; "turn" contributes no action of its own)."""
    return _meaning(parse(command))


def line(command: str) -> str:
    """The official file format: `IN: <command> OUT: <actions>`."""
    return f"IN: {command} OUT: {' '.join(interpret(command))}"


def unline(text: str) -> tuple[str, list[str]]:
    """(command, actions) of an `IN: <command> OUT: <actions>` line."""
    command, actions = text.removeprefix("IN: ").split(" OUT: ")
    return command, actions.split()


@cache
def _all_lines() -> dict[str, str]:
    """command -> its line, for every command (parsed once per process)."""
    return {c: line(c) for c in commands()}


def fingerprint(lines) -> str:
    """sha256 of the sorted unique lines joined by newlines, with a final newline (tests pin the official
    splits' fingerprints)."""
    return hashlib.sha256(("\n".join(sorted(set(lines))) + "\n").encode()).hexdigest()


def _has(command: str, phrase: str) -> bool:
    return f" {phrase} " in f" {command} "


# How often the official add-primitive training files repeat the primitive (so that it is seen often enough).
PRIMITIVE_REPEATS = {"jump": 1467, "turn left": 2189}
SIMPLE_TRAIN = 16728  # the official simple split's training size (its membership is random: not regenerable)
SPLITS = ("simple", "addprim_jump", "addprim_turn_left", "length", "around_right", "opposite_right")


def split(name: str, *, seed: int = 0) -> tuple[list[str], list[str]]:
    """(train, test) lines of a SCAN split, as the official files hold them (the repeated primitive included):
    addprim_jump / addprim_turn_left: the primitive alone (repeated) and every command without it in training,
    every other command with it in test; length: outputs of <= 22 actions in training, >= 24 in test (none has 23);
    around_right / opposite_right (Loula et al. 2018): training has no "around right" ("opposite right"), test
    has "<action> around right" but no "turn around right"; simple: a seeded random 80/20 split."""
    cmds, lines = commands(), _all_lines()
    if name in ("addprim_jump", "addprim_turn_left"):
        prim = "jump" if name == "addprim_jump" else "turn left"
        train = [c for c in cmds if not _has(c, prim)] + [prim] * PRIMITIVE_REPEATS[prim]
        test = [c for c in cmds if _has(c, prim) and c != prim]
    elif name == "length":
        size = {c: len(lines[c].split(" OUT: ")[1].split()) for c in cmds}
        train, test = [c for c in cmds if size[c] <= 22], [c for c in cmds if size[c] >= 24]
    elif name in ("around_right", "opposite_right"):
        how = name.removesuffix("_right")
        train = [c for c in cmds if not _has(c, f"{how} right")]
        test = [c for c in cmds if any(_has(c, f"{a} {how} right") for a in ACTIONS)
                and not _has(c, f"turn {how} right")]
    elif name == "simple":
        order = np_rng(seed, "scan-simple").permutation(len(cmds))
        train, test = [cmds[i] for i in order[:SIMPLE_TRAIN]], [cmds[i] for i in order[SIMPLE_TRAIN:]]
    else:
        raise ValueError(f"split must be one of {SPLITS}, got {name!r}")
    return [lines[c] for c in train], [lines[c] for c in test]


# (train lines, train fingerprint, test lines, test fingerprint) of the official SCAN files
# (github.com/brendenlake/SCAN; fingerprint: sorted unique lines), from the chapter spec. opposite_right and simple
# are not pinned: no official file was read for the first, and the second's membership is random.
OFFICIAL = {
    "addprim_jump": (14670, "ae3363dd3a3805b969124fd6e89311a8842df448c46c8bea383fd09886b0837c",
                 7706, "522454c6280eab957dfc4ea9579ef1d780a716ac34df09619970e1d98822d7e2"),
    "addprim_turn_left": (21890, "f5a78e04a9c4e99fdae675201ec6fbcd240861bdd5e9fc3e44053664206a51e3",
                      1208, "14dd6316d16204d2871678ee4bd35aba253416a9b4df36bb6dfdda153d46e549"),
    "length": (16990, "7ffb97f45029871c94bede7e723f7a4aa179eb99fe2b977a18283310422c719d",
               3920, "3297fd0b676c391f7bc3a7385aa66a7fdf64f6f8e81ad584810c1d4ebd0eaa2c"),
    "around_right": (15225, "f2b91818e1216d5c95bf050c8d328ade7f773664fdc87e67d07f945e2134ebdc",
                     4476, "8e1297eb61d98ff61ef480e9d4641d1d8596fe21c20131a57411a3fbdfd653a9"),
}
OFFICIAL_ALL = "6be4b39bc8bf3a20be810b6991250d0493e608560609db6765dd679e1ed1c98e"  # every command, tasks.txt
