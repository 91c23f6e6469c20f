"""The kiosk shows hall-file text literally: markup in a hall, area or queue name is text."""

from __future__ import annotations

import pytest

from kiosk.state import Screen
from tests.helpers import valid_id
from tests.markup import TAG, hostile_hall, literal_texts, renders_literally, rich_labels


@pytest.fixture
def client(make_client, clock, tmp_path):
    """The demo hall with markup in its names."""
    return make_client(clock, halls=[hostile_hall(tmp_path)])


def test_names_with_markup_show_as_plain_text_on_every_page(kiosk, window):
    from PyQt6.QtWidgets import QApplication

    QApplication.processEvents()
    home = window.pages[Screen.HOME]
    assert rich_labels(window) == []
    assert "<b>示例市</b>" in window.hall.text() and renders_literally(window.hall)
    name = home._queue_buttons["A"].name
    assert TAG in name.text() and renders_literally(name)
    assert any("<i>综合窗口区</i>" in t for t in literal_texts(home))
    kiosk.p.choose_queue("A")
    kiosk.type(valid_id("19800101"))
    window.draw(kiosk.s)
    assert any(TAG in t for t in literal_texts(window.pages[Screen.IDENTIFY]))
    kiosk.p.take_number()
    QApplication.processEvents()
    ticket = window.pages[Screen.TICKET]
    assert TAG in ticket.matter.text() and renders_literally(ticket.matter)
    assert rich_labels(window) == []
