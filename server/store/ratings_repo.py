"""好差评 reads for the provincial adapters, and 追评 (second ratings) in the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from server.store.tables import cases, halls, matters, second_ratings, tickets, users


@dataclass(frozen=True)
class SecondRating:
    """A citizen's 追评，kept beside the first rating."""

    ticket_id: str
    hall: str
    level: int
    comment: str | None
    reasons: tuple[str, ...]
    channel: str
    rated_at: dt.datetime


@dataclass(frozen=True)
class RatedService:
    """What an adapter needs about a rated service: ticket, matter, department, clerk, hall."""

    ticket: dict[str, Any]  # the ticket row (with `case_no` once tickets carry it)
    hall_name: str
    hall_settings: dict[str, Any]  # region_code, region_name, rating_reasons …
    matter_name: str | None
    catalog_code: str | None
    department: str | None
    department_code: str | None
    clerk_name: str | None
    staff_no: str | None
    second: SecondRating | None
    timezone: str = "Asia/Shanghai"
    promise_days: int | None = None  # 承诺时限 once matters carry `limit_days`


class RatingsRepo:
    """Ratings of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def second(self, ticket_id: str) -> SecondRating | None:
        """The 追评 of a ticket, if any."""
        row = self.conn.execute(
            select(second_ratings).where(second_ratings.c.ticket_id == ticket_id)
        ).first()
        if row is None:
            return None
        m = row._mapping
        return SecondRating(
            ticket_id=m["ticket_id"],
            hall=m["hall"],
            level=m["level"],
            comment=m["comment"],
            reasons=tuple(m["reasons"] or ()),
            channel=m["channel"],
            rated_at=m["rated_at"],
        )

    def add_second(self, rating: SecondRating) -> None:
        """Store a 追评 (the primary key refuses a second one)."""
        self.conn.execute(
            second_ratings.insert().values(
                ticket_id=rating.ticket_id,
                hall=rating.hall,
                level=rating.level,
                comment=rating.comment,
                reasons=list(rating.reasons),
                channel=rating.channel,
                rated_at=rating.rated_at,
            )
        )

    def rated_service(self, ticket_id: str) -> RatedService | None:
        """Everything about a rated ticket that a 好差评 upload names, or None."""
        row = self.conn.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
        if row is None:
            return None
        t = dict(row._mapping)
        hall = self.conn.execute(
            select(halls.c.name, halls.c.config, halls.c.timezone).where(halls.c.code == t["hall"])
        ).first()
        matter = None
        if t.get("matter"):
            matter = self.conn.execute(
                select(matters).where(matters.c.hall == t["hall"], matters.c.code == t["matter"])
            ).first()
        clerk = None
        if t.get("clerk"):
            clerk = self.conn.execute(
                select(users.c.name, users.c.staff_no).where(users.c.username == t["clerk"])
            ).first()
        mm = matter._mapping if matter is not None else {}
        # The case its 受理 opened (issue 18): its 办件编号 keys the upload, its limit is promised.
        case = self.conn.execute(
            select(cases.c.case_no, cases.c.limit_days)
            .where(cases.c.hall == t["hall"], cases.c.ticket_id == ticket_id)
            .order_by(cases.c.opened_at.desc())
        ).first()
        if case is not None:
            t["case_no"] = case.case_no
        settings = dict((hall.config or {}).get("settings", {})) if hall is not None else {}
        return RatedService(
            ticket=t,
            hall_name=hall.name if hall is not None else t["hall"],
            hall_settings=settings,
            matter_name=mm.get("name"),
            catalog_code=mm.get("catalog_code"),
            department=mm.get("department"),
            department_code=mm.get("department_code"),
            clerk_name=clerk.name if clerk is not None else None,
            staff_no=clerk.staff_no if clerk is not None else None,
            second=self.second(ticket_id),
            timezone=hall.timezone if hall is not None else "Asia/Shanghai",
            promise_days=case.limit_days if case is not None else _limit_days(settings, t),
        )


def _limit_days(settings: dict[str, Any], ticket: dict[str, Any]) -> int | None:
    """The matter's promised limit (承诺时限) from the hall file, for a service with no case."""
    rule = settings.get("cases", {}).get("matters", {}).get(ticket.get("matter") or "")
    return int(rule["limit_days"]) if rule else None
