"""A server whose store cannot write answers 503: the clerk pad shows why, as a warning."""

from __future__ import annotations

from PyQt6.QtCore import Qt

from tests.caller import test_views
from tests.caller.test_views import press, settle, shot
from tests.helpers import issue
from tests.store_faults import disk_full

desk = test_views.desk  # the desktop pad fixture


def test_a_store_that_cannot_write_is_explained_and_the_next_press_works(client, make_pad):
    issue(client, queue="A")
    pad = make_pad()
    with disk_full(client.app.state.services.ctx.db):
        assert not pad.call_next()
    view = pad.view()
    assert view.message.startswith("系统繁忙") and "请稍后再试" in view.message
    assert pad.state.level == "warn" and not pad.state.unreachable
    assert pad.call_next()
    assert pad.view().number == "A001"


def test_the_desktop_pad_shows_the_busy_store_as_a_warning(qtbot, client, desk):
    issue(client, queue="A", applicant_name="欧阳娜娜")
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    with disk_full(client.app.state.services.ctx.db):
        press(qtbot, desk, Qt.Key.Key_F1)
    pad = desk.window.pad
    assert pad.message.text().startswith("系统繁忙") and pad.number.text() == "—"
    shot(desk, "store-busy")
