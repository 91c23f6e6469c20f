"""Domain errors: a stable snake_case code for machines and a Chinese message for people."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request the domain refuses; the API maps the subclass to a 4xx status."""

    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.detail = detail


class NotFound(DomainError):
    """The named hall, queue, window, ticket or appointment does not exist."""


class Invalid(DomainError):
    """The request is well-formed JSON but its values break a rule (bad ID number, ...)."""


class Conflict(DomainError):
    """The request is valid but the current state forbids it (nothing called, cap reached, ...)."""


class Forbidden(DomainError):
    """The caller is known but may not do this (wrong role, not signed in at this window)."""


class Unauthorized(DomainError):
    """No valid credentials were given."""
