"""Taps the server did not answer, kept with their Idempotency-Key and sent once when it is back.

受理、咨询、不予受理、过号、转移、暂停 and 恢复 are replayed with the key they were first sent
with, so one that did reach the server is not done twice. A call (叫号、选号) is never
replayed: calling someone minutes later, unasked, would call a citizen who has left. It is
only checked by key, so the clerk learns whether it happened.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from server.client import ApiError, ServerUnreachable

OUTCOME_TEXT = {"accepted": "受理", "consulted": "咨询", "rejected": "不予受理", "no_show": "过号"}
ACTION_TEXT = {"transfer": "转移", "pause": "暂停", "resume": "恢复服务", "call-next": "叫号"}
REPLAYED = frozenset({"outcome", "transfer", "pause", "resume"})
CHECKED = frozenset({"call-next", "call"})
OFFLINE = "无法连接服务器，请检查网络；"


class Api(Protocol):
    """The calls a replay needs (`server.client.HallClient`)."""

    def window(
        self, code: str, action: str, *, idempotency_key: str | None = None, **body: Any
    ) -> dict[str, Any]: ...
    def settle(self, key: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Kept:
    """One tap that got no answer."""

    key: str
    window: str
    action: str
    body: dict[str, Any]
    label: str  # "受理 A012"

    @property
    def check(self) -> bool:
        """True for calls: asked about by key, never sent again."""
        return self.action in CHECKED


def intent_label(action: str, body: dict[str, Any], number: str | None) -> str:
    """What a tap was, for people: "受理 A012", "暂停"."""
    if action == "outcome":
        what = OUTCOME_TEXT.get(str(body.get("outcome")), "登记结果")
    else:
        what = ACTION_TEXT.get(action, "选号")
    if action == "call":
        number = str(body.get("ticket") or "")
    return f"{what} {number}" if number and action not in ("pause", "resume") else what


class Outbox:
    """The kept taps of one pad, in the order they were made."""

    def __init__(self) -> None:
        self.items: list[Kept] = []
        self._lock = threading.Lock()

    def keep(
        self, window: str, action: str, body: dict[str, Any], key: str, number: str | None
    ) -> bool:
        """Keep a tap that got no answer; False for taps that are not kept."""
        if action not in REPLAYED | CHECKED:
            return False
        with self._lock:
            self.items.append(Kept(key, window, action, body, intent_label(action, body, number)))
        return True

    def pending(self) -> list[str]:
        """Labels of the taps waiting to be sent."""
        return [k.label for k in self.items if not k.check]

    def offline_text(self, action: str) -> str:
        """The red line for a tap the server did not answer."""
        if action in CHECKED:
            return OFFLINE + "叫号未确认，恢复后将自动核对，请勿重复叫号。"
        return OFFLINE + "已记下，恢复后将自动同步。待同步：" + "、".join(self.pending())

    def replay(self, api: Api) -> list[str] | None:
        """Send each kept tap once, in order; what each came to, or None while still away."""
        done: list[str] = []
        with self._lock:
            for item in list(self.items):
                try:
                    done.append(_send(api, item))
                except ServerUnreachable:
                    return None  # the rest stays kept
                except ApiError as exc:
                    done.append(_refused(item, exc))
                self.items.remove(item)
        return done


def _send(api: Api, item: Kept) -> str:
    if item.check:
        ticket = api.settle(item.key)["response"]
        return f"已核对：{ticket['number']} 已叫号"
    api.window(item.window, item.action, idempotency_key=item.key, **item.body)
    return f"已同步：{item.label}"


def _refused(item: Kept, exc: ApiError) -> str:
    if item.check and exc.status == 404:
        gap = "" if item.label == "叫号" else " "
        return f"{item.label}{gap}未执行，请重新叫号"
    return f"未同步：{item.label}（{exc.message}）"
