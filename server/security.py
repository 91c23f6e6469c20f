"""Password hashing (scrypt), keyed hashes of ID numbers and tokens, ticket secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~20 ms per check on a kiosk-class CPU


def hash_password(password: str) -> str:
    """Return a self-describing scrypt hash: scrypt$n$r$p$salt$digest (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Check a password against a stored scrypt hash in constant time."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        actual = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def keyed_hash(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of a value under the server key, separated by purpose (hex)."""
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    """Hash of a bearer token as stored (tokens are random, so plain SHA-256 suffices)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random bearer token."""
    return secrets.token_urlsafe(32)


def new_ticket_id() -> str:
    """An opaque, unguessable ticket id (96 random bits)."""
    return secrets.token_urlsafe(12)


def ticket_secret(key: bytes, ticket_id: str) -> str:
    """The ticket's progress-page secret: derived, so it never needs storing (128 bits)."""
    mac = hmac.new(key, f"ticket:{ticket_id}".encode(), hashlib.sha256).digest()
    return _b64(mac[:16])


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
