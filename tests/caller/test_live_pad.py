"""The desktop pad on its real live feed, against the real demo server process."""

from __future__ import annotations

import pytest

from caller.config import demo
from caller.views import theme
from caller.wiring import PadApp
from server.client import HallClient
from tests.live_server import ServerProcess
from tests.pgschema import store_for_test

pytestmark = pytest.mark.db  # also runs on the PostgreSQL pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with store_for_test():
        process = ServerProcess(tmp_path_factory.mktemp("live-pad")).start()
        yield process
        process.stop()


@pytest.fixture
def desk(qapp, qtbot, server):
    theme.install(qapp)
    app = PadApp(demo(server.url, "clerk03", "S03"), printer=None)
    qtbot.addWidget(app.window)
    app.window.show()
    app.auto_login().result(timeout=10)
    qtbot.waitUntil(lambda: app.feed is not None and app.feed.connected.is_set(), timeout=10_000)
    yield app
    app.close()


def test_the_windows_evaluator_takes_the_rating_and_the_pad_shows_it(qtbot, server, desk):
    from drivers.sim import get_simulator

    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        kiosk.issue(queue="A")
    qtbot.waitUntil(lambda: bool(next_numbers(desk)), timeout=5000)
    desk.run(desk.presenter.call_next).result(timeout=10)
    number = desk.presenter.view().number
    qtbot.waitUntil(lambda: not desk.presenter.state.busy, timeout=5000)
    desk.run(desk.presenter.outcome, "accepted").result(timeout=10)
    evaluator = get_simulator("sim://yc485-evaluator?name=S03")
    qtbot.waitUntil(lambda: evaluator.pending.get(1, ("", ""))[1] == number, timeout=5000)
    evaluator.press_rating(5)
    text = desk.window.pad.evaluation
    qtbot.waitUntil(lambda: text.text() == f"{number} 已评价: 非常满意", timeout=5000)


def next_numbers(app) -> list[str]:
    return [n for n, _ in app.presenter.view().next_numbers]


def test_a_ticket_another_window_calls_leaves_the_list_and_new_ones_appear(qtbot, server, desk):
    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        first = kiosk.issue(queue="A")["number"]
        qtbot.waitUntil(lambda: first in next_numbers(desk), timeout=5000)
        second = kiosk.issue(queue="A")["number"]
    qtbot.waitUntil(lambda: second in next_numbers(desk), timeout=5000)
    with HallClient(server.url, "demo") as other:
        other.login("clerk04", "demo1234")
        other.sign_in("S04")
        assert other.call_next("S04")["number"] == first
    qtbot.waitUntil(lambda: first not in next_numbers(desk), timeout=5000)
    assert second in next_numbers(desk)
    qtbot.waitUntil(lambda: "等候 1 人" in desk.window.pad.queues.text(), timeout=5000)


def test_after_the_server_comes_back_the_pad_says_it_resynced(qtbot, server, desk):
    banner = desk.window.pad.connection
    server.kill9()
    qtbot.waitUntil(lambda: banner.text() == "网络中断，正在重新连接…", timeout=10_000)
    server.start()
    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        late = kiosk.issue(queue="A")["number"]
    qtbot.waitUntil(lambda: banner.text() == "已重新连接，数据已同步", timeout=20_000)
    qtbot.waitUntil(lambda: late in next_numbers(desk), timeout=10_000)
    desk.run(desk.presenter.call_next).result(timeout=10)
    assert desk.presenter.view().number != "—", desk.presenter.view().message
