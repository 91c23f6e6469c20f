"""The kiosk's behaviour without Qt: every intent of the screens, over one `PresenterCore`.

Home → (智能导办 | a queue) → identify → issue → print → ticket shown → home；过号取号，
预约签到、绿色通道 (age ≥ 65 by ID or a guide's sign-in) and a guide's reprint beside it.
The presenter holds the core and three flow objects (issuing with keys, the guide's flows,
我的号码) and hands each intent to the one that owns it.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from drivers.errors import DeviceError
from kiosk import guide as guide_tree
from kiosk.assisted import AssistedFlows
from kiosk.config import KioskConfig
from kiosk.core import Listener, PresenterCore, pause_banner, progress_secret
from kiosk.issuing import IssueFlows
from kiosk.mine import MineFlows
from kiosk.ports import Api, Clocks, Printer, Runner, StaffApi, thread_runner
from kiosk.state import FIELD_RULES, Field, KioskState, Message, Screen, Selection, id_check
from kiosk.stub import advice_slip
from server.domain.errors import Invalid
from server.domain.identity import normalize_id_number

log = logging.getLogger("yichuang.kiosk")
TICKET_NUMBER = re.compile(r"[A-Z]{1,2}\d{3,4}")
# The pages a stub's QR may be scanned on (home，过号取号，and 我的号码 for another stub).
_SCANNING = frozenset({Screen.HOME, Screen.REQUEUE, Screen.MINE})

__all__ = ["KioskPresenter", "ScanBuffer", "pause_banner", "progress_ticket_id"]


class KioskPresenter:
    """Every intent of the kiosk screens; see `PresenterCore` for state and threading."""

    def __init__(
        self,
        config: KioskConfig,
        api: Api,
        printer: Printer,
        *,
        staff_api: Callable[[], StaffApi] | None = None,
        runner: Runner = thread_runner,
        clocks: Clocks | None = None,
    ) -> None:
        core = PresenterCore(config, api, printer, runner=runner, clocks=clocks)
        self._core = core
        self.config, self.api, self.printer, self.clocks = config, api, printer, core.clocks
        self._issuing = IssueFlows(core)
        self._assisted = AssistedFlows(core, staff_api)
        self._mine = MineFlows(core, requeue_scanned=self._requeue_scanned)
        # A new visit forgets 我的号码's ticket, then stops reusing the last citizen's keys.
        core.on_new_visit(self._mine.new_visit)
        core.on_new_visit(self._issuing.new_visit)
        core.settle_with(self._issuing)

    # -- the core: state, the server link, devices, timeouts -------------------------------

    @property
    def state(self) -> KioskState:
        """The current state (immutable; safe to read from any thread)."""
        return self._core.state

    @property
    def timezone(self) -> str:
        """The hall's timezone (from its layout)."""
        return self._core.timezone

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(state)` after every change (from whichever thread made it)."""
        self._core.subscribe(listener)

    def start(self) -> None:
        """Load the hall layout and report this kiosk (retried by `heartbeat`)."""
        self._core.start()

    def heartbeat(self) -> None:
        """Called every few seconds: reconnect when down, resend statuses, settle issues."""
        self._core.heartbeat()

    def on_live(self, message: dict[str, Any]) -> None:
        """A live-feed message: waiting counts, and a layout reload after a 潮汐 change."""
        self._core.on_live(message)

    def on_live_status(self, status: str) -> None:
        """The feed connected, resynced or dropped: check the server either way."""
        self._core.on_live_status(status)

    def printer_changed(self, status: str, detail: str = "") -> None:
        """The printer poller's reading; a change pauses or resumes issuing and is reported."""
        self._core.printer_changed(status, detail)

    def report(self, device: str, status: str, detail: str = "") -> None:
        """Tell the server about one of this kiosk's devices (kept and resent if it is down)."""
        self._core.report(device, status, detail)

    def touch(self) -> None:
        """The screen was touched: restart the idle timer."""
        self._core.touch()

    def tick(self) -> None:
        """Once a second: the clock, the ticket-screen timeout and the idle timeout."""
        self._core.tick()

    def home(self, reset_mode: bool = False) -> None:
        """Back to the home page, forgetting the citizen (ID, name, phone, ticket, messages)."""
        self._core.home(reset_mode)

    # -- 绿色通道 and 补打 (kiosk.assisted) ------------------------------------------------------

    def open_green(self) -> None:
        """绿色通道: an ID showing age ≥ 65, or a guide confirms."""
        self._assisted.open_green()

    def green_check_age(self) -> None:
        """Confirm 绿色通道 by the ID's birth date (age on today's hall-local date)."""
        self._assisted.green_check_age()

    def open_staff_login(self, purpose: str) -> None:
        """A guide signs in on the kiosk: `green` (confirm 绿色通道) or `reprint`."""
        self._assisted.open_staff_login(purpose)

    def staff_confirm(self) -> None:
        """Check the guide's user name and password with the server."""
        self._assisted.staff_confirm()

    def reprint(self) -> None:
        """补打: a guide reprints the last stub (re-read from the server, not from memory)."""
        self._assisted.reprint()

    # -- 我的号码 (kiosk.mine) -----------------------------------------------------------------

    def mine_step_back(self, places: int) -> None:
        """让后面 N 位先办 (the server caps N and counts the steps)."""
        self._mine.step_back(places)

    def mine_away(self, minutes: int) -> None:
        """暂离 M 分钟：not called until back; the place is kept."""
        self._mine.away(minutes)

    def mine_come_back(self) -> None:
        """我回来了：may be called again at the place kept (the SDK keys and retries it)."""
        self._mine.come_back()

    # -- choosing the business -------------------------------------------------------------

    def choose_queue(self, code: str) -> None:
        """A queue button on the home page: identify next."""
        core = self._core
        core.touch()
        queue = core.state.queue(code)
        if queue is None or core.refuse_when_paused():
            return
        self._identify(Selection(queue=code, label=queue.name))

    def open_guide(self) -> None:
        """智能导办：the first question."""
        core = self._core
        core.touch()
        core.update(screen=Screen.GUIDE, guide=guide_tree.step(core.tree, ()), message=None)

    def guide_choose(self, index: int) -> None:
        """Answer the current question; a matter leaf goes on to identification."""
        core = self._core
        core.touch()
        current = core.state.guide
        if current is None or current.is_leaf:
            return
        nxt = guide_tree.step(core.tree, (*current.path, index))
        leaf = nxt.leaf
        if leaf is None or nxt.online:
            core.update(guide=nxt, message=None)
            return
        matter = core.matters.get(str(leaf.get("matter")))
        if matter is None:  # a leaf naming a matter the hall does not have: say so
            core.update(message=Message(f"事项 {leaf.get('matter')} 未配置，请到服务台", True))
            return
        if core.refuse_when_paused():
            return
        core.update(guide=nxt)
        self._identify(
            Selection(queue=matter["queue"], label=matter["name"], matter=leaf["matter"])
        )

    def back(self) -> None:
        """One step back: the previous question, or home from the first one."""
        core = self._core
        core.touch()
        state = core.state
        if state.screen is Screen.IDENTIFY and state.guide is not None:
            parent = guide_tree.step(core.tree, state.guide.path[:-1])
            core.update(screen=Screen.GUIDE, guide=parent, selection=None, message=None)
        elif state.screen is Screen.GUIDE and state.guide is not None and state.guide.path:
            parent = guide_tree.step(core.tree, state.guide.path[:-1])
            core.update(guide=parent, message=None)
        elif state.screen is Screen.STAFF_LOGIN and state.staff_purpose == "green":
            core.update(screen=Screen.GREEN, staff_purpose=None, message=None, focus=Field.ID)
        else:
            core.home()

    def print_advice(self) -> None:
        """Print "可全程网办、无需取号" and where to do it, for an online-only leaf."""
        core = self._core
        core.touch()
        step = core.state.guide
        if step is None or not step.online or core.state.busy:
            return
        if core.state.printer_blocks:
            core.update(message=core.pause_message())
            return
        assert step.leaf is not None
        slip = advice_slip(core.state.hall_name, step.leaf, core.local_now())
        core.update(busy="printing", message=None)
        core.run(lambda: self._advice_job(slip))

    def _advice_job(self, slip: Any) -> None:
        core = self._core
        try:
            core.printer.print_advice(slip)
        except DeviceError as exc:
            core.printer_failed(exc)
            return
        core.update(busy=None, message=core.say("advice_printed", error=False))

    # -- identification and issuing --------------------------------------------------------

    def _identify(self, selection: Selection) -> None:
        core = self._core
        focus = Field.PHONE if core.state.entry(Field.ID) else Field.ID
        core.update(screen=Screen.IDENTIFY, selection=selection, focus=focus, message=None)

    def card_read(self, name: str, id_number: str) -> None:
        """The ID-card reader read a card: fills the ID (and name) where an ID is asked for."""
        core = self._core
        screen = core.state.screen
        if screen not in (Screen.IDENTIFY, Screen.REQUEUE, Screen.GREEN):
            return
        core.touch()
        try:
            normalized = normalize_id_number(id_number)
        except Invalid as exc:
            core.update(message=Message(exc.message, True))
            return
        entries = {**core.state.entries, Field.ID: normalized}
        nxt = Field.PHONE if screen is Screen.IDENTIFY else core.state.focus
        core.update(entries=entries, name=name or None, id_from_card=True, focus=nxt, message=None)
        if screen is Screen.GREEN:
            self._assisted.green_check_age()

    def take_number(self) -> None:
        """取号：validate the ID on screen, then issue and print in the background."""
        core = self._core
        core.touch()
        state = core.state
        if state.selection is None or state.busy or core.refuse_when_paused():
            return
        body: dict[str, Any] = {"queue": state.selection.queue}
        if state.selection.matter:
            body = {"matter": state.selection.matter}
        if not self._add_identity(body):
            return
        if state.green:
            body["priority"] = "green"
        client: Api = core.staff if state.green == "guide" and core.staff else core.api
        core.start_job("issuing", lambda: self._issuing.issue_job(client, body))

    def _add_identity(self, body: dict[str, Any]) -> bool:
        core = self._core
        state = core.state
        id_number = state.entry(Field.ID)
        status, reason = id_check(id_number)
        if status == "empty" and core.config.require_id and state.green != "guide":
            core.update(message=core.say("id_required"), focus=Field.ID)
            return False
        if status in ("partial", "invalid"):
            shown = reason or core.text("id_invalid")
            core.update(message=Message(shown, True), focus=Field.ID)
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
        core = self._core
        core.touch()
        core.update(screen=Screen.REQUEUE, focus=Field.NUMBER, entries={}, message=None)

    def scan(self, raw: str) -> None:
        """A line from the barcode scanner (it types like a keyboard and ends with Enter)."""
        core = self._core
        core.touch()
        if core.state.screen not in _SCANNING or core.state.busy:
            return
        value = raw.strip()
        ticket_id = progress_ticket_id(value)
        if ticket_id is not None:
            # Waiting：我的号码 (nothing printed, so a paused printer does not stop it);
            # 过号：re-queued and printed as before; else a line saying why not.
            secret = progress_secret(value)
            core.start_job("checking", lambda: self._mine.scanned_job(ticket_id, secret))
            return
        if TICKET_NUMBER.fullmatch(value.upper()):
            entries = {**core.state.entries, Field.NUMBER: value.upper()}
            core.update(screen=Screen.REQUEUE, entries=entries, focus=Field.ID, message=None)
            return
        core.update(message=Message("无法识别该二维码，请输入票号", True))

    def _requeue_scanned(self, ticket_id: str, secret: str | None) -> None:
        """过号取号 of a ticket 我的号码 found no-show (kiosk.mine calls it)."""
        self._core.update(busy="issuing")
        self._requeue_job(ticket_id=ticket_id, secret=secret)

    def requeue_submit(self) -> None:
        """重新排队 with the typed number (and ID when the ticket was taken with one)."""
        core = self._core
        core.touch()
        number = core.state.entry(Field.NUMBER)
        id_number = core.state.entry(Field.ID)
        if not TICKET_NUMBER.fullmatch(number):
            core.update(message=Message("请输入小票上的票号，如 A012", True), focus=Field.NUMBER)
            return
        status, reason = id_check(id_number)
        if status in ("partial", "invalid"):
            shown = reason or core.text("id_invalid")
            core.update(message=Message(shown, True), focus=Field.ID)
            return
        if core.state.busy or core.refuse_when_paused():
            return
        job = lambda: self._requeue_job(number=number, id_number=id_number or None)  # noqa: E731
        core.start_job("issuing", job)

    def _requeue_job(
        self,
        *,
        ticket_id: str | None = None,
        secret: str | None = None,
        number: str = "",
        id_number: str | None = None,
    ) -> None:
        core = self._core

        # The server hands back the stub's secret only to a kiosk that shows it (scanned) or
        # after the ID number proved whose ticket it is (found): the new stub keeps its QR.
        def requeue() -> dict[str, Any]:
            found, key = ticket_id, secret
            if found is None:
                ticket = core.api.find(number, id_number)
                found, key = str(ticket["id"]), progress_secret(ticket.get("progress_url"))
            return core.api.requeue(found, key)

        core.ticket_job(requeue, requeued=True)

    # -- 预约签到 -------------------------------------------------------------------------------

    def open_appointment(self) -> None:
        """预约签到：pick the booked business, type the booking code."""
        core = self._core
        core.touch()
        booked = [q.code for q in core.state.queues if q.appointments]
        core.update(
            screen=Screen.APPOINTMENT,
            appointment_queue=booked[0] if len(booked) == 1 else None,
            focus=Field.CODE,
            entries={},
            message=None,
        )

    def appointment_pick(self, code: str) -> None:
        """The business the appointment was booked for."""
        core = self._core
        core.touch()
        core.update(appointment_queue=code, message=None)

    def check_in(self) -> None:
        """签到取号：the booking's name and ID come from the server."""
        core = self._core
        core.touch()
        queue, code = core.state.appointment_queue, core.state.entry(Field.CODE)
        if queue is None:
            core.update(message=core.say("appointment_pick"))
            return
        if len(code) < 4:
            core.update(message=Message("请输入预约码", True), focus=Field.CODE)
            return
        if core.state.busy or core.refuse_when_paused():
            return
        body = {"queue": queue, "appointment_code": code}
        core.start_job("issuing", lambda: self._issuing.issue_job(core.api, body))

    # -- the keypad, language and text size ------------------------------------------------

    def focus(self, which: Field) -> None:
        """Send the keypad's keys to this field."""
        core = self._core
        core.touch()
        core.update(focus=Field(which))

    def press_key(self, key: str) -> None:
        """A keypad key for the focused field (characters it does not accept are ignored)."""
        core = self._core
        core.touch()
        state = core.state
        allowed, limit, upper = FIELD_RULES[state.focus]
        key = key.upper() if upper else key
        current = state.entry(state.focus)
        if len(key) != 1 or key not in allowed or len(current) >= limit:
            return
        changes: dict[str, Any] = {"entries": {**state.entries, state.focus: current + key}}
        if state.focus is Field.ID:
            changes.update(id_from_card=False, name=None, message=None)
        core.update(**changes)

    def delete_key(self) -> None:
        """Remove the last character of the focused field."""
        core = self._core
        core.touch()
        state = core.state
        value = state.entry(state.focus)[:-1]
        core.update(entries={**state.entries, state.focus: value})

    def clear_field(self) -> None:
        """Empty the focused field (the ID field also forgets the card's name)."""
        core = self._core
        core.touch()
        state = core.state
        changes: dict[str, Any] = {"entries": {**state.entries, state.focus: ""}}
        if state.focus is Field.ID:
            changes.update(id_from_card=False, name=None)
        core.update(**changes)

    def toggle_language(self) -> None:
        """中文 ⇄ English."""
        core = self._core
        core.touch()
        core.update(lang="en" if core.state.lang == "zh" else "zh", message=None)

    def toggle_elderly(self) -> None:
        """长辈模式：bigger text and buttons (so the queues are paged afresh)."""
        core = self._core
        core.touch()
        core.update(elderly=not core.state.elderly, home_page=0)

    def turn_home_page(self, step: int) -> None:
        """上一页 (-1) / 下一页 (+1) through the home page's queue buttons."""
        core = self._core
        core.touch()
        core.update(home_page=max(0, core.state.home_page + step))


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
