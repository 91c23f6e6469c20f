"""Live-message type names, defined once: the server builds events, the SDK and apps match them."""

from __future__ import annotations

from enum import StrEnum

from server.domain.events import EventType

__all__ = ["CALL_EVENTS", "TICKET_EVENTS", "EventType", "MessageType"]


class MessageType(StrEnum):
    """Live-feed messages that are not events of the log."""

    SNAPSHOT = "snapshot"
    ERROR = "error"  # the feed refused a request; its code says why


# Events whose `ticket` is the ticket's new state (a client keeps it).
TICKET_EVENTS = frozenset(
    {
        EventType.TICKET_ISSUED,
        EventType.TICKET_CALLED,
        EventType.TICKET_RECALLED,
        EventType.TICKET_FINISHED,
        EventType.TICKET_NO_SHOW,
        EventType.TICKET_REQUEUED,
        EventType.TICKET_TRANSFERRED,
        EventType.TICKET_CANCELLED,
        EventType.TICKET_EXPIRED,
        EventType.EVALUATION_REQUESTED,
        EventType.EVALUATION_RECORDED,
        EventType.TICKET_STEPPED_BACK,
        EventType.TICKET_AWAY,
        EventType.TICKET_BACK,
    }
)
# Events that put a number on the screens, the signs and the speakers (叫号 and 重呼).
CALL_EVENTS = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED})
