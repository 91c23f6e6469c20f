"""The kiosk's behaviour without Qt: the citizen's flows as intents on top of `PresenterCore`.

Home → (智能导办 | a queue) → identify → issue → print → ticket shown → home；过号取号，
预约签到、绿色通道 (age ≥ 65 by ID or a guide's sign-in) and a guide's reprint beside it.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from typing import Any

from drivers.errors import DeviceError
from kiosk import guide as guide_tree
from kiosk.assisted import AssistedFlows
from kiosk.core import pause_banner, progress_secret
from kiosk.issuing import IssueFlows
from kiosk.mine import MineFlows
from kiosk.ports import Api
from kiosk.state import FIELD_RULES, Field, Message, Screen, Selection, id_check
from kiosk.stub import advice_slip
from server.domain.errors import Invalid
from server.domain.identity import normalize_id_number

log = logging.getLogger("yichuang.kiosk")
TICKET_NUMBER = re.compile(r"[A-Z]{1,2}\d{3,4}")
# The pages a stub's QR may be scanned on (home，过号取号，and 我的号码 for another stub).
_SCANNING = frozenset({Screen.HOME, Screen.REQUEUE, Screen.MINE})

__all__ = ["KioskPresenter", "ScanBuffer", "pause_banner", "progress_ticket_id"]


class KioskPresenter(MineFlows, IssueFlows, AssistedFlows):
    """Every intent of the kiosk screens; see `PresenterCore` for state and threading."""

    # -- choosing the business -------------------------------------------------------------

    def choose_queue(self, code: str) -> None:
        """A queue button on the home page: identify next."""
        self.touch()
        queue = self._state.queue(code)
        if queue is None or self._refuse_when_paused():
            return
        self._identify(Selection(queue=code, label=queue.name))

    def open_guide(self) -> None:
        """智能导办：the first question."""
        self.touch()
        self._update(screen=Screen.GUIDE, guide=guide_tree.step(self._tree, ()), message=None)

    def guide_choose(self, index: int) -> None:
        """Answer the current question; a matter leaf goes on to identification."""
        self.touch()
        current = self._state.guide
        if current is None or current.is_leaf:
            return
        nxt = guide_tree.step(self._tree, (*current.path, index))
        leaf = nxt.leaf
        if leaf is None or nxt.online:
            self._update(guide=nxt, message=None)
            return
        matter = self._matters.get(str(leaf.get("matter")))
        if matter is None:  # a leaf naming a matter the hall does not have: say so
            self._update(message=Message(f"事项 {leaf.get('matter')} 未配置，请到服务台", True))
            return
        if self._refuse_when_paused():
            return
        self._update(guide=nxt)
        self._identify(
            Selection(queue=matter["queue"], label=matter["name"], matter=leaf["matter"])
        )

    def back(self) -> None:
        """One step back: the previous question, or home from the first one."""
        self.touch()
        state = self._state
        if state.screen is Screen.IDENTIFY and state.guide is not None:
            parent = guide_tree.step(self._tree, state.guide.path[:-1])
            self._update(screen=Screen.GUIDE, guide=parent, selection=None, message=None)
        elif state.screen is Screen.GUIDE and state.guide is not None and state.guide.path:
            parent = guide_tree.step(self._tree, state.guide.path[:-1])
            self._update(guide=parent, message=None)
        elif state.screen is Screen.STAFF_LOGIN and state.staff_purpose == "green":
            self._update(screen=Screen.GREEN, staff_purpose=None, message=None, focus=Field.ID)
        else:
            self.home()

    def print_advice(self) -> None:
        """Print "可全程网办、无需取号" and where to do it, for an online-only leaf."""
        self.touch()
        step = self._state.guide
        if step is None or not step.online or self._state.busy:
            return
        if self._state.printer_blocks:
            self._update(message=self._pause_message())
            return
        assert step.leaf is not None
        slip = advice_slip(self._state.hall_name, step.leaf, self._local_now())
        self._update(busy="printing", message=None)
        self._run(lambda: self._advice_job(slip))

    def _advice_job(self, slip: Any) -> None:
        try:
            self.printer.print_advice(slip)
        except DeviceError as exc:
            self._printer_failed(exc)
            return
        self._update(busy=None, message=self._say("advice_printed", error=False))

    # -- identification and issuing --------------------------------------------------------

    def _identify(self, selection: Selection) -> None:
        focus = Field.PHONE if self._state.entry(Field.ID) else Field.ID
        self._update(screen=Screen.IDENTIFY, selection=selection, focus=focus, message=None)

    def card_read(self, name: str, id_number: str) -> None:
        """The ID-card reader read a card: fills the ID (and name) where an ID is asked for."""
        screen = self._state.screen
        if screen not in (Screen.IDENTIFY, Screen.REQUEUE, Screen.GREEN):
            return
        self.touch()
        try:
            normalized = normalize_id_number(id_number)
        except Invalid as exc:
            self._update(message=Message(exc.message, True))
            return
        entries = {**self._state.entries, Field.ID: normalized}
        nxt = Field.PHONE if screen is Screen.IDENTIFY else self._state.focus
        self._update(entries=entries, name=name or None, id_from_card=True, focus=nxt, message=None)
        if screen is Screen.GREEN:
            self.green_check_age()

    def take_number(self) -> None:
        """取号：validate the ID on screen, then issue and print in the background."""
        self.touch()
        state = self._state
        if state.selection is None or state.busy or self._refuse_when_paused():
            return
        body: dict[str, Any] = {"queue": state.selection.queue}
        if state.selection.matter:
            body = {"matter": state.selection.matter}
        if not self._add_identity(body):
            return
        if state.green:
            body["priority"] = "green"
        client: Api = self._staff if state.green == "guide" and self._staff else self.api
        self._start_job("issuing", lambda: self._issue_job(client, body))

    def _add_identity(self, body: dict[str, Any]) -> bool:
        state = self._state
        id_number = state.entry(Field.ID)
        status, reason = id_check(id_number)
        if status == "empty" and self.config.require_id and state.green != "guide":
            self._update(message=self._say("id_required"), focus=Field.ID)
            return False
        if status in ("partial", "invalid"):
            shown = reason or self._text("id_invalid")
            self._update(message=Message(shown, True), focus=Field.ID)
            return False
        if status == "valid":
            body["id_number"] = id_number
        if state.name:
            body["applicant_name"] = state.name[:50]
        if state.entry(Field.PHONE):
            body["phone"] = state.entry(Field.PHONE)
        return True

    # -- 过号取号 -------------------------------------------------------------------------------

    def open_requeue(self) -> None:
        """过号取号：scan the stub's QR, or type the number and the ID."""
        self.touch()
        self._update(screen=Screen.REQUEUE, focus=Field.NUMBER, entries={}, message=None)

    def scan(self, raw: str) -> None:
        """A line from the barcode scanner (it types like a keyboard and ends with Enter)."""
        self.touch()
        if self._state.screen not in _SCANNING or self._state.busy:
            return
        value = raw.strip()
        ticket_id = progress_ticket_id(value)
        if ticket_id is not None:
            # Waiting：我的号码 (nothing printed, so a paused printer does not stop it);
            # 过号：re-queued and printed as before; else a line saying why not.
            secret = progress_secret(value)
            self._start_job("checking", lambda: self._scanned_job(ticket_id, secret))
            return
        if TICKET_NUMBER.fullmatch(value.upper()):
            entries = {**self._state.entries, Field.NUMBER: value.upper()}
            self._update(screen=Screen.REQUEUE, entries=entries, focus=Field.ID, message=None)
            return
        self._update(message=Message("无法识别该二维码，请输入票号", True))

    def _requeue_scanned(self, ticket_id: str, secret: str | None) -> None:
        self._update(busy="issuing")
        self._requeue_job(ticket_id=ticket_id, secret=secret)

    def requeue_submit(self) -> None:
        """重新排队 with the typed number (and ID when the ticket was taken with one)."""
        self.touch()
        number = self._state.entry(Field.NUMBER)
        id_number = self._state.entry(Field.ID)
        if not TICKET_NUMBER.fullmatch(number):
            self._update(message=Message("请输入小票上的票号，如 A012", True), focus=Field.NUMBER)
            return
        status, reason = id_check(id_number)
        if status in ("partial", "invalid"):
            shown = reason or self._text("id_invalid")
            self._update(message=Message(shown, True), focus=Field.ID)
            return
        if self._state.busy or self._refuse_when_paused():
            return
        job = lambda: self._requeue_job(number=number, id_number=id_number or None)  # noqa: E731
        self._start_job("issuing", job)

    def _requeue_job(
        self,
        *,
        ticket_id: str | None = None,
        secret: str | None = None,
        number: str = "",
        id_number: str | None = None,
    ) -> None:
        # The server hands back the stub's secret only to a kiosk that shows it (scanned) or
        # after the ID number proved whose ticket it is (found): the new stub keeps its QR.
        def requeue() -> dict[str, Any]:
            found, key = ticket_id, secret
            if found is None:
                ticket = self.api.find(number, id_number)
                found, key = str(ticket["id"]), progress_secret(ticket.get("progress_url"))
            return self.api.requeue(found, key)

        self._ticket_job(requeue, requeued=True)

    # -- 预约签到 -------------------------------------------------------------------------------

    def open_appointment(self) -> None:
        """预约签到：pick the booked business, type the booking code."""
        self.touch()
        booked = [q.code for q in self._state.queues if q.appointments]
        self._update(
            screen=Screen.APPOINTMENT,
            appointment_queue=booked[0] if len(booked) == 1 else None,
            focus=Field.CODE,
            entries={},
            message=None,
        )

    def appointment_pick(self, code: str) -> None:
        """The business the appointment was booked for."""
        self.touch()
        self._update(appointment_queue=code, message=None)

    def check_in(self) -> None:
        """签到取号：the booking's name and ID come from the server."""
        self.touch()
        queue, code = self._state.appointment_queue, self._state.entry(Field.CODE)
        if queue is None:
            self._update(message=self._say("appointment_pick"))
            return
        if len(code) < 4:
            self._update(message=Message("请输入预约码", True), focus=Field.CODE)
            return
        if self._state.busy or self._refuse_when_paused():
            return
        body = {"queue": queue, "appointment_code": code}
        self._start_job("issuing", lambda: self._issue_job(self.api, body))

    # -- the keypad, language and text size ------------------------------------------------

    def focus(self, which: Field) -> None:
        """Send the keypad's keys to this field."""
        self.touch()
        self._update(focus=Field(which))

    def press_key(self, key: str) -> None:
        """A keypad key for the focused field (characters it does not accept are ignored)."""
        self.touch()
        state = self._state
        allowed, limit, upper = FIELD_RULES[state.focus]
        key = key.upper() if upper else key
        current = state.entry(state.focus)
        if len(key) != 1 or key not in allowed or len(current) >= limit:
            return
        changes: dict[str, Any] = {"entries": {**state.entries, state.focus: current + key}}
        if state.focus is Field.ID:
            changes.update(id_from_card=False, name=None, message=None)
        self._update(**changes)

    def delete_key(self) -> None:
        """Remove the last character of the focused field."""
        self.touch()
        state = self._state
        value = state.entry(state.focus)[:-1]
        self._update(entries={**state.entries, state.focus: value})

    def clear_field(self) -> None:
        """Empty the focused field (the ID field also forgets the card's name)."""
        self.touch()
        state = self._state
        changes: dict[str, Any] = {"entries": {**state.entries, state.focus: ""}}
        if state.focus is Field.ID:
            changes.update(id_from_card=False, name=None)
        self._update(**changes)

    def toggle_language(self) -> None:
        """中文 ⇄ English."""
        self.touch()
        self._update(lang="en" if self._state.lang == "zh" else "zh", message=None)

    def toggle_elderly(self) -> None:
        """长辈模式：bigger text and buttons (so the queues are paged afresh)."""
        self.touch()
        self._update(elderly=not self._state.elderly, home_page=0)

    def turn_home_page(self, step: int) -> None:
        """上一页 (-1) / 下一页 (+1) through the home page's queue buttons."""
        self.touch()
        self._update(home_page=max(0, self._state.home_page + step))


def progress_ticket_id(value: str) -> str | None:
    """The ticket id in a stub's QR (`…/t/<id>?s=<secret>`), or None for anything else."""
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https"):
        return None
    match = re.fullmatch(r".*/t/([A-Za-z0-9_-]{8,40})/?", parts.path)
    return match.group(1) if match else None


class ScanBuffer:
    """Collects a barcode scanner's keystrokes (it types like a keyboard) into lines."""

    def __init__(self, limit: int = 512) -> None:
        self._chars: list[str] = []
        self._limit = limit

    def feed(self, chars: str) -> str | None:
        """Add typed characters; a newline ends the line and returns it (None if empty)."""
        if chars in ("\n", "\r"):
            line, self._chars = "".join(self._chars), []
            return line or None
        if chars.isprintable() and len(self._chars) < self._limit:
            self._chars.append(chars)
        return None
