"""What a chapter shows: figures, tables and the claims table as notebook outputs that carry both the rounded
text nbval compares (text/plain) and what the book renders (a PNG with its caption, an HTML table)."""

from __future__ import annotations

import base64
import html

import pandas as pd

from .claims import (
    CHECK,
    CONTROL,
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    NOT_RUN,
    NOT_TESTABLE,
    PAPER_KINDS,
    REPRODUCED,
    REPRODUCED_POST_HOC,
)
from .stability import SEED_DEPENDENT

FIGURE_KEY = "paperbook"  # output-metadata key: book.prepare turns it into a numbered, captioned figure
VERDICT_COLOURS = {REPRODUCED: "#d8f0d8", REPRODUCED_POST_HOC: "#eaf4d8", NOT_REPRODUCED: "#f8d7d3",
                   INCONCLUSIVE: "#fbeec8", NOT_TESTABLE: "#e3e3f3", NOT_RUN: "#ececec", HOLDS: "#d8f0d8",
                   FAILS: "#f8d7d3"}


def _spec(digits: int, significant: bool) -> str:
    return f".{digits}{'g' if significant else 'f'}"


def formatted(df: pd.DataFrame, digits: int, significant: bool = False) -> str:
    """The frame as text with floats at `digits` decimals (or significant digits): what nbval compares."""
    spec = _spec(digits, significant)
    index = not isinstance(df.index, pd.RangeIndex)
    return df.to_string(index=index, float_format=lambda v: format(v, spec))


class FigureOutput:
    """A written PNG shown in the notebook; its output metadata carries the name and caption for the book."""

    def __init__(self, png: bytes, name: str, caption: str):
        self.png, self.name, self.caption = png, name, caption

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode(), "text/plain": f"<{self.name}: {self.caption}>"}
        return data, {FIGURE_KEY: {"figure": {"name": self.name, "caption": self.caption}}}


class TableOutput:
    """A table: the rounded text (text/plain) and the same numbers as an HTML table with its numbered caption."""

    def __init__(self, df: pd.DataFrame, name: str, digits: int, significant: bool, label: str, caption: str):
        self.df, self.name, self.digits, self.significant = df, name, digits, significant
        self.label, self.caption = label, caption

    def __repr__(self) -> str:
        return formatted(self.df, self.digits, self.significant)

    def _repr_mimebundle_(self, include=None, exclude=None):
        spec = _spec(self.digits, self.significant)
        style = self.df.style.format(lambda v: format(v, spec), subset=self.df.select_dtypes("float").columns,
                                     na_rep="n/a").set_uuid(self.name)
        if isinstance(self.df.index, pd.RangeIndex):
            style = style.hide(axis="index")
        caption = f"<b>{self.label}.</b> {html.escape(self.caption)}" if self.caption else f"<b>{self.label}</b>"
        body = style.set_caption(caption).set_table_attributes('class="paperbook-table"').to_html()
        return {"text/plain": formatted(self.df, self.digits, self.significant), "text/html": body}


CLAIM_GROUPS = ((PAPER_KINDS, "Paper claims"), ((CHECK,), "Checks of our own machinery (a failed check stops the run)"),
                ((CONTROL,), "Controls of the protocol (a failed control makes the claims it guards untestable)"))
MAIN_COLUMNS = ["id", "claim", "paper", "ours", "verdict"]
TEXT_COLUMNS = ["id", "kind", "ours", "rule", "origin", "margin", "interval", "verdict"]


def verdict_label(row) -> str:
    """The verdict, with ' (fragile)' where its margin is within the noise or within 5% of the threshold."""
    return row["verdict"] + (" (fragile)" if row["fragile"] else "")


def claims_text(table: pd.DataFrame) -> str:
    """The claims as the text nbval compares: one line per row, the values that decide it (a volatile row, a
    timing, shows its verdict only)."""
    view = table.assign(verdict=table.apply(verdict_label, axis=1))[TEXT_COLUMNS].copy()
    volatile = table["volatile"].astype(bool).to_numpy()
    view.loc[volatile, ["ours", "margin", "interval"]] = "(timing)"
    return view.to_string(index=False)


