"""The pure rules：追评 window and count，差评整改 steps, deadlines in working days."""

from __future__ import annotations

import datetime as dt

import pytest

from server.domain import followups
from server.domain.errors import Conflict, Invalid
from server.domain.model import Outcome, Priority, Source, Ticket, TicketStatus
from server.stats.periods import WorkCalendar

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def rated(level: int | None = 4) -> Ticket:
    return Ticket(
        id="t1",
        hall="demo",
        business_date=NOW.date(),
        queue="A",
        number="A001",
        rank=1,
        status=TicketStatus.FINISHED,
        priority=Priority.NORMAL,
        source=Source.KIOSK,
        issued_at=NOW,
        window="S01",
        clerk="clerk01",
        outcome=Outcome.ACCEPTED,
        evaluation_level=level,
        evaluated_at=NOW if level else None,
    )


def test_a_second_rating_is_allowed_once_within_the_window():
    assert followups.check_second_rating(rated(), False, 2, ["慢"], ["慢"], NOW, 15) == ("慢",)
    last = NOW + dt.timedelta(days=15)
    assert followups.check_second_rating(rated(), False, 5, [], [], last, 15) == ()
    with pytest.raises(Conflict) as late:
        followups.check_second_rating(rated(), False, 5, [], [], last + dt.timedelta(seconds=1), 15)
    assert late.value.code == "followup_rating_closed"
    with pytest.raises(Conflict) as twice:
        followups.check_second_rating(rated(), True, 5, [], [], NOW, 15)
    assert twice.value.code == "followup_rating_exists"
    with pytest.raises(Conflict) as first:
        followups.check_second_rating(rated(None), False, 5, [], [], NOW, 15)
    assert first.value.code == "not_evaluated"
    with pytest.raises(Conflict):  # 0 days turns 追评 off
        followups.check_second_rating(rated(), False, 5, [], [], NOW, 0)


def test_a_poor_second_rating_needs_a_reason_from_the_list():
    with pytest.raises(Invalid) as missing:
        followups.check_second_rating(rated(), False, 1, [], ["慢"], NOW, 15)
    assert missing.value.code == "rating_reason_required"
    with pytest.raises(Invalid) as unknown:
        followups.check_second_rating(rated(), False, 1, ["乱"], ["慢"], NOW, 15)
    assert unknown.value.code == "unknown_rating_reason"


@pytest.mark.parametrize(("level", "opens"), [(1, True), (2, True), (3, False), (5, False)])
def test_only_poor_ratings_open_an_item(level, opens):
    item = followups.open_followup(rated(level), level, (), None, NOW, NOW.date())
    assert (item is not None) == opens


def test_an_item_closes_only_after_callback_and_rectification():
    item = followups.open_followup(rated(1), 1, ("慢",), "太慢", NOW, dt.date(2026, 12, 1))
    assert item is not None and not item.overdue(dt.date(2026, 12, 1))
    assert item.overdue(dt.date(2026, 12, 2))
    with pytest.raises(Conflict) as early:
        followups.close(item, "supervisor", None, NOW)
    assert early.value.detail == {"missing": ["callback", "rectification"]}
    item = followups.record_callback(item, False, "无人接听", "supervisor", "t")
    item = followups.record_callback(item, True, "已联系", "supervisor", "t2")  # a later call
    item = followups.record_rectification(item, "已整改", "supervisor", "t3")
    done = followups.close(item, "supervisor", "认可", NOW)
    assert done.status == "closed" and done.callback == {
        "reached": True,
        "note": "已联系",
        "at": "t2",
        "by": "supervisor",
    }
    assert not done.overdue(dt.date(2027, 1, 1))
    with pytest.raises(Conflict) as closed:
        followups.record_rectification(done, "x", "supervisor", "t4")
    assert closed.value.code == "followup_closed"


def test_deadlines_count_working_days_with_holidays_and_make_up_days():
    calendar = WorkCalendar(
        holidays=frozenset({dt.date(2026, 10, 1), dt.date(2026, 10, 2)}),
        workdays=frozenset({dt.date(2026, 10, 10)}),  # a Saturday worked (调休)
    )
    assert calendar.add_working_days(dt.date(2026, 11, 24), 5) == dt.date(2026, 12, 1)
    assert calendar.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)
    # Wed 9-30 → skips the holidays 10-1, 10-2 and the weekend 10-3/10-4 …
    assert calendar.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 5)
    # … and counts the Saturday 10-10 worked
    assert calendar.add_working_days(dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)
