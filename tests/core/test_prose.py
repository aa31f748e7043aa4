"""The typed-number detector: what markdown may type, and a planted typed result it catches."""

import nbformat

from paperbook.core.prose import typed_numbers, unquoted_numbers


def test_exempt_spans_and_names_are_not_typed_numbers():
    text = ("The slope is {glue:text}`slope:.3f` (T1, eq. $-0.5$, $$x^2$$), see Fig 3, Table 2, Eq. (4) and "
            "Section 4.1 {cite}`ref-2024` {numref}`fig-1`; SmolLM2-135M, x0, P1, fig3_Ys, `n = 50`, "
            "[link](https://a.b/1), (eq-00-mean), a 1.5B model")
    assert typed_numbers(text) == []


def test_results_typed_in_prose_are_found():
    assert typed_numbers("accuracy rose to 0.93 on 48 queries, 8.0 times as far (43%)") == ["0.93", "48", "8.0",
                                                                                            "43%"]
    assert typed_numbers("20,910 / 20,910 commands") == ["20,910", "20,910"]


def test_a_box_of_measurements_made_outside_the_book_is_exempt():
    box = ":::{admonition} Measured outside the book (2026-12-05)\nThe official code took 12 s.\n:::\nafter 3"
    assert typed_numbers(box) == ["3"]


def test_reference_values_are_listed_with_their_reason():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("The paper reports 43% faster training; we measure 0.61.")]
    assert unquoted_numbers(nb) == [(0, "43%"), (0, "0.61")]
    nb.metadata["paperbook"] = {"reference_numbers": {"43%": "paper, abstract"}}
    assert unquoted_numbers(nb) == [(0, "0.61")], "a planted typed result fails the contract"
