"""Idempotency-Key: a retried write gets the answer of the first one and changes nothing.

The route builds a Claim (caller, key, fingerprint of the request) and the writer
runs the use case with it; the hall transaction looks the key up first (a replay when it is
there) and stores the answer in the same transaction as the change, so a write that
committed is always found by its key. A write that failed changed nothing and is not kept.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from server.domain.errors import Invalid, NotFound

if TYPE_CHECKING:
    from server.services.context import Context, HallTx

T = TypeVar("T")
KEEP = dt.timedelta(hours=24)
_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")


@dataclass
class Claim:
    """One keyed request: who sent it, the key, and what it asked for."""

    caller: str
    key: str
    fingerprint: str
    status: int = 200
    replayed: bool = False


def make_claim(
    caller: str, key: str | None, method: str, path: str, body: Any, status: int = 200
) -> Claim | None:
    """The claim of a request, None without a key; 422 for a malformed key."""
    if key is None:
        return None
    check_key(key)
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{method} {path}\n{text}".encode()).hexdigest()
    return Claim(caller, key, digest, status)


def check_key(key: str) -> None:
    """422 unless the key is 8 to 64 letters, digits, `-` or `_` (a UUID fits)."""
    if not _KEY.fullmatch(key):
        raise Invalid(
            "invalid_idempotency_key",
            "Idempotency-Key 格式不正确，应为 8 至 64 位字母、数字或连字符（建议用 UUID）。",
        )


# the claim of the use case running in this thread or greenlet
_current: contextvars.ContextVar[Claim | None] = contextvars.ContextVar(
    "yichuang_claim", default=None
)


def run_claimed(claim: Claim | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a use case in the writer with its claim, for its hall transaction."""
    token = _current.set(claim)
    try:
        return fn(*args, **kwargs)
    finally:
        _current.reset(token)


def take_claim() -> Claim | None:
    """The claim of the use case now running, handed out once (to its hall transaction)."""
    claim = _current.get()
    _current.set(None)
    return claim


def guarded(claim: Claim, work: Callable[[HallTx], Any]) -> Callable[[HallTx], Any]:
    """`work` that replays a stored answer, or runs and stores its answer in the same tx."""

    def run(tx: HallTx) -> Any:
        row = tx.keys.get(tx.hall, claim.caller, claim.key)
        if row is not None and row.at < tx.now - KEEP:
            tx.keys.drop(tx.hall, claim.caller, claim.key)  # expired: a new request
            row = None
        if row is not None:
            if row.fingerprint != claim.fingerprint:
                raise Invalid(
                    "idempotency_key_reused",
                    "该 Idempotency-Key 已用于另一个请求，请为每次操作生成新的键。",
                )
            claim.replayed, claim.status = True, row.status
            return json.loads(row.body)
        result = work(tx)
        body = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        tx.keys.put(
            tx.hall,
            claim.caller,
            claim.key,
            fingerprint=claim.fingerprint,
            status=claim.status,
            body=body,
            at=tx.now,
        )
        return result

    return run


def prune(tx: HallTx) -> int:
    """Forget the keys older than a day (the day-end job); returns how many."""
    return tx.keys.prune(tx.hall, tx.now - KEEP)


def lookup(ctx: Context, hall: str, caller: str, key: str) -> dict[str, Any]:
    """What happened to a key of this caller: its stored answer, or 404.

    It runs as a write of the hall, so it is ordered after a request with the key that
    is still waiting for the store.
    """
    from server.services.context import run_in_hall  # context imports this module

    check_key(key)

    def work(tx: HallTx) -> dict[str, Any]:
        row = tx.keys.get(tx.hall, caller, key)
        if row is None or row.at < tx.now - KEEP:
            raise NotFound(
                "unknown_idempotency_key", "没有以该键完成的请求：它没有被执行，可以重新提交。"
            )
        return {
            "key": key,
            "status": row.status,
            "at": f"{row.at.astimezone(ZoneInfo(tx.layout.timezone)):%Y-%m-%d %H:%M}",
            "response": json.loads(row.body),
        }

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result
