"""What the hall TV draws, as plain frozen data: the presenter builds it, the Qt view paints it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEEKDAYS = "一二三四五六日"


def hall_date(local: dt.datetime) -> str:
    """The date as every hall screen writes it: 2026年12月6日 星期日 (no zero padding)."""
    return f"{local.year}年{local.month}月{local.day}日 星期{WEEKDAYS[local.weekday()]}"


PAUSED_TEXT = "暂停服务"
IDLE_TEXT = "等候叫号"


@dataclass(frozen=True)
class CallLine:
    """One call as the screen shows it: "请 A012 号 到 S03 号窗口"."""

    number: str
    window: str
    seq: int = 0  # 0 for calls that came with a snapshot
    recall: bool = False
    name: str | None = None  # masked ("张*"), or None when the hall hides names
    transfer: bool = False  # 转移 to this window: not a call, where the ticket will be served

    @property
    def text(self) -> str:
        """The sentence people read."""
        if self.transfer:
            return f"{self.number} 号 请到 {self.window} 号窗口（转办）"
        return f"请 {self.number} 号 到 {self.window} 号窗口"


@dataclass(frozen=True)
class WindowTile:
    """A window on the screen: its current number, or 暂停服务."""

    code: str
    name: str
    state: str  # serving | idle | paused | closed
    number: str | None
    text: str  # the number，等候叫号 or 暂停服务
    reason: str | None = None


@dataclass(frozen=True)
class QueueCount:
    """People waiting in one queue."""

    code: str
    name: str
    waiting: int


@dataclass(frozen=True)
class ScreenView:
    """Everything the TV draws, as plain data."""

    title: str
    layout: str
    latest: CallLine | None
    flash_on: bool
    recent: tuple[CallLine, ...]
    windows: tuple[WindowTile, ...]
    queues: tuple[QueueCount, ...]
    notice: str
    date_text: str
    time_text: str
    online: bool
    status_text: str
