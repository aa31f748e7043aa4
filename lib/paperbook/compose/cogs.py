"""A COGS-style language (Kim and Linzen 2020): a lark grammar of COGS's sentence frames and an interpretation
function that writes COGS's logical forms (LFs).

The grammar types every phrase by its frame (`transitive`, `double_object`, `passive_to_by`, ...); the words come
from a `Lexicon` (nouns, names, verb forms with their lemmas, the unaccusative verbs). The LF of a sentence:

    * cake ( x _ 3 ) ; give . agent ( x _ 1 , Emma ) AND give . theme ( x _ 1 , x _ 3 ) AND ...

a variable `x _ i` is word i (0-based); definite nouns come first as `* noun ( x _ i ) ;`, in order; every other
conjunct is sorted by the position of its head word, a verb's roles in the surface order of their arguments;
names are constants; an infinitive's agent is its controller (xcomp). `interpret` reproduces the official LFs of
all 30,012 non-primitive COGS train/dev/test lines (tests/compose/test_cogs.py, with a lexicon read off the
training file). The book's own lexicon (`BOOK_LEXICON`) and generator (`sample`) make the chapter's COGS-style data;
the official files are a test fixture only.
"""

from __future__ import annotations

import lzma
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np
from lark import Lark, Token, Tree

from ..core.rng import np_rng

DETERMINERS = ("a", "the", "A", "The")
PREPOSITIONS = ("on", "in", "beside")
ROLES = ("agent", "theme", "recipient", "xcomp", "ccomp")

# Each frame: the roles of its verb, in the order of its arguments (subject first). "intransitive" is agent or
# theme by the verb's class; an infinitive's own verb is interpreted as an intransitive.
FRAMES = {
    "intransitive": ("VERB",),
    "transitive": ("VERB", "np"),
    "double_object": ("VERB", "np", "np"),
    "pp_dative": ("VERB", "np", "TO", "np"),
    "infinitive": ("VERB", "TO", "VERB"),
    "complement": ("VERB", "THAT", "s"),
    "passive": ("WAS", "VERB"),
    "passive_by": ("WAS", "VERB", "BY", "np"),
    "passive_to": ("WAS", "VERB", "TO", "np"),
    "passive_to_by": ("WAS", "VERB", "TO", "np", "BY", "np"),
    "passive_do": ("WAS", "VERB", "np"),
    "passive_do_by": ("WAS", "VERB", "np", "BY", "np"),
}
ROLES_OF = {
    "transitive": ("agent", "theme"), "double_object": ("agent", "recipient", "theme"),
    "pp_dative": ("agent", "theme", "recipient"), "infinitive": ("agent", "xcomp"),
    "complement": ("agent", "ccomp"), "passive": ("theme",), "passive_by": ("theme", "agent"),
    "passive_to": ("theme", "recipient"), "passive_to_by": ("theme", "recipient", "agent"),
    "passive_do": ("recipient", "theme"), "passive_do_by": ("recipient", "theme", "agent"),
}


@dataclass(frozen=True)
class Lexicon:
    nouns: frozenset[str]           # common nouns; the LF predicate is the word, lowercased ("TV" -> tv)
    names: frozenset[str]           # proper names; LF constants
    verb_lemmas: tuple[tuple[str, str], ...]  # (verb form, lemma) for past, participle and infinitive forms
    unaccusative: frozenset[str]    # lemmas whose intransitive subject is a theme ("The cake froze")

    @cached_property
    def verbs(self) -> dict[str, str]:
        return dict(self.verb_lemmas)

    def __post_init__(self):
        clash = (self.nouns & set(self.verbs)) | (self.names & (self.nouns | set(self.verbs)))
        if clash:
            raise ValueError(f"words in two classes: {sorted(clash)[:5]}")


def _words(words: Iterable[str]) -> str:
    return " | ".join(f'"{w}"' for w in sorted(words, key=lambda w: (-len(w), w)))


