"""Use cases behind the store's door, run on the in-memory unit of work (no database)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from server.domain.model import Ticket, TicketStatus, Window, WindowStatus
from server.domain.records import Device
from server.services import appointments, dayend, devices, leases, live
from tests.unit.fake_store import HALL, START, hall_layout, make_context


def _kiosk(store, status="ok"):
    kiosk = Device(HALL, "kiosk-1", "kiosk", "一号取号机", None, status, None, START)
    store.state.devices[(HALL, "kiosk-1")] = (kiosk, "token-of-kiosk-1")


def _events(published):
    return [json.loads(text) for _, _, text in published]


def test_a_device_report_is_announced_only_when_its_health_changes():
    ctx, store, published, _ = make_context()
    _kiosk(store)
    view = devices.report_status(ctx, HALL, "kiosk-1", "paper_low", "纸将尽", "kiosk-1")
    devices.report_status(ctx, HALL, "kiosk-1", "paper_low", "纸将尽", "kiosk-1")
    assert view["status"] == "paper_low" and view["name"] == "一号取号机"
    assert [e["type"] for e in _events(published.items)] == ["device.status"]
    assert store.state.devices[(HALL, "kiosk-1")][0].status == "paper_low"
    assert store.state.seq[HALL] == 1 and store.state.notices == [HALL]


def test_a_kiosk_reports_for_its_printer_which_is_stored_under_it():
    ctx, store, published, _ = make_context()
    _kiosk(store)
    view = devices.report_status(ctx, HALL, "kiosk-1.printer", "paper_out", None, "kiosk-1")
    assert view["kind"] == "printer" and view["status"] == "paper_out"
    printer, token = store.state.devices[(HALL, "kiosk-1.printer")]
    assert token == f"peripheral:{HALL}:kiosk-1.printer" and printer.status == "paper_out"
    assert _events(published.items)[0]["device"]["id"] == "kiosk-1.printer"


def test_an_unknown_peripheral_or_device_is_refused_and_nothing_is_stored():
    ctx, store, published, _ = make_context()
    _kiosk(store)
    with pytest.raises(Invalid) as bad:
        devices.report_status(ctx, HALL, "kiosk-1.toaster", "ok", None, "kiosk-1")
    assert bad.value.code == "unknown_peripheral"
    with pytest.raises(NotFound):
        devices.report_status(ctx, HALL, "kiosk-9", "ok", None, None)
    with pytest.raises(Forbidden):
        devices.report_status(ctx, HALL, "kiosk-2", "ok", None, "kiosk-1")
    assert list(store.state.devices) == [(HALL, "kiosk-1")] and published.items == []


def test_a_sign_of_a_real_window_is_a_peripheral_but_not_of_a_missing_one():
    ctx, store, _, _ = make_context()
    _kiosk(store)
    store.state.windows[(HALL, "S01")] = Window("S01", "一号窗口", "Z", ("A",))
    devices.report_status(ctx, HALL, "kiosk-1.sign-S01", "ok", None, "kiosk-1")
    with pytest.raises(Invalid):
        devices.report_status(ctx, HALL, "kiosk-1.sign-S09", "ok", None, "kiosk-1")


def test_silent_peripherals_are_forgotten_after_a_day_but_hall_file_devices_stay():
    ctx, store, _, clock = make_context()
    _kiosk(store)
    devices.report_status(ctx, HALL, "kiosk-1.printer", "ok", None, "kiosk-1")
    clock.advance(hours=25)
    assert devices.forget_silent_peripherals(ctx, HALL) == 1
    assert list(store.state.devices) == [(HALL, "kiosk-1")]


def test_a_lease_is_held_by_one_holder_until_it_runs_out():
    ctx, store, _, clock = make_context()
    first = leases.acquire(ctx, HALL, "announcer", "screen-1", 30)
    assert first["holder"] == "screen-1" and first["live"]
    with pytest.raises(Conflict) as held:
        leases.acquire(ctx, HALL, "announcer", "screen-2", 30)
    assert held.value.code == "lease_held"
    clock.advance(seconds=31)
    assert leases.acquire(ctx, HALL, "announcer", "screen-2", 30)["holder"] == "screen-2"
    assert store.state.leases[(HALL, "announcer")].holder == "screen-2"


def test_only_the_holder_releases_a_lease_unless_forced():
    ctx, store, _, _ = make_context()
    leases.acquire(ctx, HALL, "announcer", "screen-1", 30)
    with pytest.raises(Forbidden):
        leases.release(ctx, HALL, "announcer", "screen-2")
    assert leases.release(ctx, HALL, "announcer", None, force=True)["released"] == "screen-1"
    assert store.state.leases == {}
    with pytest.raises(NotFound):
        leases.current(ctx, HALL, "announcer")


def test_a_booked_slot_fills_up_and_one_id_books_a_queue_once_a_day():
    ctx, store, _, _ = make_context(hall_layout(appointment_capacity=1))
    slot = dt.datetime(2026, 12, 8, 10, 0)  # hall-local
    booked = appointments.book(ctx, HALL, "A", slot, "张三", "11010519491231002X", None)
    assert booked["queue_name"] == "综合业务" and booked["slot"] == "2026-12-08T02:00:00Z"
    with pytest.raises(Conflict) as full:
        appointments.book(ctx, HALL, "A", slot, "李四", "110105195001010012", None)
    assert full.value.code == "appointment_full"
    later = dt.datetime(2026, 12, 8, 15, 0)
    with pytest.raises(Conflict) as again:
        appointments.book(ctx, HALL, "A", later, "张三", "11010519491231002X", None)
    assert again.value.code == "appointment_exists"
    assert len(store.state.appointments) == 1


def test_an_appointment_checks_in_from_a_quarter_hour_before_its_slot():
    ctx, store, _, clock = make_context(hall_layout(appointment_capacity=2))
    slot = dt.datetime(2026, 12, 7, 10, 0)
    code = appointments.book(ctx, HALL, "A", slot, "张三", "11010519491231002X", None)["code"]
    queue = hall_layout().queues["A"]
    with store.write() as repos:
        tx = _hall_tx(ctx, repos)
        assert appointments.queue_of(tx, code.lower()) == "A"
        with pytest.raises(Conflict) as early:
            appointments.check_in(tx, queue, code)
    assert early.value.code == "appointment_too_early"
    clock.advance(minutes=50)  # 09:50 local
    with store.write() as repos:
        tx = _hall_tx(ctx, repos)
        assert appointments.check_in(tx, queue, code).on_time
        appointments.link_ticket(tx, code, "t-1")
    assert store.state.appointments[code].status == "checked_in"


def _hall_tx(ctx, repos):
    from server.services.context import HallTx

    locked = repos.halls.lock(HALL, dt.date(2026, 12, 6))
    assert locked is not None
    return HallTx(ctx, repos, HALL, locked.last_seq)


def _ticket(day, status=TicketStatus.WAITING, number="A001"):
    return Ticket(f"t-{number}", HALL, day, "A", number, 1, START, status=status)


def test_day_end_expires_yesterdays_tickets_and_closes_windows_once():
    ctx, store, published, _ = make_context()
    yesterday = dt.date(2026, 12, 6)
    store.state.tickets["t-A001"] = _ticket(yesterday)
    store.state.waiting[(HALL, yesterday, "A")] = 1
    store.state.windows[(HALL, "S01")] = Window(
        "S01", "一号窗口", "Z", ("A",), status=WindowStatus.OPEN, clerk="clerk01"
    )
    assert dayend.close_day(ctx, HALL) == 1
    assert dayend.close_day(ctx, HALL) == 0
    assert store.state.tickets["t-A001"].status is TicketStatus.EXPIRED
    assert store.state.waiting[(HALL, yesterday, "A")] == 0
    assert store.state.windows[(HALL, "S01")].status is WindowStatus.CLOSED
    assert [e["type"] for e in _events(published.items)] == ["ticket.expired", "window.closed"]
    assert dayend.halls_in_store(ctx) == [HALL]


def test_the_snapshot_shows_waiting_tickets_counts_and_devices():
    ctx, store, _, _ = make_context()
    _kiosk(store, "paper_low")
    today = dt.date(2026, 12, 7)
    store.state.tickets["t-A001"] = _ticket(today)
    store.state.tickets["t-A000"] = _ticket(today, TicketStatus.FINISHED, "A000")
    store.state.waiting[(HALL, today, "A")] = 1
    store.state.seq[HALL] = 7
    snap = live.snapshot(ctx, HALL)
    assert snap["seq"] == 7 and snap["business_date"] == "2026-12-07"
    assert snap["queue_counts"] == {"A": 1}
    assert [t["number"] for t in snap["tickets"]] == ["A001"]
    assert [d["status"] for d in snap["devices"]] == ["paper_low"]
    assert live.needs_snapshot(ctx, HALL, None) and not live.needs_snapshot(ctx, HALL, 7)
