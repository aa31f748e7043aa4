"""The house plotting style, set in one place (`start` applies it): seaborn theme and colour-blind palette, font
sizes legible at the book's column width, one dpi, and sizes in inches that fill that column."""

from __future__ import annotations

import matplotlib
import seaborn as sns

COLUMN_IN = 7.0  # the book's text column at 1280 px: a figure this wide is shown at about its own size
DPI = 130        # PNG resolution: sharp in the book, small in the notebook
MAX_COLS = 3     # small multiples wrap after this many panels, so that each panel stays readable


def apply_house_style() -> None:
    """Seaborn's 'ticks' theme with the colour-blind palette, and font sizes for a 7-inch column."""
    sns.set_theme(context="paper", style="ticks", palette="colorblind", font_scale=1.15)
    matplotlib.rcParams.update({
        "figure.figsize": (COLUMN_IN, 3.2), "figure.dpi": DPI, "savefig.dpi": DPI, "axes.titlesize": 10,
        "axes.labelsize": 10, "legend.fontsize": 8, "legend.frameon": False, "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "font.family": "DejaVu Sans",
    })


def panel_grid(n: int, cols: int = MAX_COLS, height: float = 2.4) -> tuple[int, int, tuple[float, float]]:
    """(rows, cols, figsize) for n small multiples that wrap after `cols` panels and fill the column."""
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    return rows, cols, (COLUMN_IN, height * rows)