def grammar(lex: Lexicon) -> str:
    """The lark grammar: a sentence, the frames of FRAMES as vp alternatives, and right-recursive PPs."""
    vp = "\n    | ".join(f"{' '.join(rhs)} -> {name}" for name, rhs in FRAMES.items())
    return f"""
start: s STOP
s: np vp
vp: {vp}
np: DET NOUN -> np_det
  | NAME -> np_name
  | DET NOUN pp -> np_pp
pp: PREP np
STOP: "."
TO: "to"
THAT: "that"
WAS: "was"
BY: "by"
DET: {_words(DETERMINERS)}
PREP: {_words(PREPOSITIONS)}
NOUN: {_words(lex.nouns)}
NAME: {_words(lex.names)}
VERB: {_words(lex.verbs)}
%ignore " "
"""


@cache
def _parser(lex: Lexicon) -> Lark:
    # LALR(1) with lark's contextual lexer: a word's class is read off the parser state (after a determiner only
    # a noun can follow), and lark refuses the grammar if it has a conflict, so every parse is the only one.
    return Lark(grammar(lex), parser="lalr", lexer="contextual", keep_all_tokens=True)


def parse(sentence: str, lex: Lexicon) -> Tree:
    """The parse of a sentence of single-space-separated words ending in " ."; ValueError on other strings."""
    words = sentence.split(" ")
    known = {*lex.nouns, *lex.names, *lex.verbs, *DETERMINERS, *PREPOSITIONS, "to", "that", "was", "by", "."}
    if words[-1:] != ["."] or not set(words) <= known:
        raise ValueError(f"not a COGS-style sentence of known words ending in ' .': {sentence!r}")
    return _parser(lex).parse(sentence)


def _index(tok: Token, sentence: str) -> int:
    return sentence.count(" ", 0, tok.start_pos)


class _Reader:
    """The interpretation function: conjuncts (head position, text) collected over the parse."""

    def __init__(self, sentence: str, lex: Lexicon):
        self.sentence, self.lex, self.definite, self.conjuncts, self.sites = sentence, lex, [], [], []

    def var(self, tok: Token) -> str:
        return f"x _ {_index(tok, self.sentence)}"

    def np(self, t: Tree) -> tuple[str, int]:
        """Collect an NP's conjuncts; return its term (variable or name) and its head position."""
        if t.data == "np_name":
            return str(t.children[0]), _index(t.children[0], self.sentence)
        det, noun = t.children[0], str(t.children[1]).lower()
        term, at = self.var(t.children[1]), _index(t.children[1], self.sentence)
        if det.lower() == "the":
            self.definite.append((at, f"* {noun} ( {term} ) ;"))
        else:
            self.conjuncts.append((at, f"{noun} ( {term} )"))
        if t.data == "np_pp":
            prep, obj = t.children[2].children
            obj_term, _ = self.np(obj)
            self.conjuncts.append((at, f"{noun} . nmod . {prep} ( {term} , {obj_term} )"))
        return term, at

    def s(self, t: Tree) -> str:
        """Collect a clause's conjuncts; return its event variable (its main verb's)."""
        subject, vp = t.children
        return self.vp(vp, self.np(subject)[0])

    def vp(self, t: Tree, subject: str) -> str:
        verbs = [c for c in t.children if isinstance(c, Token) and c.type == "VERB"]
        event, lemma = self.var(verbs[0]), self.lex.verbs[str(verbs[0])]
        args = [subject]
        for c in t.children:
            if isinstance(c, Tree):
                args.append(self.s(c) if c.data == "s" else self.np(c)[0])
        if t.data == "infinitive":
            args.append(self.var(verbs[1]))
        self.site(frame_type(t.data, lemma, self.lex), verbs[0], lemma, event, args)
        if t.data == "infinitive":  # the infinitive's own verb, an intransitive whose subject is the controller
            inner = self.lex.verbs[str(verbs[1])]
            self.site(frame_type("intransitive", inner, self.lex), verbs[1], inner, args[-1], [subject])
        return event

    def site(self, frame: str, verb: Token, lemma: str, event: str, args: list[str]) -> None:
        """A verb's role conjuncts, one per argument, their roles left to the program (render)."""
        self.sites.append((frame, event, tuple(args)))
        for j, arg in enumerate(args):
            self.conjuncts.append((_index(verb, self.sentence), (frame, j, lemma, event, arg)))


