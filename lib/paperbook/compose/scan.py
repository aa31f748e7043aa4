"""SCAN's command grammar (Lake and Baroni 2018, the phrase-structure grammar of their Fig. 6), parsed with lark.

    C -> S and S | S after S | S          V -> D[1] opposite D[2] | D[1] around D[2] | D | U
    S -> V twice | V thrice | V           D -> U left | U right | turn left | turn right
    U -> walk | look | run | jump

D[1] and D[2] are the two halves of a D (U or "turn", then a direction), so "walk opposite left" and "turn around
right" are V's. The grammar generates exactly 20,910 commands. Every rule application is a parse node, and every
token is kept, so a node's arity is its rule's right-hand side length (at most 3).
"""

from __future__ import annotations

from functools import cache
from itertools import product

from lark import Lark, Tree

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
