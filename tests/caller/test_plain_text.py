"""The desktop pad shows user text literally: markup in a note, a name or a hall file is text."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import Qt

from caller.views.dialogs import NoticeDialog, PauseDialog, RejectDialog, TransferDialog
from tests.caller.test_views import desk, press, settle  # noqa: F401  (desk: the fixture)
from tests.helpers import EVALUATOR, issue, login, window
from tests.markup import MARKUP, TAG, hostile_hall, literal_texts, renders_literally, rich_labels

NAME = "<h1>王</h1><img src=x>"


@pytest.fixture
def client(make_client, clock, tmp_path):
    """The demo hall with markup in its names."""
    return make_client(clock, halls=[hostile_hall(tmp_path)])


def test_a_transfer_note_name_and_queue_with_markup_show_as_plain_text(qtbot, client, desk):  # noqa: F811
    sender = login(client, "clerk02")
    window(client, sender, "S02", "sign-in")
    done = issue(client, queue="A", applicant_name=NAME)
    window(client, sender, "S02", "call-next")
    window(client, sender, "S02", "outcome", outcome="rejected", reason=MARKUP)
    comment = {"level": 1, "comment": MARKUP}
    client.post(f"/api/v1/tickets/{done['id']}/evaluation", json=comment, headers=EVALUATOR)
    issue(client, queue="A", applicant_name=NAME)
    window(client, sender, "S02", "call-next")
    # S01 opens in a moment (the desk signs in below): the clerk confirms the wait
    sent = window(
        client, sender, "S02", "transfer", window="S01", note=MARKUP, wait_for_window=True
    )
    assert sent.status_code == 200
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    press(qtbot, desk, Qt.Key.Key_F1)
    pad = desk.window.pad
    assert pad.note.text() == f"转入备注：{MARKUP}" and renders_literally(pad.note)
    assert "<u>S01</u>" in pad.title.text()  # the window's name, as the hall file spells it
    assert sum(TAG in t for t in literal_texts(pad)) >= 2  # the note and the queue's name
    assert rich_labels(desk.window) == []
    press(qtbot, desk, Qt.Key.Key_F9)  # 暂停: the status line carries the reason
    assert rich_labels(desk.window) == []


def test_every_dialog_label_is_plain_text(qtbot, qapp):
    dialogs = [
        RejectDialog([MARKUP]),
        TransferDialog([("A", MARKUP)], [("S01", MARKUP)]),
        PauseDialog([MARKUP]),
        NoticeDialog([("reject", MARKUP)]),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert rich_labels(dialog) == [], type(dialog).__name__
