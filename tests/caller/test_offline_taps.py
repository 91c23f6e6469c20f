"""Issue 12 item 2 on the desktop pad: a tap the server did not answer is kept, shown as
pending, sent once (with its Idempotency-Key) when the server is back, and the red line goes.
"""

from __future__ import annotations

import httpx
import pytest

from caller.config import StationConfig
from caller.views import theme
from caller.wiring import PadApp
from server.client import HallClient
from tests.caller.test_views import AnsweringDialogs, settle, shot
from tests.helpers import KIOSK, issue


class Flaky(httpx.BaseTransport):
    """The in-process app behind a flaky network: `down` refuses, `lose` drops replies."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.down, self.lose = inner, False, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        response = self.inner.handle_request(request)
        if self.lose and request.method == "POST":
            response.read()  # it was carried out; only the reply never arrives
            raise httpx.ReadTimeout("the reply was lost", request=request)
        return response


@pytest.fixture
def flaky_desk(qapp, qtbot, client):
    theme.install(qapp)
    net = Flaky(client._transport)
    api = HallClient("http://testserver", "demo", transport=net)
    cfg = StationConfig(server="http://testserver", hall="demo", window="S01", user="clerk01")
    app = PadApp(cfg, api=api, dialogs=AnsweringDialogs(), live=False)
    app.net = net
    qtbot.addWidget(app.window)
    app.window.show()
    settle(qtbot, app, app.run(app.presenter.login, "clerk01", "demo1234"))
    yield app
    app.close()
    api.close()


def finished(client, number: str) -> list[dict]:
    events = client.get("/api/v1/halls/demo/events?since=0", headers=KIOSK).json()["events"]
    return [e for e in events if e["type"] == "ticket.finished" and e["ticket"]["number"] == number]


def test_an_accept_whose_reply_was_lost_is_sent_once_more_and_recorded_once(
    qtbot, client, flaky_desk
):
    desk, pad = flaky_desk, flaky_desk.window.pad
    issue(client, queue="A", applicant_name="欧阳明月")
    settle(qtbot, desk, desk.run(desk.presenter.call_next))
    assert pad.number.text() == "A001"
    desk.net.lose = True
    settle(qtbot, desk, desk.run(desk.presenter.outcome, "accepted"))
    pending = "无法连接服务器，请检查网络；已记下，恢复后将自动同步。待同步：受理 A001"
    assert pad.message.text() == pending
    assert desk.presenter.view().level == "error"
    shot(desk, "pending-sync")
    desk.net.lose = False
    desk.worker.submit(desk.presenter.on_status, "resynced").result(timeout=10)
    qtbot.waitUntil(lambda: pad.message.text() == "已同步：受理 A001", timeout=5000)
    assert desk.presenter.view().level == "ok"
    assert pad.connection.text() == "已重新连接，数据已同步"
    qtbot.waitUntil(lambda: pad.number.text() == "—", timeout=5000)
    assert len(finished(client, "A001")) == 1
    shot(desk, "synced")


def test_an_accept_tapped_while_the_server_is_down_is_recorded_once_when_it_is_back(
    qtbot, client, flaky_desk
):
    desk, pad = flaky_desk, flaky_desk.window.pad
    issue(client, queue="A")
    settle(qtbot, desk, desk.run(desk.presenter.call_next))
    desk.net.down = True
    settle(qtbot, desk, desk.run(desk.presenter.outcome, "accepted"))
    assert "待同步：受理 A001" in pad.message.text()
    assert finished(client, "A001") == []
    desk.net.down = False
    desk.worker.submit(desk.presenter.on_status, "resynced").result(timeout=10)
    qtbot.waitUntil(lambda: pad.message.text() == "已同步：受理 A001", timeout=5000)
    desk.worker.submit(desk.presenter.on_status, "resynced").result(timeout=10)
    assert len(finished(client, "A001")) == 1


def test_a_call_without_an_answer_is_checked_by_key_never_replayed(qtbot, client, flaky_desk):
    desk, pad = flaky_desk, flaky_desk.window.pad
    issue(client, queue="A")
    desk.net.lose = True
    settle(qtbot, desk, desk.run(desk.presenter.call_next))
    unsure = "无法连接服务器，请检查网络；叫号未确认，恢复后将自动核对，请勿重复叫号。"
    assert pad.message.text() == unsure
    desk.net.lose = False
    desk.worker.submit(desk.presenter.on_status, "resynced").result(timeout=10)
    qtbot.waitUntil(lambda: pad.message.text() == "已核对：A001 已叫号", timeout=5000)
    qtbot.waitUntil(lambda: pad.number.text() == "A001", timeout=5000)


def test_a_call_that_never_reached_the_server_is_said_to_be_not_done(qtbot, client, flaky_desk):
    desk, pad = flaky_desk, flaky_desk.window.pad
    issue(client, queue="A")
    desk.net.down = True
    settle(qtbot, desk, desk.run(desk.presenter.call_next))
    desk.net.down = False
    desk.worker.submit(desk.presenter.on_status, "resynced").result(timeout=10)
    qtbot.waitUntil(lambda: pad.message.text() == "叫号未执行，请重新叫号", timeout=5000)
    assert pad.number.text() == "—"
    settle(qtbot, desk, desk.run(desk.presenter.call_next))
    assert pad.number.text() == "A001"
