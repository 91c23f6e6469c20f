"""The Qt hall TV shows user text literally: a pause reason or a queue name is never HTML."""

from __future__ import annotations

import pytest

from display.config import ScreenConfig
from display.presenter import ScreenPresenter
from display.views.tv import TvScreen
from server.client import HallLayout
from tests.display.test_presenter import Clock
from tests.markup import TAG, hostile_hall, literal_texts, renders_literally, rich_labels

REASON = "<h1>停止服务</h1>"  # a pause reason is at most 20 characters


@pytest.fixture
def client(make_client, clock, tmp_path):
    """The demo hall with markup in its names."""
    return make_client(clock, halls=[hostile_hall(tmp_path)])


def test_a_pause_reason_and_names_with_markup_show_as_plain_text(feed, hall, qtbot):
    p = ScreenPresenter(ScreenConfig(), HallLayout.from_hall_info(feed.layout()), clock=Clock())
    p.set_status("connected")
    hall("issue", "A", applicant_name="<h1>王</h1><img src=x>")
    hall("issue", "B")
    hall("call-next", "S01")
    hall("sign-in", "S08")
    hall("pause", "S08", reason=REASON)
    for msg in feed.take():
        p.apply(msg)
    tv = TvScreen("landscape", 8)
    qtbot.addWidget(tv)
    tv.show_view(p.view())
    tv.show()
    assert rich_labels(tv) == []
    shown = literal_texts(tv)
    assert any(REASON in t for t in shown), shown
    assert any(TAG in t for t in shown), shown  # the queue's name in its chip
    tile = next(t for t in tv.tiles if REASON in t.text.text())
    assert renders_literally(tile.text)
