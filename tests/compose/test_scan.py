"""SCAN's grammar: the command count, parser coverage and unambiguity, and the parse cDAG's complexity."""

import hashlib

import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from paperbook.compose import cdag as C
from paperbook.compose import scan


def test_the_grammar_generates_exactly_the_official_20910_commands():
    commands = scan.commands()
    assert len(commands) == len(set(commands)) == 20910
    # sha256 of the sorted list: pinned here so that chapter 04 can compare its splits against the same set
    digest = hashlib.sha256("\n".join(sorted(commands)).encode()).hexdigest()
    assert digest == DIGEST
    assert max(len(c.split()) for c in commands) == 9


def test_every_command_parses_once_and_non_commands_do_not():
    earley = Lark(scan.GRAMMAR, start="c", parser="earley", ambiguity="explicit", keep_all_tokens=True)
    for command in scan.commands()[::97]:
        tree = earley.parse(command)
        assert not list(tree.find_data("_ambig")), command
        assert tree == scan.parse(command)
    for bad in ["walk and", "twice walk", "turn", "walk opposite", "jump left and run around twice"]:
        with pytest.raises(UnexpectedInput):
            scan.parse(bad)
    for glued in ["walkleft twice", "walk  left", "walk left.", "fly"]:
        with pytest.raises(ValueError, match="SCAN words"):
            scan.parse(glued)


def test_parse_trees_follow_the_rules():
    tree = scan.parse("jump around left twice after walk")
    assert tree.data == "c" and [t.data for t in tree.children[::2]] == ["s", "s"]
    assert "".join(tree.scan_values(lambda t: True)) == "jumparoundlefttwiceafterwalk"


def test_parse_cdags_have_arity_at_most_3_and_one_path_per_token():
    d = C.parse_cdag(scan.parse("walk opposite left twice and look"))
    assert d.L == 6 and C.max_arity(d) == 3 and set(C.path_counts(d).values()) == {1}
    assert C.depth(C.parse_cdag(scan.parse("walk left"))) == 5  # u, d, v, s, c
    assert C.depth(C.parse_cdag(scan.parse("jump"))) == 4  # u, v, s, c


DIGEST = "05ac20c5d4e1d9235be18930ea05c37a800cd8e0d9b71da1cdcd6e88757c32bf"


@pytest.mark.parametrize("command, actions", [
    ("jump", "I_JUMP"), ("turn left", "I_TURN_LEFT"), ("walk right", "I_TURN_RIGHT I_WALK"),
    ("look opposite left", "I_TURN_LEFT I_TURN_LEFT I_LOOK"), ("turn opposite right", "I_TURN_RIGHT I_TURN_RIGHT"),
    ("run around left", "I_TURN_LEFT I_RUN I_TURN_LEFT I_RUN I_TURN_LEFT I_RUN I_TURN_LEFT I_RUN"),
    ("turn around right", "I_TURN_RIGHT I_TURN_RIGHT I_TURN_RIGHT I_TURN_RIGHT"),
    ("jump twice after walk left", "I_TURN_LEFT I_WALK I_JUMP I_JUMP"),
    ("look thrice and turn right", "I_LOOK I_LOOK I_LOOK I_TURN_RIGHT"),
])
def test_interpretation_of_hand_checked_commands(command, actions):
    assert scan.interpret(command) == actions.split()
    assert scan.line(command) == f"IN: {command} OUT: {actions}"


def test_every_command_with_its_actions_is_the_official_task_file():
    lines = [scan.line(c) for c in scan.commands()]
    assert scan.fingerprint(lines) == scan.OFFICIAL_ALL == (
        "6be4b39bc8bf3a20be810b6991250d0493e608560609db6765dd679e1ed1c98e")
    lengths = {len(line.split(" OUT: ")[1].split()) for line in lines}
    assert max(lengths) == 48 and 23 not in lengths


@pytest.mark.parametrize("name", scan.OFFICIAL)
def test_splits_equal_the_official_files_as_sets(name):
    train, test = scan.split(name)
    assert (len(train), scan.fingerprint(train), len(test), scan.fingerprint(test)) == scan.OFFICIAL[name]
    assert not set(train) & set(test)


def test_opposite_right_and_simple_have_the_official_sizes():
    train, test = scan.split("opposite_right")
    assert (len(train), len(test)) == (15225, 4476) and not any("opposite right" in t for t in train)
    a, b = scan.split("simple", seed=0), scan.split("simple", seed=0)
    assert a == b and (len(a[0]), len(a[1])) == (16728, 4182) and not set(a[0]) & set(a[1])
    assert scan.split("simple", seed=1)[0] != a[0]
    with pytest.raises(ValueError, match="split must be one of"):
        scan.split("jump_around_right")
