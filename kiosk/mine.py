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


class MineFlows(PresenterCore):
    """Look up a scanned ticket; show it when waiting, and step back, away or back."""

    _mine_id: str | None = None
    _mine_secret: str | None = None
    _mine_key: tuple[Intent, str] | None = None

    def _scanned_job(self, ticket_id: str, secret: str | None) -> None:
        """What the scanned stub's ticket is now：我的号码、过号取号 or a line saying why not."""
        try:
            ticket = self.api.ticket(ticket_id, secret)
        except ApiError as exc:
            self._fail(exc)
            return
        status = str(ticket.get("status"))
        if status == "waiting":
            self._mine_id, self._mine_secret, self._mine_key = ticket_id, secret, None
            self._show_mine(ticket, None)
            return
        # Another stub scanned on 我的号码：the ticket shown before is not this one.
        self._mine_id = self._mine_secret = None
        self._mine_key = None
        if status == "no_show":  # 过号：re-queue and print as before
            self._update(screen=Screen.REQUEUE, mine=None)
            self._requeue_scanned(ticket_id, secret)
            return
        here = Screen.HOME if self._state.screen is Screen.MINE else self._state.screen
        self._update(screen=here, mine=None, busy=None, message=self._status_line(ticket))

    def _requeue_scanned(self, ticket_id: str, secret: str | None) -> None:
        """过号取号 of a scanned ticket (the presenter's)."""
        raise NotImplementedError

    def _status_line(self, ticket: dict[str, Any]) -> Message:
        status = str(ticket.get("status"))
        number = str(ticket.get("number") or "")
        if status == "called":
            window = ticket.get("window")
            return self._say("ticket_called", error=False, number=number, window=window)
        key = f"ticket_{status}" if status in ("finished", "cancelled", "expired") else "failed"
        return self._say(key, number=number)

    def _show_mine(self, ticket: dict[str, Any], message: Message | None) -> None:
        mine = public_ticket_fields(ticket)
        mine["step_backs"] = ticket.get("step_backs") or 0
        until = _instant(ticket.get("away_until"))
        away = until is not None and until > self.clocks.now()
        # The page drops 我回来了 by itself once `away_until` has passed (the clock ticks).
        mine["away_until"] = until if away else None
        mine["away_till"] = self._hall_hm(until) if away and until else None
        self._update(screen=Screen.MINE, mine=mine, busy=None, message=message)

    def _hall_hm(self, instant: dt.datetime) -> str:
        """Hall-local "10:40"."""
        return f"{instant.astimezone(ZoneInfo(self._timezone)):%H:%M}"

    # -- the citizen's taps -----------------------------------------------------------------

    def mine_step_back(self, places: int) -> None:
        """让后面 N 位先办 (the server caps N and counts the steps)."""
        self.touch()
        ticket_id, secret = self._mine_id, self._mine_secret
        if ticket_id is None:
            return

        def write(key: str) -> dict[str, Any]:
            return self.api.step_back(ticket_id, places, secret, idempotency_key=key)

        self._mine_write(("step_back", places), write, lambda _t: ("stepped_back", places))

    def mine_away(self, minutes: int) -> None:
        """暂离 M 分钟：not called until back; the place is kept."""
        self.touch()
        ticket_id, secret = self._mine_id, self._mine_secret
        if ticket_id is None:
            return

        def write(key: str) -> dict[str, Any]:
            return self.api.away(ticket_id, minutes, secret, idempotency_key=key)

        self._mine_write(("away", minutes), write, lambda t: ("away_ok", t["away_till"]))

    def mine_come_back(self) -> None:
        """我回来了：may be called again at the place kept (the SDK keys and retries it)."""
        self.touch()
        ticket_id, secret = self._mine_id, self._mine_secret
        if ticket_id is None:
            return
        write: Write = lambda _key: self.api.come_back(ticket_id, secret)  # noqa: E731
        self._mine_write(("back", 0), write, lambda _t: ("back_ok", None))

    def _mine_write(
        self, intent: Intent, write: Write, said: Callable[[dict[str, Any]], tuple[str, object]]
    ) -> None:
        if self._state.screen is not Screen.MINE or self._state.busy:
            return
        kept = self._mine_key
        key = kept[1] if kept is not None and kept[0] == intent else new_key()

        def job() -> None:
            try:
                ticket = write(key)
            except ServerUnreachable as exc:  # maybe stored: the same tap again reuses the key
                self._mine_key = (intent, key)
                self._fail(exc)
                return
            except ApiError as exc:  # refused: nothing changed
                self._mine_key = None
                self._fail(exc)
                return
            self._mine_key = None
            self._show_mine(ticket, None)
            shown = self._state.mine or {}
            text_key, value = said(shown)
            values = {"n": value} if text_key == "stepped_back" else {"t": value}
            self._update(message=self._say(text_key, error=False, **values))

        self._start_job("saving", job)

    def _new_visit(self) -> None:
        self._mine_id = self._mine_secret = None
        self._mine_key = None
        super()._new_visit()


def _instant(raw: object) -> dt.datetime | None:
    """An ISO time of the wire ("…Z"), or None."""
    if not raw:
        return None
    return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
