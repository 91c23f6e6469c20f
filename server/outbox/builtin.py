"""Imports every format module, so that each registers itself (add one line per format)."""

from server.outbox import cloudevents  # noqa: F401
