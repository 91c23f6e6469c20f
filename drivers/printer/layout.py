"""Lay text out by printed width.

In the printer's Chinese mode every non-ASCII character is a two-byte GB code printed in a
full-width (24-dot) cell, i.e. two Font A columns; ASCII is one. So 16 hanzi fill a 32-column
58 mm line and 24 a 48-column 80 mm line (hardware research §2.1).
"""

from __future__ import annotations

import re

from drivers.textwidth import char_width, display_width

# Characters that must not start a line (避头点): they stay with the character before them.
_NO_LINE_START = set("，。、；：？！）》」』】〕,.;:?!)%")
# Opening brackets: a short bracketed term (【过号取号】) moves to the next line whole.
_OPENERS = "【（《「『“(["
_CLOSERS = set("】）》」』”)]")
__all__ = ["char_width", "clean", "display_width", "label_value", "rule", "wrap"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str) -> str:
    """Replace control characters with spaces, so data can never smuggle in an ESC/POS command."""
    return _CONTROL.sub(" ", text)


def wrap(text: str, columns: int) -> list[str]:
    """Break text into lines of at most `columns`, keeping ASCII words and closing marks whole."""
    if columns < 2:
        raise ValueError("columns must be at least 2")
    lines: list[str] = []
    line = ""
    for ch in clean(text):
        if display_width(line) + char_width(ch) <= columns:
            line += ch
            continue
        line, carry = _break(line, ch)
        lines.append(line.rstrip())
        line = carry.lstrip(" ")
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _break(line: str, nxt: str) -> tuple[str, str]:
    """Split a full line before `nxt`: returns (line to print, text carried to the next line)."""
    opener = max(line.rfind(c) for c in _OPENERS)
    if opener > 0 and len(line) - opener <= 8 and not _CLOSERS & set(line[opener:]):
        return line[:opener], line[opener:] + nxt
    if nxt in _NO_LINE_START and len(line) > 1:
        return line[:-1], line[-1] + nxt
    if nxt.isascii() and nxt != " " and line and line[-1].isascii() and line[-1] != " ":
        cut = max(
            line.rfind(" "), max((i for i, c in enumerate(line) if not c.isascii()), default=-1)
        )
        if cut > 0:
            return line[: cut + 1], line[cut + 1 :] + nxt
    return line, nxt


def label_value(label: str, value: str, columns: int) -> list[str]:
    """A label and its value (办理业务：…), continuation lines indented under the value."""
    indent = display_width(label)
    if indent > columns // 2:
        return wrap(label + value, columns)
    parts = wrap(value, columns - indent) if value else [""]
    return [label + parts[0]] + [" " * indent + p for p in parts[1:]]


def rule(columns: int, char: str = "-") -> str:
    """A separator line of the full width."""
    return char * (columns // char_width(char))