def frame_type(frame: str, lemma: str, lex: Lexicon) -> str:
    """The type of a verb's role program: its frame, and for an intransitive the verb's class."""
    if frame != "intransitive":
        return frame
    return f"intransitive/{'unaccusative' if lemma in lex.unaccusative else 'agentive'}"


# The gold role program: the roles of each frame type's arguments, in order (subject first).
GOLD_ROLES = {**ROLES_OF, "intransitive/unaccusative": ("theme",), "intransitive/agentive": ("agent",)}


def _read(sentence: str, lex: Lexicon) -> _Reader:
    reader = _Reader(sentence, lex)
    reader.s(parse(sentence, lex).children[0])
    return reader


def role_sites(sentence: str, lex: Lexicon) -> list[tuple[str, int]]:
    """(frame type, number of arguments) of every verb of the sentence, in the order they are read."""
    return [(frame, len(args)) for frame, _, args in _read(sentence, lex).sites]


def gold_roles(sentence: str, lf: str, lex: Lexicon) -> list[tuple[str, ...]]:
    """The roles a logical form gives each verb's arguments, site by site (role_sites' order); "none" for an
    argument it gives no role. An argument that fills two roles of one verb ("Emma saw Emma") is read in order."""
    roles_of: dict[tuple[str, str], list[str]] = {}
    for conjunct in re.split(r" AND | ; ", lf):
        if m := _ROLE.match(conjunct):
            arg = conjunct.rsplit(", ", 1)[1].removesuffix(" )")
            roles_of.setdefault((f"x _ {m.group(3)}", arg), []).append(m.group(2))

    def take(key) -> str:
        left = roles_of.get(key)
        return left.pop(0) if left else "none"

    return [tuple(take((event, arg)) for arg in args) for _, event, args in _read(sentence, lex).sites]


def interpret(sentence: str, lex: Lexicon, roles: dict[str, tuple[str, ...]] = GOLD_ROLES) -> str:
    """The COGS logical form of a sentence (see the module docstring), with the role program `roles`: frame
    type -> the role of each argument (KeyError for a type the program lacks)."""
    reader = _read(sentence, lex)
    prefix = [text for _, text in sorted(reader.definite)]
    body = []
    for _, c in sorted(reader.conjuncts, key=lambda c: c[0]):  # stable: a verb's roles stay in surface order
        if isinstance(c, tuple):
            frame, j, lemma, event, arg = c
            c = f"{lemma} . {roles[frame][j]} ( {event} , {arg} )"
        body.append(c)
    return " ".join([*prefix, " AND ".join(body)])


def frame_tree(sentence: str, lex: Lexicon) -> Tree:
    """The parse with its tokens dropped: the typed phrase structure (for display)."""
    def strip(t):
        return Tree(t.data, [strip(c) if isinstance(c, Tree) else str(c) for c in t.children
                             if isinstance(c, Tree) or c.type in {"NOUN", "NAME", "VERB"}])
    return strip(parse(sentence, lex))


def strip_lf(lf: str) -> str:
    """IBM/cpg's comparison form of an LF: without "x", "_", "AND" and ";", lowercased."""
    return " ".join(t for t in lf.lower().split() if t not in {"x", "_", "and", ";"})


# --- the official files (tests only: a reader's clone does not have them) ------------------------------------

@dataclass(frozen=True)
class CogsExample:
    sentence: str
    lf: str
    category: str


def load_tsv(path: str | Path) -> list[CogsExample]:
    """COGS's `sentence<TAB>lf<TAB>category` lines, from .tsv or .tsv.xz."""
    path = Path(path)
    text = lzma.open(path, "rt").read() if path.suffix == ".xz" else path.read_text()
    return [CogsExample(*line.split("\t")) for line in text.splitlines() if line]


_NOUN = re.compile(r"(\w+) \( x _ (\d+) \)")
_ROLE = re.compile(r"(\w+) \. (\w+) \( x _ (\d+) , ")


