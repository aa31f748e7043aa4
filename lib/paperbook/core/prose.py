"""No typed results in prose: find the numbers a chapter's markdown types by hand.

A number in markdown is allowed when the run glues it (``{glue:text}`key```), when it sits in math, a citation or
cross-reference, inline code, a link target or a label, when it is part of a name (P1, x0, SmolLM2-135M, fig3_Ys),
when it names a figure, table, equation, section or chapter ("Fig 3", "Table 2", "Eq. (4)"), inside a box titled
"Measured outside the book" (a dated measurement with its command), or when the notebook lists it, with the reason,
among its quoted reference values: notebook metadata ``paperbook.reference_numbers``, token -> reason (the paper's
numbers, spec constants, years of citations). Everything else is a typed number, and the contract test fails on it.
"""

from __future__ import annotations

import re

METADATA_KEY = "reference_numbers"
OUTSIDE_BOX = "Measured outside the book"

_EXEMPT = [
    re.compile(r"^```.*?^```", re.S | re.M),                                       # fenced code
    re.compile(r"^:::\{admonition\}\s*" + OUTSIDE_BOX + r".*?^:::", re.S | re.M),   # measured outside the book
    re.compile(r"\$\$.*?\$\$", re.S),                                               # display math
    re.compile(r"\\\[.*?\\\]|\\\(.*?\\\)", re.S),                                   # \[ \] and \( \) math
    re.compile(r"\$[^$\n]+\$"),                                                     # inline math
    re.compile(r"\{[\w:-]+\}`[^`]*`"),                                              # roles: glue, cite, numref, eq
    re.compile(r"`[^`]*`"),                                                         # inline code
    re.compile(r"\]\([^)]*\)"),                                                     # link targets
    re.compile(r"^\([\w-]+\)=\s*$", re.M),                                          # MyST labels
    re.compile(r"\((?:eq|fig|tab)-[\w-]+\)"),                                       # equation labels
    re.compile(r"<[^>\n]+>"),                                                       # HTML tags
    re.compile(r"\b(?:Fig(?:ure)?s?\.?|Tables?|Eqs?\.?|Equations?|Sections?|Appendix|Chapters?|chapters?|"
               r"Theorem|Lemma|Proposition|Definition|Algorithm|Step)\s*\(?[A-Z]?\d+[\w.]*\)?"),  # references
]
NUMBER = re.compile(r"(?<![A-Za-z_\d.\-])\d+(?:[.,]\d+)*%?(?![A-Za-z_\d]|[.,]\d)")  # 1.5B: a name, not "1"


def typed_numbers(markdown: str) -> list[str]:
    """The number tokens of `markdown` outside the exempt spans (see the module docstring), in order."""
    text = markdown
    for pattern in _EXEMPT:
        text = pattern.sub(" ", text)
    return NUMBER.findall(text)


def reference_numbers(nb) -> dict[str, str]:
    """The notebook's quoted reference values: token -> why it may be typed (the paper's value, a constant)."""
    return dict(nb.metadata.get("paperbook", {}).get(METADATA_KEY, {}))


def unquoted_numbers(nb) -> list[tuple[int, str]]:
    """(cell index, token) of every number a markdown cell types that is neither exempt nor a listed reference
    value."""
    allowed = reference_numbers(nb)
    return [(i, token) for i, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
            for token in typed_numbers(cell.source) if token not in allowed]
