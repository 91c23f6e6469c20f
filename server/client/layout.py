"""The hall layout of GET /halls/{hall}, parsed once for the kiosk, the clerk pad and the TVs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEZONE = "Asia/Shanghai"
# A hall that says nothing (or a server before 0.x): twice, a second apart, as halls do.
DEFAULT_REPEATS, DEFAULT_PAUSE_S = 2, 1.0


@dataclass(frozen=True)
class QueueLayout:
    """One queue as the apps see it: names, area, serving windows, ticket prefix."""

    code: str
    name: str
    area: str = ""
    windows: tuple[str, ...] = ()
    prefix: str = ""
    green_channel: bool = True
    appointments: bool = False

    @classmethod
    def from_json(cls, q: dict[str, Any]) -> QueueLayout:
        """Build from one entry of the layout's `queues`."""
        return cls(
            code=q["code"],
            name=q["name"],
            area=q.get("area") or "",
            windows=tuple(q.get("windows") or ()),
            prefix=str(q.get("prefix") or q["code"]),  # an old hall file without a prefix
            green_channel=bool(q.get("green_channel", True)),
            appointments=bool(q.get("appointments", False)),
        )


@dataclass(frozen=True)
class HallLayout:
    """The hall's names, queues, matters, guide tree, waiting counts and screen settings."""

    code: str
    name: str
    timezone: str = DEFAULT_TIMEZONE
    areas: dict[str, str] = field(default_factory=dict)  # code -> name, in hall order
    queues: tuple[QueueLayout, ...] = ()  # in hall order
    # The guide tree and the matters stay JSON: the kiosk walks and shows them as sent.
    guide: tuple[dict[str, Any], ...] = ()
    matters: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> matter
    waiting_counts: dict[str, int] = field(default_factory=dict)
    notice: str = ""
    announce_repeats: int = DEFAULT_REPEATS  # 叫号播报: each call said this many times
    announce_pause_s: float = DEFAULT_PAUSE_S  # between the repeats

    @classmethod
    def from_hall_info(cls, info: dict[str, Any]) -> HallLayout:
        """Build from the hall layout JSON."""
        settings = info.get("settings") or {}
        return cls(
            code=str(info.get("code") or ""),
            name=str(info.get("name") or ""),
            timezone=str(info.get("timezone") or DEFAULT_TIMEZONE),
            areas={a["code"]: a["name"] for a in info.get("areas") or []},
            queues=tuple(QueueLayout.from_json(q) for q in info.get("queues") or []),
            guide=tuple(info.get("guide") or ()),
            matters={m["code"]: m for m in info.get("matters") or []},
            waiting_counts={str(k): int(v) for k, v in (info.get("waiting_counts") or {}).items()},
            notice=str(settings.get("notice") or ""),
            announce_repeats=int(settings.get("announce_repeats", DEFAULT_REPEATS)),
            announce_pause_s=float(settings.get("announce_pause_s", DEFAULT_PAUSE_S)),
        )
