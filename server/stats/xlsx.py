"""Cells of every workbook the statistics write: text that looks like a formula stays text.

A citizen's 好差评 comment, a department name typed by a supervisor or a clerk's name may
start with = + - or @. openpyxl would store "=…" as a formula, and Excel evaluates any of
them once the cell is edited (formula injection, CWE-1236). Such text is stored as a string
cell with Excel's quote prefix (the hidden apostrophe), so it shows and stays as typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether Excel could read this value as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def as_text(cell: Cell) -> Cell:
    """The cell, with a formula-like string value turned into plain text."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def cell(ws: Any, value: Any) -> Cell:
    """A cell for `ws.append` (normal or write-only sheet) holding `value` safely."""
    return as_text(WriteOnlyCell(ws, value))


def row(ws: Any, values: Iterable[Any]) -> list[Any]:
    """One `ws.append` row: formula-like strings as text cells, other values as they are."""
    return [cell(ws, value) if looks_like_formula(value) else value for value in values]


def put(ws: Any, row_number: int, column: int, value: Any) -> Cell:
    """Write `value` at (row, column) of a normal sheet, safely."""
    return as_text(ws.cell(row_number, column, value))
