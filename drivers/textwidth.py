"""Printed width of text on devices with resident GB fonts.

A non-ASCII character is a two-byte GB code drawn in a full-width cell (two columns); ASCII
takes one column.
"""

from __future__ import annotations


def char_width(ch: str) -> int:
    """Printed columns of one character: 1 for ASCII, 2 for anything else."""
    return 1 if ord(ch) < 0x80 else 2


def display_width(text: str) -> int:
    """Printed columns of a string."""
    return sum(1 if ord(c) < 0x80 else 2 for c in text)


def truncate(text: str, columns: int) -> str:
    """The longest prefix of `text` that fits in `columns`."""
    width = 0
    for i, ch in enumerate(text):
        width += char_width(ch)
        if width > columns:
            return text[:i]
    return text
