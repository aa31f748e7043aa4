"""What a chapter shows: figures, tables and the claims table as notebook outputs that carry both the rounded
text nbval compares (text/plain) and what the book renders (a PNG with its caption, an HTML table)."""

from __future__ import annotations

import base64
import html

import pandas as pd

from .claims import NOT_REPRODUCED, NOT_RUN, REPRODUCED

FIGURE_KEY = "paperbook"  # output-metadata key: book.prepare turns it into a numbered, captioned figure
VERDICT_COLOURS = {REPRODUCED: "#d8f0d8", NOT_REPRODUCED: "#f8d7d3", NOT_RUN: "#ececec"}


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


def styled_claims(table: pd.DataFrame):
    """The claims table with coloured verdicts, hard and reported claims told apart."""
    def colour(verdict):
        return f"background-color: {VERDICT_COLOURS.get(verdict, 'white')}"

    return (table.style.hide(axis="index").set_uuid("claims").map(colour, subset=["verdict"])
            .set_properties(subset=["claim", "note"], **{"text-align": "left"})
            .set_properties(subset=["id", "source", "verdict", "kind"], **{"white-space": "nowrap"})
            .set_table_attributes('class="paperbook-table paperbook-claims"'))
