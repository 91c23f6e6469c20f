"""绿色通道 (age ≥ 65 by ID, or a guide confirms), the guide's reprint, and 预约签到."""

from __future__ import annotations

import datetime as dt

from kiosk.state import Field, Screen
from tests.helpers import TZ, login, valid_id

OLD = valid_id("19500101")  # 76
SIXTY_FOUR = valid_id("19620315", "222")  # 64 on 2026-11-24
YOUNG = valid_id("19900315", "456")


def _sign_in_guide(kiosk, username="clerk11", password="demo1234"):
    kiosk.type(username)
    kiosk.p.focus(Field.PASSWORD)
    kiosk.type(password)
    kiosk.p.staff_confirm()


def test_an_id_card_of_someone_over_65_opens_the_green_channel(kiosk):
    kiosk.p.open_green()
    kiosk.p.card_read("张三丰", OLD)
    assert kiosk.s.screen is Screen.HOME and kiosk.s.green == "age"
    assert kiosk.s.message.text == "已确认：绿色通道优先办理，请选择业务"
    kiosk.p.choose_queue("R")
    assert kiosk.s.entry(Field.ID) == OLD and kiosk.s.focus is Field.PHONE
    kiosk.p.take_number()
    assert kiosk.s.ticket["priority"] == "green"
    assert kiosk.printer.tickets[-1].variant == "green"


def test_under_65_the_green_channel_needs_a_guide(kiosk):
    kiosk.p.open_green()
    kiosk.type(SIXTY_FOUR)
    kiosk.p.green_check_age()
    assert kiosk.s.screen is Screen.GREEN and kiosk.s.green is None
    assert kiosk.s.message.text == "未满 65 周岁，请由引导员确认"


def test_a_guide_confirms_the_green_channel_and_the_ticket_is_theirs(kiosk, client):
    kiosk.p.open_green()
    kiosk.p.open_staff_login("green")
    assert kiosk.s.screen is Screen.STAFF_LOGIN and kiosk.s.focus is Field.USERNAME
    _sign_in_guide(kiosk)
    assert kiosk.s.green == "guide" and kiosk.s.screen is Screen.HOME
    assert Field.PASSWORD not in kiosk.s.entries
    kiosk.p.choose_queue("A")  # the guide's confirmation carries on from the home page
    kiosk.type(YOUNG)
    kiosk.p.take_number()
    ticket_id = kiosk.s.ticket["id"]
    staff = client.get(f"/api/v1/tickets/{ticket_id}", headers=login(client, "supervisor")).json()
    assert (staff["priority"], staff["source"]) == ("green", "guide")
    assert "POST /api/v1/auth/logout" in kiosk.net.calls  # the guide's session is closed


def test_a_guide_may_take_a_green_number_for_someone_without_an_id(kiosk):
    kiosk.p.open_staff_login("green")
    _sign_in_guide(kiosk)
    kiosk.p.choose_queue("D")
    kiosk.p.take_number()
    assert kiosk.s.ticket["number"] == "D001" and kiosk.s.ticket["priority"] == "green"


def test_a_wrong_guide_password_is_refused_and_forgotten(kiosk):
    kiosk.p.open_staff_login("green")
    _sign_in_guide(kiosk, password="wrong-pass")
    assert kiosk.s.screen is Screen.STAFF_LOGIN and kiosk.s.green is None
    assert kiosk.s.message.error and Field.PASSWORD not in kiosk.s.entries


def test_back_from_the_guide_sign_in_returns_to_the_green_page(kiosk):
    kiosk.p.open_green()
    kiosk.p.open_staff_login("green")
    kiosk.p.back()
    assert kiosk.s.screen is Screen.GREEN


def test_a_guide_reprints_the_last_ticket_from_the_server(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.p.card_read("李四", YOUNG)
    kiosk.p.take_number()
    kiosk.p.home()
    assert kiosk.s.can_reprint
    kiosk.p.reprint()
    assert kiosk.s.screen is Screen.STAFF_LOGIN and kiosk.s.staff_purpose == "reprint"
    _sign_in_guide(kiosk)
    first, second = kiosk.printer.tickets
    assert first.number == second.number == "A001"
    assert second.applicant_masked == "李*" and second.id_masked == first.id_masked
    assert "?s=" in first.qr_url and second.qr_url == first.qr_url  # the same stub, QR too
    assert kiosk.s.screen is Screen.TICKET


def test_there_is_nothing_to_reprint_before_the_first_ticket(kiosk):
    kiosk.p.reprint()
    assert kiosk.s.screen is Screen.HOME and not kiosk.s.can_reprint


def test_an_appointment_checks_in_with_its_code(kiosk, client):
    slot = dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    booked = client.post(
        "/api/v1/halls/demo/appointments",
        json={
            "queue": "G",
            "slot": slot.isoformat(),
            "applicant_name": "王小二",
            "id_number": YOUNG,
        },
        headers={"Authorization": "Bearer demo-online"},
    )
    assert booked.status_code == 201, booked.text
    kiosk.p.open_appointment()
    assert kiosk.s.focus is Field.CODE and kiosk.s.appointment_queue is None
    kiosk.p.appointment_pick("G")
    kiosk.type(booked.json()["code"].lower())
    kiosk.p.check_in()
    s = kiosk.s
    assert s.screen is Screen.TICKET and s.ticket["priority"] == "appointment"
    assert s.ticket["applicant_masked"] == "王**"
    assert kiosk.printer.tickets[-1].variant == "appointment"


def test_an_unknown_appointment_code_is_explained(kiosk):
    kiosk.p.open_appointment()
    kiosk.p.check_in()
    assert kiosk.s.message.text == "请选择您预约的业务"
    kiosk.p.appointment_pick("A")
    kiosk.type("ACDE3479")
    kiosk.p.check_in()
    assert kiosk.s.message.text == "预约码无效，请核对后重新输入"