def _value(row, column: str) -> str:
    """A cell's text; a volatile row's (a timing) is marked, so that the nbval sanitizer can mask it."""
    text = html.escape(str(row[column]))
    return f'<span class="claims-volatile">{text}</span>' if row["volatile"] else text


def _details(row) -> str:
    """The folded line under a row: kind, source, rule and its origin, margin, interval, note."""
    parts = [f"<b>{html.escape(row['kind'])}</b>", f"source: {html.escape(row['source'])}",
             f"rule: <code>{html.escape(row['rule'])}</code> ({html.escape(row['origin'])})"]
    if row["margin"]:
        parts.append(f"margin {_value(row, 'margin')}")
    if row["interval"]:
        parts.append(f"95% interval {html.escape(row['interval'])}")
    if row["note"]:
        parts.append(html.escape(row["note"]))
    return " · ".join(parts)


def verdict_colour(verdict: str) -> str:
    """The colour of a verdict at one seed or across seeds ('seed-dependent (3/5)', 'fails at 1/5')."""
    if verdict.startswith(SEED_DEPENDENT):
        return VERDICT_COLOURS[INCONCLUSIVE]
    if verdict.startswith("fails at"):
        return VERDICT_COLOURS[FAILS]
    if verdict.startswith(REPRODUCED_POST_HOC):
        return VERDICT_COLOURS[REPRODUCED_POST_HOC]
    return VERDICT_COLOURS.get(verdict, "white")


def _caption(seed, sweep: pd.DataFrame | None) -> str:
    if sweep is None:
        return (f"Verdicts of this run alone (seed {seed}): a claim reads reproduced across seeds only in the book, "
                "from the chapter's sweep record (make sweep).")
    n = int(sweep["seeds"].max())
    return (f"Verdicts across the {n} seeds of the chapter's sweep record (reproduced = at every seed); "
            "ours and the details are seed 0's run.")


def claims_html(table: pd.DataFrame, *, seed=0, sweep: pd.DataFrame | None = None) -> str:
    """One table, paper claims first, then checks and controls; each row shows id, claim, paper, ours and verdict
    (with `sweep`, a stability table indexed by id: the seeds that held and the verdict across seeds), with kind,
    rule, origin, margin, interval and note on a line beneath it."""
    columns = MAIN_COLUMNS[:-1] + (["seeds", "verdict"] if sweep is not None else ["verdict"])
    head = "".join(f"<th>{c}</th>" for c in columns)
    body = []
    for kinds, title in CLAIM_GROUPS:
        rows = table[table["kind"].isin(kinds)]
        if rows.empty:
            continue
        body.append(f'<tr class="claims-group"><th colspan="{len(columns)}">{title}</th></tr>')
        for _, row in rows.iterrows():
            verdict, details = verdict_label(row), _details(row)
            seeds = []
            if sweep is not None:
                across = sweep.loc[row["id"]] if row["id"] in sweep.index else None
                seeds = [f'<td class="claims-seeds">{"" if across is None else f"{across.held}/{across.seeds}"}'
                         "</td>"]
                details = f"seed 0: {html.escape(verdict)} · {details}"
                verdict = "not in the sweep" if across is None else across.across_seeds
            cells = [f'<td class="claims-id">{html.escape(row["id"])}</td>',
                     *(f"<td>{html.escape(str(row[c]))}</td>" for c in ("claim", "paper")),
                     f"<td>{_value(row, 'ours')}</td>", *seeds,
                     f'<td class="claims-verdict" style="background-color: {verdict_colour(verdict)}">'
                     f"{html.escape(verdict)}</td>"]
            body.append(f'<tr class="claims-main">{"".join(cells)}</tr>')
            body.append(f'<tr class="claims-details"><td></td><td colspan="{len(columns) - 1}">{details}</td></tr>')
    return (f'<table class="paperbook-table paperbook-claims"><caption>{html.escape(_caption(seed, sweep))}'
            f'</caption><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


class ClaimsOutput:
    """The claims table shown once: the text nbval compares (text/plain) and the HTML table the book renders."""

    def __init__(self, table: pd.DataFrame, seed: int):
        self.table, self.seed = table, seed

    def __repr__(self) -> str:
        return claims_text(self.table)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": claims_text(self.table), "text/html": claims_html(self.table, seed=self.seed)}
