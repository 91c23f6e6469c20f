"""What the kiosk hands the printer: the ticket JSON as a stub, the online-advice slip."""

from __future__ import annotations

import datetime as dt

from drivers.printer import decode
from drivers.sim import get_simulator
from kiosk.devices import KioskPrinter
from kiosk.stub import advice_slip, local_time, ticket_stub
from kiosk.texts import wait_text
from tests.kiosk.conftest import SCREENS

TICKET = {
    "id": "AbCdEfGh12345678",
    "number": "B001",
    "queue": "B",
    "queue_name": "不动产登记",
    "matter_name": "二手房买卖转移登记",
    "windows": ["S13", "S14", "S15"],
    "priority": "normal",
    "waiting_ahead": 3,
    "estimated_wait_min": 36,
    "issued_at": "2026-11-24T01:00:00Z",
    "applicant_masked": "张**",
    "id_masked": "110105****1234",
    "progress_url": "http://127.0.0.1:8000/t/AbCdEfGh12345678?s=secret",
}


def test_the_stub_carries_the_tickets_fields_in_hall_time():
    stub = ticket_stub(TICKET, "示例市政务服务中心", "Asia/Shanghai")
    assert (stub.number, stub.matter, tuple(stub.windows)) == (
        "B001",
        "二手房买卖转移登记",
        ("S13", "S14", "S15"),
    )
    assert stub.issued_at == dt.datetime(2026, 11, 24, 9, 0)
    assert stub.variant == "normal" and stub.qr_url.endswith("?s=secret")


def test_green_appointment_and_requeued_stubs_have_their_heading():
    assert ticket_stub({**TICKET, "priority": "green"}, "h", "Asia/Shanghai").variant == "green"
    appt = ticket_stub({**TICKET, "priority": "appointment"}, "h", "Asia/Shanghai")
    assert appt.variant == "appointment"
    assert ticket_stub(TICKET, "h", "Asia/Shanghai", requeued=True).variant == "requeued"


def test_a_matter_less_ticket_prints_its_queue_name():
    stub = ticket_stub({**TICKET, "matter_name": None}, "h", "Asia/Shanghai")
    assert stub.matter == "不动产登记"


def test_times_the_server_did_not_send_print_as_given():
    assert local_time(None, "Asia/Shanghai") == ""
    assert local_time("soon", "Asia/Shanghai") == "soon"


def test_the_advice_slip_says_where_to_do_it_online():
    leaf = {"label": "查询", "online": "可全程网办，无需取号", "online_where": "微信小程序"}
    slip = advice_slip("示例市政务服务中心", leaf, dt.datetime(2026, 11, 24, 9, 5))
    assert (slip.matter, slip.advice, tuple(slip.where)) == (
        "查询",
        "可全程网办，无需取号",
        ("微信小程序",),
    )


def test_the_printed_stub_decodes_to_the_ticket_and_renders_for_people():
    url = "sim://xprinter-xp80c?name=kiosk-stub-test"
    printer = KioskPrinter("xprinter-xp80c", url)
    printer.print_ticket(ticket_stub(TICKET, "示例市政务服务中心", "Asia/Shanghai"))
    sim = get_simulator(url)
    text = decode(sim.received)
    for line in ("B001", "办理窗口：S13、S14、S15", "证件号码：110105****1234", "等待人数：3 人"):
        assert line in text
    assert len(sim.received) < 2048  # DESIGN §7: a stub is at most 2 KB of ESC/POS
    sim.render_png(SCREENS / "kiosk-stub-80mm.png")
    printer.close()


def test_a_waiting_estimate_is_said_in_hours_past_an_hour() -> None:
    assert [wait_text(n) for n in (0, 45, 60, 512)] == [
        "0 分钟",
        "45 分钟",
        "1 小时",
        "8 小时 32 分钟",
    ]
    assert [wait_text(n, "en") for n in (45, 60, 125)] == ["45 minutes", "1 h", "2 h 5 min"]
