"""The audit trail's hash chain: a canonical serialization of a record and its sha256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64  # prev_hash of a hall's first record
# The fields a record's hash covers, in this order (hash itself excluded).
FIELDS = (
    "hall",
    "seq",
    "at",
    "who",
    "role",
    "address",
    "action",
    "object",
    "result",
    "code",
    "details",
    "prev_hash",
)


def canonical(record: Mapping[str, Any]) -> bytes:
    """One byte string per record: sorted-key compact JSON of the hashed fields."""
    body = {name: record.get(name) for name in FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def record_hash(record: Mapping[str, Any]) -> str:
    """sha256 over the canonical record (which includes prev_hash): the chain's link."""
    return hashlib.sha256(canonical(record)).hexdigest()


def first_bad(
    records: Iterable[Mapping[str, Any]], anchor: str, head: str | None = None
) -> tuple[int | None, str]:
    """The seq of the first record that breaks the chain (None: intact) and why.

    `anchor` is the hash the first kept record must point at (GENESIS, or the hash of the
    last pruned record); `head` the hash the last record must have (catches a cut tail).
    """
    prev, last_seq, expected_seq = anchor, None, None
    for rec in records:
        seq = int(rec["seq"])
        if expected_seq is not None and seq != expected_seq:
            return seq, "missing"
        if rec["prev_hash"] != prev:
            return seq, "prev_hash"
        if record_hash(rec) != rec["hash"]:
            return seq, "hash"
        prev, last_seq, expected_seq = rec["hash"], seq, seq + 1
    if head is not None and prev != head:
        return (last_seq or 0) + 1, "tail"
    return None, ""
