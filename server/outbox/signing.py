"""Webhook signatures: HMAC-SHA256 over "<unix time>.<body>", sent as `t=…,v1=…` (Stripe style).

The time is signed with the body so that a captured request cannot be replayed later: the
receiver refuses a `t` further than a few minutes from its own clock.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-YiChuang-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.body` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of the signature header for `body`, signed now (or at `timestamp`)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={signature(secret, t, body)}"


def verify(
    secret: str,
    value: str,
    body: bytes,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether a signature header is valid for `body` and recent enough."""
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - t) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret, t, body))
