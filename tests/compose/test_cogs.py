"""The COGS-style grammar and interpreter: the book's sentences, and the official COGS logical forms (when the
fixture is present)."""

from pathlib import Path

import lark
import pytest

from paperbook.compose import cogs

FIXTURE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cogs"
LEX = cogs.BOOK_LEXICON


def test_the_spec_example_and_a_control_verb():
    assert cogs.interpret("A rose was helped by a dog .", LEX) == (
        "rose ( x _ 1 ) AND help . theme ( x _ 3 , x _ 1 ) AND help . agent ( x _ 3 , x _ 6 ) AND dog ( x _ 6 )")
    assert cogs.interpret("The cat wanted to sleep .", LEX) == (
        "* cat ( x _ 1 ) ; want . agent ( x _ 2 , x _ 1 ) AND want . xcomp ( x _ 2 , x _ 4 ) "
        "AND sleep . agent ( x _ 4 , x _ 1 )")


def test_the_intransitive_role_is_the_verbs_class():
    assert cogs.interpret("The cake froze .", LEX) == "* cake ( x _ 1 ) ; freeze . theme ( x _ 2 , x _ 1 )"
    assert cogs.interpret("The cat smiled .", LEX) == "* cat ( x _ 1 ) ; smile . agent ( x _ 2 , x _ 1 )"


def test_sampled_sentences_parse_once_and_match_their_categories():
    for category in cogs.CATEGORIES:
        pairs = cogs.sample(category, 50, seed=0)
        assert len({s for s, _ in pairs}) == 50
        for sentence, lf in pairs:
            assert cogs.interpret(sentence, LEX) == lf and sentence[0].isupper()
            words = sentence.split()
            preps = sum(w in cogs.PREPOSITIONS for w in words)
            if category == "in_distribution":
                assert preps <= cogs.TRAIN_DEPTH and words.count("that") <= cogs.TRAIN_DEPTH
            if category == "pp_recursion":
                assert preps > cogs.TRAIN_DEPTH
            if category == "cp_recursion":
                assert words.count("that") > cogs.TRAIN_DEPTH
            if category == "obj_pp_to_subj_pp":
                assert cogs.frame_tree(sentence, LEX).children[0].children[0].data == "np_pp"
    assert cogs.sample("pp_recursion", 20, seed=3) == cogs.sample("pp_recursion", 20, seed=3)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="known words"):
        cogs.parse("The cat smiled", LEX)
    with pytest.raises(ValueError, match="known words"):
        cogs.parse("The unicorn smiled .", LEX)
    with pytest.raises(lark.exceptions.UnexpectedInput):
        cogs.parse("The cat the dog .", LEX)
    with pytest.raises(ValueError, match="category"):
        cogs.sample("lexical", 3, seed=0)
    with pytest.raises(ValueError, match="two classes"):
        cogs.Lexicon(frozenset({"run"}), frozenset(), (("run", "run"),), frozenset())


def test_strip_lf_is_ibms_comparison_form():
    assert cogs.strip_lf("* cake ( x _ 3 ) ; mail . agent ( x _ 1 , Natalie )") == (
        "* cake ( 3 ) mail . agent ( 1 , natalie )")


@pytest.mark.skipif(not FIXTURE.is_dir(), reason="the official COGS files are a fixture of this project only")
def test_the_interpreter_reproduces_every_official_non_primitive_logical_form():
    lines = [ex for name in ("train", "dev", "test") for ex in cogs.load_tsv(FIXTURE / f"{name}.tsv.xz")]
    assert len(lines) == 30_155
    examples = [ex for ex in lines if ex.category != "primitive"]
    assert len(examples) == 30_012
    lex = cogs.lexicon_from(examples)  # words and verb classes only; the structure is the grammar's
    wrong = [ex for ex in examples if cogs.interpret(ex.sentence, lex) != ex.lf]
    assert wrong == []


def test_gold_roles_read_the_lf_site_by_site():
    sentence = "Emma said that the cake froze ."
    assert cogs.role_sites(sentence, LEX) == [("intransitive/unaccusative", 1), ("complement", 2)]
    assert cogs.gold_roles(sentence, cogs.interpret(sentence, LEX), LEX) == [("theme",), ("agent", "ccomp")]
    assert cogs.gold_roles("Emma saw Emma .", cogs.interpret("Emma saw Emma .", LEX), LEX) == [("agent", "theme")]
    for sentence, lf in cogs.sample("in_distribution", 100, seed=2):
        sites = cogs.role_sites(sentence, LEX)
        assert cogs.gold_roles(sentence, lf, LEX) == [cogs.GOLD_ROLES[f] for f, _ in sites]


def test_a_wrong_role_program_changes_the_lf_and_a_missing_type_raises():
    swapped = {**cogs.GOLD_ROLES, "transitive": ("theme", "agent")}
    assert cogs.interpret("Emma saw Noah .", LEX, swapped) == (
        "see . theme ( x _ 1 , Emma ) AND see . agent ( x _ 1 , Noah )")
    with pytest.raises(KeyError):
        cogs.interpret("Emma saw Noah .", LEX, {})