def lexicon_from(examples: Iterable[CogsExample]) -> Lexicon:
    """The lexicon implied by COGS lines: a noun is a word whose position is a one-place predicate; a verb form
    the word at an event's position (its lemma the predicate); a name a capitalised non-determiner; an
    unaccusative verb one whose active intransitive clause has a theme."""
    nouns, names, verbs, unacc = set(), set(), {}, set()
    for ex in examples:
        if ex.category == "primitive":
            continue
        words = ex.sentence.split(" ")
        capitalised = {w for w in words if w[0].isupper() and w not in DETERMINERS}
        roles_at: dict[int, set[str]] = {}
        for conjunct in re.split(r" AND | ; ", ex.lf):
            if m := _ROLE.match(conjunct.removeprefix("* ")):
                lemma, role, i = m.group(1), m.group(2), int(m.group(3))
                if role in ROLES:
                    verbs[words[i]] = lemma
                    roles_at.setdefault(i, set()).add(role)
            elif m := _NOUN.fullmatch(conjunct.removeprefix("* ").removesuffix(" ;")):
                nouns.add(words[int(m.group(2))])
        names |= capitalised - nouns
        unacc |= {verbs[words[i]] for i, r in roles_at.items() if r == {"theme"} and words[i - 1] != "was"}
    return Lexicon(frozenset(nouns), frozenset(names), tuple(sorted(verbs.items())), frozenset(unacc))


# --- the book's COGS-style data ---------------------------------------------------------------------------

# lemma -> (past, participle, frames). The infinitive is the lemma.
BOOK_VERBS = {
    "help": ("helped", "helped", ("transitive", "passive", "passive_by")),
    "see": ("saw", "seen", ("transitive", "passive", "passive_by")),
    "paint": ("painted", "painted", ("transitive", "intransitive", "passive", "passive_by")),
    "eat": ("ate", "eaten", ("transitive", "intransitive", "passive", "passive_by")),
    "freeze": ("froze", "frozen", ("transitive", "intransitive", "passive", "passive_by")),
    "roll": ("rolled", "rolled", ("transitive", "intransitive", "passive", "passive_by")),
    "smile": ("smiled", "smiled", ("intransitive",)),
    "sleep": ("slept", "slept", ("intransitive",)),
    "give": ("gave", "given", ("double_object", "pp_dative", "passive_to", "passive_to_by", "passive_do",
                               "passive_do_by")),
    "lend": ("lent", "lent", ("double_object", "pp_dative", "passive_to", "passive_to_by", "passive_do",
                              "passive_do_by")),
    "want": ("wanted", "wanted", ("infinitive",)),
    "hope": ("hoped", "hoped", ("infinitive", "complement")),
    "say": ("said", "said", ("complement",)),
    "know": ("knew", "known", ("complement", "transitive", "passive", "passive_by")),
}
BOOK_UNACCUSATIVE = frozenset({"freeze", "roll"})
BOOK_NOUNS = ("cat", "dog", "girl", "boy", "cake", "rose", "box", "table", "baby", "teacher", "cookie", "ball",
              "house", "bed", "garden", "lion")
BOOK_NAMES = ("Emma", "Liam", "Olivia", "Noah", "Ava", "Mason")
BOOK_LEXICON = Lexicon(
    frozenset(BOOK_NOUNS), frozenset(BOOK_NAMES),
    tuple(sorted({(form, lemma) for lemma, (past, part, _) in BOOK_VERBS.items() for form in (past, part, lemma)})),
    BOOK_UNACCUSATIVE)
# An infinitive's own verb: an intransitive with an agent (as in COGS's training data).
INFINITIVE_VERBS = tuple(v for v, (*_, frames) in BOOK_VERBS.items() if "intransitive" in frames
                         and v not in BOOK_UNACCUSATIVE)

# COGS's structural generalisation categories, and the recursion depths seen in training (Kim and Linzen 2020:
# PP and CP nesting up to 2 in training; the generalisation set nests deeper, and puts PPs on subjects).
STRUCTURAL = ("pp_recursion", "cp_recursion", "obj_pp_to_subj_pp")
CATEGORIES = ("in_distribution", *STRUCTURAL)
TRAIN_DEPTH = 2


