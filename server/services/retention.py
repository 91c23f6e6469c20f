"""The nightly retention job: personal fields past their days, audit records past theirs."""

from __future__ import annotations

import datetime as dt
import threading

from server.domain.retention import AUDIT_MIN_DAYS
from server.services import audit
from server.services.context import Context, HallTx, run_in_hall
from server.services.security_settings import rules_of

_done: dict[tuple[int, str], dt.date] = {}  # (context, hall) -> the business date last run
_lock = threading.Lock()


def run(ctx: Context, hall: str) -> dict[str, int] | None:
    """Clear what the hall's rules no longer keep (once per business date; None: done already).

    Counts and statistics never read the cleared fields (names, phones, masked IDs, ID
    hashes), so every figure stays as it was; the audit trail keeps its chain anchor.
    """
    today = business_today(ctx, hall)
    key = (id(ctx), hall)
    with _lock:
        if _done.get(key) == today:
            return None

    def work(tx: HallTx) -> dict[str, int]:
        rules = rules_of(tx.repos, hall)
        days = dt.timedelta(days=1)
        names = tx.repos.personal.clear_names(
            hall,
            tx.today - rules.names_keep_days * days,
            tx.now - rules.names_keep_days * days,
        )
        ids = tx.repos.personal.clear_id_hashes(
            hall,
            tx.today - rules.id_hash_keep_days * days,
            tx.now - rules.id_hash_keep_days * days,
        )
        pruned = tx.repos.audit.prune(hall, tx.now - rules.audit_keep_days * days)
        pruned += tx.repos.audit.prune(audit.NO_HALL, tx.now - AUDIT_MIN_DAYS * days)
        counts = {"names": names, "id_hashes": ids, "audit_records": pruned}
        if any(counts.values()):
            tx.repos.audit.append(audit.system_fields(ctx, hall, "retention", "", counts))
        return counts

    counts: dict[str, int] = run_in_hall(ctx, hall, work)
    with _lock:
        _done[key] = today
    return counts


def business_today(ctx: Context, hall: str) -> dt.date:
    """The hall's business date now."""
    from server.domain.numbering import business_date

    return business_date(ctx.clock(), ctx.hall_layout(hall).timezone)


def forget(ctx: Context) -> None:
    """Let the job run again today (tests, and after the rules changed)."""
    with _lock:
        for key in [k for k in _done if k[0] == id(ctx)]:
            del _done[key]
