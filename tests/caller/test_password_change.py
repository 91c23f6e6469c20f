"""The desktop pad asks for a new password when the sign-in says the initial one must go."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from caller.presenter import CallerPresenter
from server.client import HallClient
from tests.server.test_password_rules import strict_hall


@pytest.fixture
def strict_pad(make_client, clock, tmp_path) -> Iterator[CallerPresenter]:
    client: TestClient = make_client(clock, halls=[strict_hall(tmp_path)])
    api = HallClient("http://testserver", "demo", transport=client._transport)
    yield CallerPresenter(api, preset_window="S01")  # type: ignore[arg-type]
    api.close()


def test_the_initial_password_is_changed_then_the_clerk_signs_in(strict_pad):
    pad = strict_pad
    assert not pad.login("clerk01", "demo1234")
    assert pad.view().phase == "change_password"
    assert pad.view().message == "请先修改初始密码，然后用新密码签到"
    assert not pad.change_password("demo1234", "Window-2026", "Window-2027")
    assert pad.view().message == "两次输入的新密码不一致"
    assert not pad.change_password("demo1234", "weak", "weak")
    assert pad.view().message.startswith("密码强度不足：") and pad.view().phase == "change_password"
    assert pad.change_password("demo1234", "Window-2026", "Window-2026")
    assert pad.view().phase == "login" and pad.view().message == "密码已修改，请用新密码签到"
    assert pad.login("clerk01", "Window-2026")
    assert pad.view().phase == "working"


def test_the_window_shows_the_change_password_page_and_sends_the_three_fields(qapp, qtbot):
    from caller.views.main import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    pad = CallerPresenter(None, preset_window="S01")  # type: ignore[arg-type]
    pad.state.phase = "change_password"
    pad.state.message, pad.state.level = "<b>请先修改初始密码</b>", "warn"
    window.render(pad.view())
    assert window.stack.currentWidget() is window.password
    assert window.password.message.text() == "<b>请先修改初始密码</b>"  # plain text
    sent: list[tuple[str, str, str]] = []
    window.password.change_requested.connect(lambda *a: sent.append(a))
    window.password.old.setText("demo1234")
    window.password.new.setText("Window-2026")
    window.password.again.setText("Window-2026")
    window.password.submit.click()
    assert sent == [("demo1234", "Window-2026", "Window-2026")]
    assert window.password.new.text() == ""
