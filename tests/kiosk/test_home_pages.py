"""How the home page's queues are split into pages (Qt-free): areas together where they fit."""

from __future__ import annotations

from kiosk.home_pages import Metrics, Section, paginate

HALL = [("综合窗口区", list("ACZDF")), ("不动产专区", ["B"]), ("专窗区", list("GJRYTPQ"))]
EVERY = list("ACZDFBGJRYTPQ")


def metrics(height: int) -> Metrics:
    return Metrics(height=height, heading=50, row=100, pager=80)


def codes(pages) -> list[str]:
    return [q for page in pages for section in page for q in section.queues]


def test_everything_on_one_page_when_it_fits_and_no_room_is_kept_for_the_page_bar():
    pages = paginate(HALL, 4, metrics(650))  # 3 headings and 5 rows: 150 + 500
    assert len(pages) == 1
    assert [s.area for s in pages[0]] == ["综合窗口区", "不动产专区", "专窗区"]
    assert codes(pages) == EVERY


def test_an_area_that_does_not_fit_the_rest_of_a_page_starts_on_the_next():
    pages = paginate(HALL, 4, metrics(480))  # 400 for sections once the page bar is in
    assert [[s.area for s in page] for page in pages] == [["综合窗口区", "不动产专区"], ["专窗区"]]
    assert codes(pages) == EVERY
    assert not any(s.continued for page in pages for s in page)


def test_an_area_taller_than_the_room_left_goes_on_over_pages_with_its_heading_again():
    pages = paginate([("专窗区", list("GJRYTPQ"))], 2, metrics(330))  # 4 rows of 2, 2 a page
    assert pages == [
        (Section("专窗区", tuple("GJRY")),),
        (Section("专窗区", tuple("TPQ"), continued=True),),
    ]


def test_a_page_too_small_for_one_row_still_shows_one_row_per_page():
    pages = paginate(HALL, 4, metrics(0))
    assert all(len(page) == 1 for page in pages)
    assert codes(pages) == EVERY
    assert len(pages) == 5
