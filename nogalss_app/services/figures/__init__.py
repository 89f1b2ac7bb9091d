"""Drill-down: every money figure of a panel, defined once as the rows that add up to it (SPEC §4)."""

from __future__ import annotations

from .query import FigurePage, figure_page, figure_row
from .registry import FIGURES, Figure, find_figure

__all__ = ["FIGURES", "Figure", "FigurePage", "figure_page", "figure_row", "find_figure"]
