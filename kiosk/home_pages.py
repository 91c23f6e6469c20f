"""The home page's queue buttons split into pages that fit the screen (长辈模式, paused, big halls).

Qt-free: the view measures a heading, a row of buttons and the space it has, in pixels, and
gets back which areas and queues each page shows. Areas stay together where they fit; an
area that does not fit on the rest of a page starts on the next one, and an area taller
than a page goes on over several (its heading repeated, marked as continued).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """One area's block on a page: its heading and the queues shown under it, row by row."""

    area: str
    queues: tuple[str, ...]
    continued: bool = False  # the area began on an earlier page


@dataclass(frozen=True)
class Metrics:
    """What the view measured: the height it has, an area heading, a row, the page bar."""

    height: int
    heading: int  # an area heading with the space around its grid
    row: int  # one row of queue buttons with the spacing below it
    pager: int  # the 上一页 / 下一页 bar, taken only when one page is not enough


Page = tuple[Section, ...]


def paginate(
    areas: Sequence[tuple[str, Sequence[str]]], columns: int, metrics: Metrics
) -> list[Page]:
    """The pages that show every queue of `areas` ((heading, queue codes) in order)."""
    m = metrics
    pages = _fill(areas, columns, m.height, m.heading, m.row)
    if len(pages) > 1:  # the page bar takes its room from every page
        pages = _fill(areas, columns, m.height - m.pager, m.heading, m.row)
    return pages


def _fill(
    areas: Sequence[tuple[str, Sequence[str]]], columns: int, height: int, heading: int, row: int
) -> list[Page]:
    pages: list[list[Section]] = [[]]
    used = 0
    for name, queues in areas:
        rows = [tuple(queues[i : i + columns]) for i in range(0, len(queues), columns)]
        continued = False
        while rows:
            if (height - used - heading) // row < 1 and pages[-1]:
                pages.append([])
                used = 0
            take = max(1, (height - used - heading) // row)  # at least a row, even if cut
            chunk, rows = rows[:take], rows[take:]
            pages[-1].append(Section(name, tuple(q for r in chunk for q in r), continued))
            used += heading + len(chunk) * row
            continued = True
    return [tuple(page) for page in pages if page]
