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
    """The claims as the text nbval compares: one line per row, the values that decide it."""
    view = table.assign(verdict=table.apply(verdict_label, axis=1))[TEXT_COLUMNS]
    return view.to_string(index=False)


def _details(row) -> str:
    """The folded line under a row: kind, source, rule and its origin, margin, interval, note."""
    parts = [f"<b>{html.escape(row['kind'])}</b>", f"source: {html.escape(row['source'])}",
             f"rule: <code>{html.escape(row['rule'])}</code> ({html.escape(row['origin'])})"]
    if row["margin"]:
        parts.append(f"margin {html.escape(row['margin'])}")
    if row["interval"]:
        parts.append(f"95% interval {html.escape(row['interval'])}")
    if row["note"]:
        parts.append(html.escape(row["note"]))
    return " · ".join(parts)


def claims_html(table: pd.DataFrame) -> str:
    """One table, paper claims first, then checks and controls; each row shows id, claim, paper, ours and verdict,
    with kind, rule, origin, margin, interval and note on a line beneath it."""
    head = "".join(f"<th>{c}</th>" for c in MAIN_COLUMNS)
    body = []
    for kinds, title in CLAIM_GROUPS:
        rows = table[table["kind"].isin(kinds)]
        if rows.empty:
            continue
        body.append(f'<tr class="claims-group"><th colspan="{len(MAIN_COLUMNS)}">{title}</th></tr>')
        for _, row in rows.iterrows():
            colour = VERDICT_COLOURS.get(row["verdict"], "white")
            cells = [f'<td class="claims-id">{html.escape(row["id"])}</td>',
                     *(f"<td>{html.escape(str(row[c]))}</td>" for c in ("claim", "paper", "ours")),
                     f'<td class="claims-verdict" style="background-color: {colour}">'
                     f"{html.escape(verdict_label(row))}</td>"]
            body.append(f'<tr class="claims-main">{"".join(cells)}</tr>')
            body.append(f'<tr class="claims-details"><td></td><td colspan="{len(MAIN_COLUMNS) - 1}">'
                        f"{_details(row)}</td></tr>")
    return (f'<table class="paperbook-table paperbook-claims"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


class ClaimsOutput:
    """The claims table shown once: the text nbval compares (text/plain) and the HTML table the book renders."""

    def __init__(self, table: pd.DataFrame):
        self.table = table

    def __repr__(self) -> str:
        return claims_text(self.table)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": claims_text(self.table), "text/html": claims_html(self.table)}
