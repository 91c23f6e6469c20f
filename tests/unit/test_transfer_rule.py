"""转移 to a window: which windows receive transfers and when a ticket stops waiting for one."""

import datetime as dt
from dataclasses import replace

from server.domain.model import Ticket, TicketStatus, Window, WindowStatus
from server.domain.transfer import (
    fallback_minutes,
    receives_transfers,
    release_stranded,
    stranded,
)

T0 = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)


def ticket(target: str | None = "S07", at: dt.datetime = T0) -> Ticket:
    return Ticket(
        id="t1",
        hall="demo",
        business_date=T0.date(),
        queue="A",
        number="A001",
        rank=1,
        issued_at=T0,
        status=TicketStatus.WAITING,
        transferred=True,
        target_window=target,
        transferred_at=at,
    )


def test_only_an_open_window_that_serves_a_queue_receives_transfers():
    w = Window(code="S07", name="S07", area="x", queues=("A",), status=WindowStatus.OPEN)
    assert receives_transfers(w)
    assert not receives_transfers(replace(w, status=WindowStatus.PAUSED))
    assert not receives_transfers(replace(w, status=WindowStatus.CLOSED))
    assert not receives_transfers(replace(w, queues=()))


def test_a_ticket_waits_for_its_closed_window_until_the_fallback_minutes_pass():
    t = ticket()
    assert not stranded(t, open_windows=set(), now=T0 + dt.timedelta(minutes=9), minutes=10)
    assert stranded(t, open_windows=set(), now=T0 + dt.timedelta(minutes=10), minutes=10)


def test_a_ticket_whose_window_is_open_is_never_stranded():
    t = ticket()
    assert not stranded(t, open_windows={"S07"}, now=T0 + dt.timedelta(hours=3), minutes=10)


def test_tickets_without_a_target_window_are_left_as_they_are():
    t = ticket(target=None)
    assert not stranded(t, open_windows=set(), now=T0 + dt.timedelta(hours=3), minutes=10)
    assert release_stranded([t], set(), T0 + dt.timedelta(hours=3), 10) == [t]


def test_a_stranded_ticket_is_released_to_every_window_of_its_queue_and_stays_first():
    t = ticket()
    later = T0 + dt.timedelta(minutes=15)
    (released,) = release_stranded([t], set(), later, 10)
    assert released.target_window is None and released.transferred
    (kept,) = release_stranded([t], {"S07"}, later, 10)
    assert kept.target_window == "S07"


def test_the_fallback_minutes_come_from_the_hall_settings_with_a_default_of_ten():
    assert fallback_minutes({}) == 10
    assert fallback_minutes({"transfer_fallback_minutes": 3}) == 3
