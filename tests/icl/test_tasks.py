"""Templated tasks, demonstration draws and prompt segments."""

import numpy as np
import pytest

from paperbook.icl.tasks import TASKS, Template, make_task, prompt_format, prompt_segments, sample_demos


@pytest.mark.parametrize("name", list(TASKS))
def test_tasks_are_balanced_distinct_and_reproducible(name):
    a = make_task(name, 60, rng=np.random.default_rng(4))
    b = make_task(name, 60, rng=np.random.default_rng(4))
    C = len(TASKS[name].words)
    assert a.texts == b.texts and np.array_equal(a.labels, b.labels) and len(set(a.texts)) == 60
    assert np.bincount(a.labels, minlength=C).max() - np.bincount(a.labels, minlength=C).min() <= 1
    assert a.texts != make_task(name, 60, rng=np.random.default_rng(5)).texts


@pytest.mark.parametrize("name", list(TASKS))
def test_every_class_has_enough_templates_and_fillers(name):
    spec = TASKS[name]
    assert len(spec.templates) == len(spec.words) and min(map(len, spec.templates)) >= 8
    assert min(len(v) for v in spec.slots.values()) >= 10


def test_prompt_segments_exact_string():
    t = Template("", "Review: ", "Sentiment:")
    segs = prompt_segments([("a dull film", 0), ("great fun", 1)], "so so", t, ("negative", "positive"))
    assert segs == ["Review: a dull film\nSentiment: negative", "\n\nReview: great fun\nSentiment: positive",
                    "\n\nReview: so so\nSentiment:"]
    assert prompt_segments([], "x", t, ("n", "p")) == ["Review: x\nSentiment:"]
    inst = prompt_segments([], "x", Template("Classify.", "Q: ", "A:"), ("n", "p"))
    assert inst == ["Classify.", "\n\nQ: x\nA:"]


def test_demos_follow_a_label_order_without_repeats():
    task = make_task("sst2_like", 20, rng=np.random.default_rng(0))
    demos = sample_demos(task, 4, rng=np.random.default_rng(1), label_order=[1, 1, 1, 0])
    assert [y for _, y in demos] == [1, 1, 1, 0] and len({x for x, _ in demos}) == 4
    with pytest.raises(ValueError, match="label_order"):
        sample_demos(task, 3, rng=np.random.default_rng(1), label_order=[1, 0])


def test_prompt_formats_keep_the_instruction():
    t = TASKS["agnews_like"].template
    assert prompt_format(t, "default") is t
    assert prompt_format(t, "input").prefix == t.prefix and prompt_format(t, "input").q_prefix == "Input: "
    with pytest.raises(ValueError, match="unknown prompt format"):
        prompt_format(t, "nope")