class _Sampler:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def pick(self, items):
        return items[int(self.rng.integers(len(items)))]

    def np(self, pp_depth: int) -> str:
        if pp_depth == 0 and self.rng.random() < 0.4:
            return self.pick(BOOK_NAMES)
        head = f"{self.pick(('a', 'the'))} {self.pick(BOOK_NOUNS)}"
        return f"{head} {self.pick(PREPOSITIONS)} {self.np(pp_depth - 1)}" if pp_depth else head

    def clause(self, *, pp_depth: int, cp_depth: int, subject_pp: int = 0) -> str:
        """A clause whose object NPs nest `pp_depth` PPs (when its frame has objects) and whose complement
        nests `cp_depth` further clauses."""
        frame = "complement" if cp_depth else self.pick([f for f in FRAMES if f != "complement"])
        lemma = self.pick([v for v, (*_, fs) in BOOK_VERBS.items() if frame in fs])
        past, part, _ = BOOK_VERBS[lemma]
        obj = lambda: self.np(pp_depth)  # noqa: E731 -- a fresh NP each time
        words = {
            "intransitive": lambda: [past], "transitive": lambda: [past, obj()],
            "double_object": lambda: [past, self.np(0), obj()], "pp_dative": lambda: [past, obj(), "to", self.np(0)],
            "infinitive": lambda: [past, "to", self.pick(INFINITIVE_VERBS)],
            "complement": lambda: [past, "that", self.clause(pp_depth=pp_depth, cp_depth=cp_depth - 1)],
            "passive": lambda: ["was", part], "passive_by": lambda: ["was", part, "by", obj()],
            "passive_to": lambda: ["was", part, "to", obj()],
            "passive_to_by": lambda: ["was", part, "to", self.np(0), "by", obj()],
            "passive_do": lambda: ["was", part, obj()],
            "passive_do_by": lambda: ["was", part, self.np(0), "by", obj()],
        }[frame]()
        return " ".join([self.np(subject_pp), *words])


def sample(category: str, n: int, *, seed: int, max_depth: int = 4) -> list[tuple[str, str]]:
    """n distinct (sentence, LF) pairs of a category, from the book's lexicon. in_distribution: PP and CP
    nesting 0..TRAIN_DEPTH, PPs on objects only; pp_recursion / cp_recursion: nesting TRAIN_DEPTH+1..max_depth;
    obj_pp_to_subj_pp: a PP on the subject."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}, not {category!r}")
    if max_depth <= TRAIN_DEPTH:
        raise ValueError(f"max_depth must exceed the training depth {TRAIN_DEPTH}, got {max_depth}")
    s, out = _Sampler(np_rng(seed, "cogs-style", category)), {}
    deep = lambda: int(s.rng.integers(TRAIN_DEPTH + 1, max_depth + 1))  # noqa: E731
    shallow = lambda: int(s.rng.integers(0, TRAIN_DEPTH + 1))  # noqa: E731
    for _ in range(200 * n):
        if len(out) == n:
            break
        kw = {"in_distribution": lambda: dict(pp_depth=shallow(), cp_depth=int(s.rng.random() < 0.2) * shallow()),
              "pp_recursion": lambda: dict(pp_depth=deep(), cp_depth=0),
              "cp_recursion": lambda: dict(pp_depth=0, cp_depth=deep()),
              "obj_pp_to_subj_pp": lambda: dict(pp_depth=0, cp_depth=0, subject_pp=1)}[category]()
        clause = s.clause(**kw)
        sentence = f"{clause[0].upper()}{clause[1:]} ."
        if category == "pp_recursion" and sentence.count(" on ") + sentence.count(" in ") + sentence.count(
                " beside ") <= TRAIN_DEPTH:
            continue  # the frame had no object to nest in
        out.setdefault(sentence, interpret(sentence, BOOK_LEXICON))
    if len(out) < n:
        raise ValueError(f"only {len(out)} distinct {category} sentences; ask for fewer")
    return list(out.items())
