"""Cases (办件) and their steps, as one transaction sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from server.domain.cases import Case, CaseKind, CaseState
from server.store import repo
from server.store.tables import case_steps, cases, tickets

CASE_COUNTER = "~cases"  # the counters row of the hall's own 办件编号，beside the queues'


def _case(row: Any) -> Case:
    m = row._mapping
    return Case(
        hall=m["hall"],
        case_no=m["case_no"],
        ticket_id=m["ticket_id"],
        matter=m["matter"],
        department=m["department"],
        kind=CaseKind(m["kind"]),
        limit_days=m["limit_days"],
        applicant_masked=m["applicant_masked"],
        clerk=m["clerk"],
        window=m["window"],
        state=CaseState(m["state"]),
        opened_at=m["opened_at"],
        handed_at=m["handed_at"],
        signed_at=m["signed_at"],
        decided_at=m["decided_at"],
        decision=m["decision"],
        delivered_at=m["delivered_at"],
        delivery=m["delivery"],
        tracking_no=m["tracking_no"],
        note=m["note"],
        materials=tuple(m["materials"] or ()),
    )


def _row(case: Case) -> dict[str, Any]:
    return {
        "hall": case.hall,
        "case_no": case.case_no,
        "ticket_id": case.ticket_id,
        "matter": case.matter,
        "department": case.department,
        "kind": case.kind.value,
        "limit_days": case.limit_days,
        "applicant_masked": case.applicant_masked,
        "clerk": case.clerk,
        "window": case.window,
        "state": case.state.value,
        "opened_at": case.opened_at,
        "handed_at": case.handed_at,
        "signed_at": case.signed_at,
        "decided_at": case.decided_at,
        "decision": case.decision,
        "delivered_at": case.delivered_at,
        "delivery": case.delivery,
        "tracking_no": case.tracking_no,
        "note": case.note,
        "materials": list(case.materials),
    }


class CasesRepo:
    """Cases and case steps of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, hall: str, case_no: str) -> Case | None:
        """A case by its 办件编号."""
        row = self.conn.execute(
            select(cases).where(cases.c.hall == hall, cases.c.case_no == case_no)
        ).first()
        return _case(row) if row else None

    def of_ticket(self, ticket_id: str) -> Case | None:
        """The case a ticket's 受理 opened, if any."""
        row = self.conn.execute(select(cases).where(cases.c.ticket_id == ticket_id)).first()
        return _case(row) if row else None

    def ready_for_citizen(self, hall: str, id_hash: str) -> list[Case]:
        """A citizen's decided cases not handed out yet (by the ID of their 受理 tickets)."""
        rows = self.conn.execute(
            select(cases)
            .join(tickets, tickets.c.id == cases.c.ticket_id)
            .where(
                cases.c.hall == hall,
                tickets.c.hall == hall,
                tickets.c.id_hash == id_hash,
                cases.c.state.in_(("approved", "denied")),
            )
            .order_by(cases.c.decided_at)
        )
        return [_case(r) for r in rows]

    def add(self, case: Case) -> None:
        """Store a new case."""
        self.conn.execute(cases.insert(), _row(case))

    def save(self, case: Case, old_no: str | None = None) -> None:
        """Store a changed case (`old_no`: its number before a renumbering)."""
        key = old_no or case.case_no
        self.conn.execute(
            cases.update().where(cases.c.hall == case.hall, cases.c.case_no == key),
            _row(case),
        )
        if old_no and old_no != case.case_no:
            self.conn.execute(
                case_steps.update()
                .where(case_steps.c.hall == case.hall, case_steps.c.case_no == old_no)
                .values(case_no=case.case_no)
            )

    def next_number(self, hall: str, day: dt.date) -> int:
        """The next sequence number of the hall's own 办件编号 that day (atomic)."""
        return repo.next_number(self.conn, hall, day, CASE_COUNTER)

    def add_step(
        self,
        hall: str,
        case_no: str,
        step: str,
        at: dt.datetime,
        actor: str,
        detail: dict[str, Any],
        step_id: str | None = None,
        reply: str | None = None,
    ) -> None:
        """Log one step of a case."""
        self.conn.execute(
            case_steps.insert(),
            {
                "hall": hall,
                "case_no": case_no,
                "step": step,
                "at": at,
                "actor": actor,
                "step_id": step_id,
                "detail": detail,
                "reply": reply,
            },
        )

    def pushed(self, hall: str, step_id: str) -> str | None:
        """The answer given to a pushed step id, or None when it was never pushed."""
        row = self.conn.execute(
            select(case_steps.c.reply).where(
                case_steps.c.hall == hall, case_steps.c.step_id == step_id
            )
        ).first()
        return row[0] if row else None

    def steps(self, hall: str, case_no: str) -> list[dict[str, Any]]:
        """A case's steps in the order they were recorded."""
        rows = self.conn.execute(
            select(case_steps)
            .where(case_steps.c.hall == hall, case_steps.c.case_no == case_no)
            .order_by(case_steps.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def for_report(self, hall: str, until: dt.datetime) -> list[Case]:
        """Every case of the hall opened before `until` (the monthly 通报 filters them)."""
        rows = self.conn.execute(
            select(cases).where(cases.c.hall == hall, cases.c.opened_at < until)
        )
        return [_case(r) for r in rows]
