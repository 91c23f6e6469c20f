"""The clerk pad's state: a plain value the presenter changes and the view model reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PadState:
    """Everything the pad knows; mutated only by the presenter's intents and live messages."""

    phase: str = "login"  # login (-> change_password) -> choose_window -> working
    username: str | None = None
    name: str | None = None
    allowed_windows: list[str] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)  # for choose_window
    window: str | None = None
    context: dict[str, Any] | None = None
    reasons: list[str] = field(default_factory=list)
    connection: str = "unknown"  # the live feed: online | offline | resynced
    unreachable: bool = False  # the last REST call found no server
    message: str = ""
    level: str = "info"  # info | ok | warn | error
    busy: bool = False
    stale: bool = False
    last_notice: str | None = None
    offline_message: bool = False  # the message line says the server was not reached
