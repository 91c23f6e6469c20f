"""Faults: the printer stops issuing and is reported; an unreachable server prints nothing."""

from __future__ import annotations

from kiosk.core import pause_banner
from kiosk.state import Screen
from tests.helpers import valid_id
from tests.kiosk.conftest import device_statuses, issued_numbers, take

ID = valid_id("19851212", "321")


def test_paper_out_pauses_issuing_and_the_server_sees_the_printer_status(kiosk, client):
    kiosk.p.printer_changed("paper_out", "DLE EOT 4: paper end")
    s = kiosk.s
    assert s.paused == "paper_out"
    assert pause_banner(s) == "暂停取号 — 打印机缺纸，请到服务台"
    assert device_statuses(client)["kiosk-1.printer"] == "paper_out"
    kiosk.p.choose_queue("A")
    assert kiosk.s.screen is Screen.HOME  # no queue can be chosen while paused


def test_refilled_paper_resumes_issuing_and_is_reported(kiosk, client):
    kiosk.p.printer_changed("paper_out")
    kiosk.printer.status_value = "ok"
    kiosk.p.printer_changed("ok")
    assert kiosk.s.paused is None and pause_banner(kiosk.s) is None
    assert device_statuses(client)["kiosk-1.printer"] == "ok"
    take(kiosk, "A", ID)
    assert kiosk.s.ticket["number"] == "A001"


def test_low_paper_is_reported_but_still_prints(kiosk, client):
    kiosk.printer.status_value = "paper_low"
    kiosk.p.printer_changed("paper_low")
    assert kiosk.s.paused is None
    assert device_statuses(client)["kiosk-1.printer"] == "paper_low"
    take(kiosk, "A", ID)
    assert [t.number for t in kiosk.printer.tickets] == ["A001"]


def test_cover_opened_since_the_last_poll_stops_the_ticket_before_it_is_issued(kiosk, client):
    kiosk.p.choose_queue("A")
    kiosk.type(ID)
    kiosk.printer.status_value = "cover_open"  # the poller has not seen it yet
    kiosk.p.take_number()
    assert issued_numbers(client) == [] and kiosk.printer.tickets == []
    assert kiosk.s.message.text == "暂停取号 — 打印机上盖未合上，请到服务台"
    assert device_statuses(client)["kiosk-1.printer"] == "cover_open"


def test_a_printer_that_cannot_say_its_state_does_not_pause_the_kiosk(kiosk):
    kiosk.printer.has_status = False
    kiosk.printer.status_value = "unknown"
    kiosk.p.printer_changed("unknown")
    assert kiosk.s.paused is None


def test_a_silent_printer_that_should_answer_pauses_the_kiosk(kiosk):
    kiosk.p.printer_changed("unknown", "DLE EOT 1：无应答")
    assert pause_banner(kiosk.s) == "暂停取号 — 打印机无应答，请到服务台"


def test_a_job_that_fails_after_issuing_shows_the_number_and_says_to_ask_the_desk(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.type(ID)
    kiosk.printer.jam_next = True
    kiosk.p.take_number()
    s = kiosk.s
    assert s.screen is Screen.TICKET and s.ticket["number"] == "A001" and not s.ticket_printed
    assert s.message.text == "小票打印失败，请记下号码并到服务台补打"
    assert s.paused == "paper_out"


def test_server_unreachable_says_so_and_prints_nothing(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.type(ID)
    kiosk.net.down = True
    kiosk.p.take_number()
    s = kiosk.s
    assert not s.server_ok and s.paused == "server_down"
    assert pause_banner(s) == "无法连接服务器 — 暂停取号，正在自动重连，请到服务台"
    assert s.message.text == pause_banner(s)  # said once: the window shows it as the banner
    assert kiosk.printer.tickets == []
    kiosk.net.down = False
    kiosk.p.heartbeat()
    assert kiosk.s.server_ok and kiosk.s.message is None  # the line goes with the pause


def test_the_kiosk_reconnects_by_itself_and_issues_again(kiosk):
    kiosk.net.down = True
    kiosk.p.on_live_status("disconnected")  # the live feed noticed first
    assert not kiosk.s.server_ok
    kiosk.p.heartbeat()
    assert not kiosk.s.server_ok
    kiosk.net.down = False
    kiosk.p.heartbeat()
    assert kiosk.s.server_ok and kiosk.s.paused is None
    take(kiosk, "A", ID)
    assert [t.number for t in kiosk.printer.tickets] == ["A001"]


def test_a_dropped_live_feed_makes_the_kiosk_check_the_server(kiosk):
    kiosk.net.down = True
    kiosk.p.on_live_status("disconnected")
    assert not kiosk.s.server_ok
    kiosk.net.down = False
    kiosk.p.on_live_status("resynced")
    assert kiosk.s.server_ok


def test_a_printer_status_is_delivered_once_the_server_is_back(kiosk, client):
    kiosk.net.down = True
    kiosk.p.on_live_status("disconnected")
    kiosk.p.printer_changed("paper_out")
    assert "kiosk-1.printer" not in device_statuses(client)
    kiosk.net.down = False
    kiosk.p.heartbeat()  # reconnects and sends what is pending
    assert device_statuses(client)["kiosk-1.printer"] == "paper_out"


def test_the_kiosk_reports_itself_when_it_starts(kiosk, client):
    assert device_statuses(client)["kiosk-1"] == "ok"


def test_a_kiosk_started_without_a_server_waits_on_the_connecting_page(client, clock):
    k = _offline_kiosk(client, clock)
    assert k.s.screen is Screen.CONNECTING and not k.s.server_ok
    k.net.down = False
    k.p.heartbeat()
    assert k.s.screen is Screen.HOME


def _offline_kiosk(client, clock):
    from tests.kiosk.conftest import Kiosk

    class Offline(Kiosk):
        def hall_client(self, token):
            self.net.down = True
            return super().hall_client(token)

    return Offline(client, clock)


def test_a_bug_in_a_job_does_not_leave_the_screen_busy(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.type(ID)

    def broken(**_body):
        raise RuntimeError("bug")

    kiosk.api.issue = broken
    kiosk.p.take_number()
    assert kiosk.s.busy is None and kiosk.s.screen is Screen.IDENTIFY
    assert kiosk.s.message.text == "出现故障，请重试或到服务台"
