"""CPG on SCAN: the gold program, the composed forward pass, the curriculum fit and freezing."""

import itertools

import torch

from paperbook.compose import cpg, scan
from paperbook.core.rng import rng


def test_the_gold_program_interprets_every_command():
    for command in scan.commands():
        assert cpg.execute(cpg.GOLD, cpg.rule_tree(scan.parse(command))) == scan.interpret(command), command


def test_rule_trees_keep_only_composite_rules():
    tree = cpg.rule_tree(scan.parse("walk around right twice after turn left"))
    assert tree.rule == "c: s AFTER s" and tree.children[1] == "after"
    assert tree.children[0].rule == "s: v TWICE" and tree.children[0].children[0].rule == "v: u AROUND DIRECTION"
    assert cpg.rule_tree(scan.parse("jump")) == "jump"
    assert set(cpg.GOLD) == {cpg.rule_tree(scan.parse(c)).rule for c in
                             ["walk left", "turn left", "walk opposite left", "turn opposite left",
                              "walk around left", "turn around left", "walk twice", "walk thrice",
                              "walk and run", "walk after run"]}


def test_forward_with_frozen_templates_equals_the_program():
    model = cpg.CPG()
    model.frozen.update(cpg.GOLD)
    for command in scan.commands()[::401]:
        tree = cpg.rule_tree(scan.parse(command))
        assert cpg.decode(model(tree, 1.0, rng(0, "t"))) == scan.interpret(command)


def test_an_empty_choice_is_all_pad_and_gets_a_gradient():
    """Two slots that both copy 'look' give one action too many: the extra row's target is PAD, so the gradient
    raises the second slot's empty choice (an all-PAD matrix, not zeros)."""
    empty = cpg._one_hot([])
    assert (empty.argmax(-1) == cpg.VOCAB.index(cpg.PAD)).all()
    model = cpg.CPG(K=2)
    tree = cpg.rule_tree(scan.parse("look twice"))
    model.add_rules(tree)
    theta = model.modules_by_rule["s: v TWICE"].theta
    with torch.no_grad():
        theta[:, 1] = 6.0  # both slots copy child 1 ("look"), almost surely
    out = model(tree, 1.0, rng(0, "g"))
    assert cpg.decode(out) == ["I_LOOK", "I_LOOK"]
    torch.nn.functional.cross_entropy(out, cpg._one_hot(["I_LOOK"]).argmax(-1)).backward()
    assert theta.grad[1, 0] < 0 and theta.grad[1, 1] > 0  # descent moves slot 2 towards nothing


def test_a_tiny_fit_converges_and_freezes_what_it_learned():
    model = cpg.CPG()
    log = cpg.fit(model, ["look", "look twice", "run left"], seed=0)
    assert log.iterations < 2000 and [s for s, _ in log.stages] == [1, 2]
    assert {r: cpg.canonical(t, cpg.rule_tree(scan.parse(c)).children) for (r, t), c in
            zip(sorted(model.frozen.items()), ["run left", "look twice"])} == {
        "d: u DIRECTION": (2, 1), "s: v TWICE": (1, 1)}
    frozen = dict(model.frozen)
    cpg.fit(model, ["walk and run", "run left"], seed=1)  # a later stage must not move the frozen rules
    assert {r: model.frozen[r] for r in frozen} == frozen and "c: s AND s" in model.frozen


def test_fits_are_reproducible_per_seed():
    a, b = cpg.CPG(), cpg.CPG()
    assert cpg.fit(a, ["look twice", "run thrice"], seed=3).iterations == cpg.fit(
        b, ["look twice", "run thrice"], seed=3).iterations
    assert a.program() == b.program()


def test_seven_slots_cannot_express_around():
    """x around left needs eight actions; each slot copies at most one (a word's meaning), so no 7-slot
    template of 'v: u AROUND DIRECTION' is right (negative control for K >= 8)."""
    tree = cpg.rule_tree(scan.parse("walk around left"))
    target = scan.interpret("walk around left")
    assert not any(cpg.execute({tree.rule: t}, tree) == target for t in itertools.product(range(4), repeat=7))
    assert cpg.execute({tree.rule: cpg.GOLD[tree.rule]}, tree) == target


def test_the_few_shot_sets_hold_every_rule_and_aroundright14_no_around_right():
    for name, commands in cpg.FEWSHOT.items():
        assert len(commands) == len(set(commands)) == 14
        rules = set().union(*(cpg._rules(cpg.rule_tree(scan.parse(c))) for c in commands))
        assert rules == set(cpg.GOLD), name
    assert not any("around right" in c for c in cpg.FEWSHOT["aroundright14"])


def test_forward_with_random_frozen_templates_equals_their_symbolic_execution():
    """The torch path (eq-04-copy with one-hot templates) and `execute` agree on random programs, not only on
    the gold one: slots copying nothing, a child twice, children out of order."""
    gen = torch.Generator().manual_seed(0)
    arity = {rule: len(cpg.rule_tree(scan.parse(c)).children) for rule, c in zip(
        cpg.GOLD, ["walk left", "turn left", "walk opposite left", "turn opposite left", "walk around left",
                   "turn around left", "walk twice", "walk thrice", "walk and run", "walk after run"])}
    checked = 0
    for trial in range(5):
        program = {rule: tuple(int(j) if float(torch.rand(1, generator=gen)) < 0.35 else 0
                               for j in torch.randint(1, s + 1, (8,), generator=gen)) for rule, s in arity.items()}
        model = cpg.CPG()
        model.frozen.update(program)
        for command in scan.commands()[trial::997]:
            tree = cpg.rule_tree(scan.parse(command))
            expected = cpg.execute(program, tree)
            if len(expected) <= cpg.MAX_LEN:
                assert cpg.decode(model(tree, 1.0, rng(0, "t"))) == expected, (program, command)
                checked += 1
    assert checked > 80
