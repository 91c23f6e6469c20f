"""我的号码：a scanned stub still waiting；延后 N 位、暂离 M 分钟 and 我回来了 from the kiosk.

Nothing is printed: the stub the citizen holds stays valid (the place changes, not the
number). Each write goes with one Idempotency-Key per intent; a tap again after the server
did not answer reuses it, so a lost reply cannot step the ticket back twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.core import PresenterCore
from kiosk.state import Message, Screen, public_ticket_fields
from server.client import ApiError, ServerUnreachable
from server.client.rest import new_key

Intent = tuple[str, int]
Write = Callable[[str], dict[str, Any]]
# 过号取号 of a scanned ticket (the presenter's): re-queued and printed as before.
Requeue = Callable[[str, str | None], None]


class MineFlows:
    """Look up a scanned ticket; show it when waiting, and step back, away or back."""

    def __init__(self, core: PresenterCore, requeue_scanned: Requeue) -> None:
        self._core = core
        self._requeue_scanned = requeue_scanned
        self._id: str | None = None
        self._secret: str | None = None
        self._key: tuple[Intent, str] | None = None

    def scanned_job(self, ticket_id: str, secret: str | None) -> None:
        """What the scanned stub's ticket is now：我的号码、过号取号 or a line saying why not."""
        core = self._core
        try:
            ticket = core.api.ticket(ticket_id, secret)
        except ApiError as exc:
            core.fail(exc)
            return
        status = str(ticket.get("status"))
        if status == "waiting":
            self._id, self._secret, self._key = ticket_id, secret, None
            self._show(ticket, None)
            return
        # Another stub scanned on 我的号码：the ticket shown before is not this one.
        self._id = self._secret = None
        self._key = None
        if status == "no_show":  # 过号：re-queue and print as before
            core.update(screen=Screen.REQUEUE, mine=None)
            self._requeue_scanned(ticket_id, secret)
            return
        here = Screen.HOME if core.state.screen is Screen.MINE else core.state.screen
        core.update(screen=here, mine=None, busy=None, message=self._status_line(ticket))

    def _status_line(self, ticket: dict[str, Any]) -> Message:
        status = str(ticket.get("status"))
        number = str(ticket.get("number") or "")
        if status == "called":
            window = ticket.get("window")
            return self._core.say("ticket_called", error=False, number=number, window=window)
        key = f"ticket_{status}" if status in ("finished", "cancelled", "expired") else "failed"
        return self._core.say(key, number=number)

    def _show(self, ticket: dict[str, Any], message: Message | None) -> None:
        mine = public_ticket_fields(ticket)
        mine["step_backs"] = ticket.get("step_backs") or 0
        until = _instant(ticket.get("away_until"))
        away = until is not None and until > self._core.clocks.now()
        # The page drops 我回来了 by itself once `away_until` has passed (the clock ticks).
        mine["away_until"] = until if away else None
        mine["away_till"] = self._hall_hm(until) if away and until else None
        self._core.update(screen=Screen.MINE, mine=mine, busy=None, message=message)

    def _hall_hm(self, instant: dt.datetime) -> str:
        """Hall-local "10:40"."""
        return f"{instant.astimezone(ZoneInfo(self._core.timezone)):%H:%M}"

    # -- the citizen's taps -----------------------------------------------------------------

    def step_back(self, places: int) -> None:
        """让后面 N 位先办 (the server caps N and counts the steps)."""
        self._core.touch()
        ticket_id, secret = self._id, self._secret
        if ticket_id is None:
            return

        def write(key: str) -> dict[str, Any]:
            return self._core.api.step_back(ticket_id, places, secret, idempotency_key=key)

        self._write(("step_back", places), write, lambda _t: ("stepped_back", places))

    def away(self, minutes: int) -> None:
        """暂离 M 分钟：not called until back; the place is kept."""
        self._core.touch()
        ticket_id, secret = self._id, self._secret
        if ticket_id is None:
            return

        def write(key: str) -> dict[str, Any]:
            return self._core.api.away(ticket_id, minutes, secret, idempotency_key=key)

        self._write(("away", minutes), write, lambda t: ("away_ok", t["away_till"]))

    def come_back(self) -> None:
        """我回来了：may be called again at the place kept (the SDK keys and retries it)."""
        self._core.touch()
        ticket_id, secret = self._id, self._secret
        if ticket_id is None:
            return
        write: Write = lambda _key: self._core.api.come_back(ticket_id, secret)  # noqa: E731
        self._write(("back", 0), write, lambda _t: ("back_ok", None))

    def _write(
        self, intent: Intent, write: Write, said: Callable[[dict[str, Any]], tuple[str, object]]
    ) -> None:
        core = self._core
        if core.state.screen is not Screen.MINE or core.state.busy:
            return
        kept = self._key
        key = kept[1] if kept is not None and kept[0] == intent else new_key()

        def job() -> None:
            try:
                ticket = write(key)
            except ServerUnreachable as exc:  # maybe stored: the same tap again reuses the key
                self._key = (intent, key)
                core.fail(exc)
                return
            except ApiError as exc:  # refused: nothing changed
                self._key = None
                core.fail(exc)
                return
            self._key = None
            self._show(ticket, None)
            shown = core.state.mine or {}
            text_key, value = said(shown)
            values = {"n": value} if text_key == "stepped_back" else {"t": value}
            core.update(message=core.say(text_key, error=False, **values))

        core.start_job("saving", job)

    def new_visit(self) -> None:
        """A new citizen: forget the ticket shown on 我的号码 and its kept key."""
        self._id = self._secret = None
        self._key = None


def _instant(raw: object) -> dt.datetime | None:
    """An ISO time of the wire ("…Z"), or None."""
    if not raw:
        return None
    return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
