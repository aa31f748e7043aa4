"""CPG's role programs on the COGS-style language: the few-shot set, the fit, freezing, and generalisation."""

import torch

from paperbook.compose import cogs, cogs_cpg
from paperbook.core.rng import rng

LEX = cogs.BOOK_LEXICON


def test_the_fewshot_set_covers_every_frame_type_with_distinct_arguments():
    train = cogs_cpg.fewshot(1, seed=0)
    types = {f for s, _ in train for f, _ in cogs.role_sites(s, LEX)}
    assert types == set(cogs.GOLD_ROLES) and len(train) <= len(cogs.GOLD_ROLES)
    assert train == cogs_cpg.fewshot(1, seed=0)


def test_frozen_gold_roles_are_exact_and_a_fit_recovers_them():
    model = cogs_cpg.RoleCPG()
    model.frozen.update(cogs.GOLD_ROLES)
    assert all(cogs_cpg.exact(model.program(), s, lf, LEX) for s, lf in cogs.sample("cp_recursion", 50, seed=0))
    model = cogs_cpg.RoleCPG()
    log = cogs_cpg.fit(model, cogs_cpg.fewshot(2, seed=0), LEX, seed=0)
    assert model.frozen == cogs.GOLD_ROLES and log.iterations < 3000
    for category in cogs.CATEGORIES:
        assert all(cogs_cpg.exact(model.program(), s, lf, LEX) for s, lf in cogs.sample(category, 50, seed=5))


def test_a_sampled_template_is_one_hot_with_a_gradient():
    model = cogs_cpg.RoleCPG()
    model.add_sites([("double_object", 3)])
    t = model.templates("double_object", 1.0, rng(0, "t"))
    assert t.shape == (3, len(cogs.ROLES)) and (t.sum(-1) == 1).all()
    torch.nn.functional.cross_entropy(t, torch.tensor([0, 2, 1])).backward()
    assert model.modules_by_rule["double_object"].theta.grad.abs().sum() > 0


def test_a_program_missing_a_type_is_wrong_not_an_error():
    assert not cogs_cpg.exact({}, "Emma saw Noah .", cogs.interpret("Emma saw Noah .", LEX), LEX)
