"""`yichuang audit verify`: walk every chain of the audit trail and name the first bad record."""

from __future__ import annotations

from dataclasses import dataclass

from server.domain import auditchain
from server.store.audit_repo import AuditRepo
from server.store.db import Database

WHY = {
    "prev_hash": "does not follow the record before it (one was removed or edited)",
    "hash": "was changed after it was written (its hash does not match)",
    "missing": "comes after a gap (records before it were removed)",
    "tail": "is missing: the newest records were removed",
}


@dataclass(frozen=True)
class Break:
    """The first record of a chain that fails the check."""

    hall: str
    seq: int
    why: str

    def __str__(self) -> str:
        return f"hall {self.hall}: record seq {self.seq} {WHY.get(self.why, self.why)}"


def verify(db: Database) -> tuple[int, list[Break]]:
    """Check every chain: records checked and the first break of each broken chain."""
    checked, breaks = 0, []
    with db.read() as conn:
        repo = AuditRepo(conn)
        for hall, _last_seq, last_hash, anchor in repo.chains():
            records = list(repo.walk(hall))
            checked += len(records)
            seq, why = auditchain.first_bad(records, anchor, last_hash)
            if seq is not None:
                breaks.append(Break(hall, seq, why))
    return checked, breaks
