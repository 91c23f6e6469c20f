"""Event and live-message names are written once, in server/protocol, and imported elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from server.protocol.events import EventType, MessageType

ROOT = Path(__file__).resolve().parents[2]
# "error" is also the key of every REST error body, so only snapshot and the events are checked.
NAMES = {str(t) for t in EventType} | {str(MessageType.SNAPSHOT)}
# The SDK and the three apps.
FOLDERS = ("server/client", "display", "caller", "kiosk")


def literals(path: Path) -> list[tuple[int, str]]:
    """String constants in a module that spell an event or message name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in NAMES
    ]


@pytest.mark.parametrize(
    "path",
    [p for folder in FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_event_name_is_spelled_outside_protocol(path):
    assert literals(path) == []


def test_the_protocol_names_are_the_ones_on_the_wire():
    assert EventType.TICKET_CALLED == "ticket.called" and MessageType.SNAPSHOT == "snapshot"
