"""我的号码 at the kiosk: a scanned stub still waiting can 延后 N 位、暂离 and 我回来了."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx

from kiosk.state import Screen
from tests.helpers import login, valid_id, window
from tests.kiosk.conftest import take

ID = valid_id("19880808", "888")
OTHER = valid_id("19770707", "777")


def _waiting(kiosk, *ids: str) -> list[dict]:
    """Tickets of queue B taken at the kiosk, one per ID, in order; back on the home page."""
    tickets = [take(kiosk, "B", i) for i in ids]
    kiosk.p.home()
    return tickets


def test_scanning_a_waiting_stub_shows_my_number_and_prints_nothing(kiosk):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    s = kiosk.s
    assert s.screen is Screen.MINE and s.busy is None and s.message is None
    assert s.mine["number"] == "B001" and s.mine["waiting_ahead"] == 0
    assert s.mine["step_backs"] == 0 and s.mine["away_till"] is None
    assert len(kiosk.printer.tickets) == 1  # only the first stub: nothing re-printed
    assert "requeue" not in " ".join(kiosk.net.calls)


def test_a_paused_printer_does_not_stop_my_number(kiosk):
    (mine,) = _waiting(kiosk, ID)
    kiosk.printer.status_value = "paper_out"
    kiosk.p.printer_changed("paper_out")
    kiosk.p.scan(mine["progress_url"])
    assert kiosk.s.screen is Screen.MINE  # nothing to print on this page


def test_let_one_go_first_moves_the_ticket_behind_the_next(kiosk):
    first, second = _waiting(kiosk, ID, OTHER)
    kiosk.p.scan(first["progress_url"])
    kiosk.p.mine_step_back(1)
    s = kiosk.s
    assert s.screen is Screen.MINE and s.message.text == "已让后面 1 位先办"
    assert not s.message.error and s.mine["waiting_ahead"] == 1 and s.mine["step_backs"] == 1
    kiosk.p.home()
    kiosk.p.scan(second["progress_url"])
    assert kiosk.s.mine["number"] == "B002" and kiosk.s.mine["waiting_ahead"] == 0


def test_away_keeps_the_place_until_a_hall_local_time_then_back(kiosk, clock):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    kiosk.p.mine_away(10)
    until = (clock() + dt.timedelta(minutes=10)).astimezone(ZoneInfo("Asia/Shanghai"))
    s = kiosk.s
    assert s.mine["away_till"] == f"{until:%H:%M}"
    assert s.message.text == f"已暂离，位置保留至 {until:%H:%M}" and not s.message.error
    kiosk.p.mine_come_back()
    assert kiosk.s.mine["away_till"] is None and kiosk.s.message.text == "欢迎回来，请留意叫号"


def test_the_servers_refusal_is_shown_and_nothing_changes(kiosk):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    kiosk.p.mine_step_back(9)  # more than the hall's 5
    assert kiosk.s.message.text == "每次最多延后 5 位，请选择 1 到 5 位" and kiosk.s.message.error
    kiosk.p.mine_step_back(1)
    kiosk.p.mine_away(10)
    kiosk.p.mine_come_back()
    before = kiosk.s.mine
    kiosk.p.mine_step_back(1)  # 延后 and 暂离 together: 2 per ticket
    s = kiosk.s
    assert s.message.text == "每个号码最多延后或暂离 2 次，已达上限" and s.message.error
    assert s.mine == before and s.screen is Screen.MINE and s.busy is None


def test_come_back_when_not_away_is_refused_in_chinese(kiosk):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    kiosk.p.mine_come_back()
    assert kiosk.s.message.text == "B001 号未处于暂离状态"


def test_in_english_the_refusal_is_explained_above_the_chinese(kiosk):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.toggle_language()
    kiosk.p.scan(mine["progress_url"])
    kiosk.p.mine_come_back()
    assert kiosk.s.message.text == "This number is not away.\nB001 号未处于暂离状态"


def test_a_called_ticket_says_where_to_go(kiosk, client):
    (mine,) = _waiting(kiosk, ID)
    clerk = login(client, "clerk13")
    assert window(client, clerk, "S13", "sign-in").status_code == 200
    assert window(client, clerk, "S13", "call-next").json()["number"] == "B001"
    kiosk.p.scan(mine["progress_url"])
    s = kiosk.s
    assert s.screen is Screen.HOME and s.mine is None
    assert s.message.text == "B001 号正在叫号，请到 S13 窗口办理"


def test_a_ticket_called_meanwhile_refuses_the_step(kiosk, client):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    window(client, clerk, "S13", "call-next")
    kiosk.p.mine_away(10)
    assert kiosk.s.message.text == "B001 号当前不在等候中，无法延后或暂离"
    assert kiosk.s.screen is Screen.MINE and kiosk.s.mine["away_till"] is None


def test_a_finished_ticket_says_so(kiosk, client):
    (mine,) = _waiting(kiosk, ID)
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    window(client, clerk, "S13", "call-next")
    assert window(client, clerk, "S13", "outcome", outcome="accepted").status_code == 200
    kiosk.p.scan(mine["progress_url"])
    assert kiosk.s.message.text == "B001 号已办结" and kiosk.s.screen is Screen.HOME


def test_the_page_times_out_home_and_forgets_the_ticket(kiosk):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    kiosk.wait(kiosk.config.idle_timeout_s + 1)
    assert kiosk.s.screen is Screen.HOME and kiosk.s.mine is None
    calls = len(kiosk.net.calls)
    kiosk.p.mine_step_back(1)  # a late tap after the timeout: nothing is sent
    assert len(kiosk.net.calls) == calls


def test_a_lost_reply_is_retried_with_the_same_key_and_steps_back_once(kiosk, monkeypatch):
    first, _second = _waiting(kiosk, ID, OTHER)
    kiosk.p.scan(first["progress_url"])
    net, keys = kiosk.net, []
    inner = net.handle_request

    def lose_reply(request: httpx.Request) -> httpx.Response:
        response = inner(request)  # stored by the server, then the reply is lost
        if request.url.path.endswith("/step-back"):
            keys.append(request.headers["Idempotency-Key"])
            raise httpx.ReadTimeout("timed out", request=request)
        return response

    monkeypatch.setattr(net, "handle_request", lose_reply)
    kiosk.p.mine_step_back(1)
    assert kiosk.s.message.error and kiosk.s.screen is Screen.MINE
    monkeypatch.setattr(net, "handle_request", inner)
    kiosk.p.mine_step_back(1)  # the citizen taps again
    assert kiosk.s.mine["step_backs"] == 1 and kiosk.s.mine["waiting_ahead"] == 1
    assert len(set(keys)) == 1  # every attempt, and the second tap, went with one key


def test_another_intent_after_a_lost_reply_gets_its_own_key(kiosk, monkeypatch):
    (mine,) = _waiting(kiosk, ID)
    kiosk.p.scan(mine["progress_url"])
    kiosk.net.down = True
    kiosk.p.mine_step_back(1)
    kept = kiosk.p._mine._key
    assert kept is not None and kept[0] == ("step_back", 1)
    kiosk.net.down = False
    kiosk.p.mine_away(10)
    assert kiosk.p._mine._key is None and kiosk.s.mine["away_till"] is not None


def test_another_stub_scanned_on_my_number_replaces_it(kiosk, client):
    first, second = _waiting(kiosk, ID, OTHER)
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    window(client, clerk, "S13", "call-next")  # B001 called
    kiosk.p.scan(second["progress_url"])
    assert kiosk.s.mine["number"] == "B002"
    kiosk.p.scan(first["progress_url"])  # not waiting：我的号码 of B002 is not left showing
    s = kiosk.s
    assert s.screen is Screen.HOME and s.mine is None
    assert s.message.text == "B001 号正在叫号，请到 S13 窗口办理"
    calls = len(kiosk.net.calls)
    kiosk.p.mine_step_back(1)
    assert len(kiosk.net.calls) == calls
