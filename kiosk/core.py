"""The presenter's core without Qt: state, listeners, the server link, device health, timeouts.

Intents that talk to the server or the printer run as jobs on a runner (a thread in the app,
inline in tests); the state is an immutable value replaced under a lock, so any thread may
report (the live feed, the printer poller, the card reader) and the views always draw a
consistent picture. The flow objects (`kiosk.issuing`, `kiosk.assisted`, `kiosk.mine`) are
each given this core; it owns the lock and the listeners, and knows the flows only through
the hooks they register (a new visit, settling issues).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from drivers.errors import DeviceError
from kiosk.config import KioskConfig
from kiosk.health import DeviceReports
from kiosk.ports import PRINTABLE, Api, Clocks, Printer, Runner, StaffApi, thread_runner
from kiosk.state import Field, KioskState, Message, Screen, public_ticket_fields
from kiosk.stub import ticket_stub
from kiosk.texts import EN_ERRORS, EN_REQUEUE, PRINTER_TEXT, text
from server.client import ApiError, HallLayout, ServerUnreachable
from server.protocol.events import EventType

log = logging.getLogger("yichuang.kiosk")
Listener = Callable[[KioskState], None]
STAFF_ROLES = frozenset({"clerk", "supervisor", "admin"})


class Settler(Protocol):
    """Settles issues whose answer never came (`kiosk.issuing`)."""

    def has_unsettled(self) -> bool:
        """True while some issue waits to be settled."""

    def settle_job(self) -> None:
        """Ask the server what became of each unsettled issue."""


class PresenterCore:
    """State, listeners, the server link and device health; the flow objects are given it."""

    def __init__(
        self,
        config: KioskConfig,
        api: Api,
        printer: Printer,
        *,
        runner: Runner = thread_runner,
        clocks: Clocks | None = None,
    ) -> None:
        self.config, self.api, self.printer = config, api, printer
        self.clocks = clocks or Clocks()
        # A guide's session (signed in by kiosk.assisted); signed out after a print or home.
        self.staff: StaffApi | None = None
        self._run = runner
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._state = KioskState(lang=config.language)
        # The layout's guide tree and matters, for the presenter's 智能导办 (replaced on reload).
        self.tree: list[dict[str, Any]] = []
        self.matters: dict[str, dict[str, Any]] = {}
        self._timezone = "Asia/Shanghai"
        self._last_touch = self.clocks.monotonic()
        self._ticket_at = 0.0
        # (ticket id, requeued, progress URL) for a guide's reprint: the server gives the
        # secret only to whoever shows it, so the kiosk keeps the one it printed.
        self.last_ticket: tuple[str, bool, str | None] | None = None
        self._reports = DeviceReports()
        self._loading = False
        self._flush_lock = threading.Lock()
        self._settler: Settler | None = None
        self._visit_hooks: list[Callable[[], None]] = []

    # -- observing -------------------------------------------------------------------------

    @property
    def state(self) -> KioskState:
        """The current state (immutable; safe to read from any thread)."""
        return self._state

    @property
    def timezone(self) -> str:
        """The hall's timezone (from its layout)."""
        return self._timezone

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(state)` after every change (from whichever thread made it)."""
        self._listeners.append(listener)

    def update(self, **changes: Any) -> KioskState:
        """Replace the state with these changes, then tell every listener."""
        with self._lock:
            before = self._state
            state = replace(before, **changes)
            if before.paused and not state.paused and state.message == _pause_line(before):
                state = replace(state, message=None)  # the pause it repeated is over
            self._state = state
        for listener in list(self._listeners):
            listener(state)
        return state

    def text(self, key: str, **values: object) -> str:
        """The text for `key` in the language on screen."""
        return text(key, self._state.lang, **values)

    def say(self, key: str, *, error: bool = True, **values: object) -> Message:
        """The text for `key` as a message line (red unless `error` is False)."""
        return Message(self.text(key, **values), error)

    # -- the server link -------------------------------------------------------------------

    def start(self) -> None:
        """Load the hall layout and report this kiosk (retried by `heartbeat`)."""
        self._reports.update(self.config.device_id, "ok", "自助取号机已启动")
        self._load()

    def heartbeat(self) -> None:
        """Called every few seconds: reconnect when down, resend statuses, settle issues."""
        if not self._state.server_ok or not self._state.queues:
            self._load()
            return
        if self._reports.pending():
            self._run(self._flush_reports)
        if self._has_unsettled():
            self._run(self._settle_job)

    def on_live(self, message: dict[str, Any]) -> None:
        """A live-feed message: waiting counts, and a layout reload after a 潮汐 change."""
        counts = message.get("queue_counts")
        if isinstance(counts, dict):
            self.update(counts={str(k): int(v) for k, v in counts.items()})
        if message.get("type") == EventType.WINDOW_QUEUES_CHANGED:
            self._load(force=True)

    def on_live_status(self, status: str) -> None:
        """The feed connected, resynced or dropped: check the server either way."""
        if status == "disconnected" or not self._state.server_ok:
            self._load()

    def _load(self, force: bool = False) -> None:
        with self._lock:
            if self._loading and not force:
                return
            self._loading = True
        self._run(self._load_job)

    def _load_job(self) -> None:
        try:
            layout = self.api.layout()
        except ServerUnreachable:
            self._server_down()
            return
        except ApiError as exc:
            log.error("the server refused the hall layout: %s", exc)
            self._server_down()
            return
        finally:
            self._loading = False
        self._apply_layout(layout)
        self._flush_reports()
        if self._has_unsettled():
            self._settle_job()

    def _apply_layout(self, layout: HallLayout) -> None:
        self.tree = list(layout.guide)
        self.matters = dict(layout.matters)
        self._timezone = layout.timezone
        changes: dict[str, Any] = {
            "hall_name": layout.name,
            "areas": tuple(layout.areas.items()),
            "queues": layout.queues,
            "counts": dict(layout.waiting_counts),
            "server_ok": True,
        }
        if self._state.screen is Screen.CONNECTING:
            changes["screen"] = Screen.HOME
        self.update(**changes)

    def _server_down(self) -> None:
        self.update(server_ok=False)

    # -- device health ---------------------------------------------------------------------

    def printer_changed(self, status: str, detail: str = "") -> None:
        """The printer poller's reading; a change pauses or resumes issuing and is reported."""
        blocks = self.printer.has_status and status not in PRINTABLE
        if status == self._state.printer_status and blocks == self._state.printer_blocks:
            return
        self.update(printer_status=status, printer_blocks=blocks)
        self.report(self.config.printer_device, status, detail)

    def report(self, device: str, status: str, detail: str = "") -> None:
        """Tell the server about one of this kiosk's devices (kept and resent if it is down)."""
        self._reports.update(device, status, detail)
        if self._state.server_ok:
            self._run(self._flush_reports)

    def _flush_reports(self) -> None:
        with self._flush_lock:
            for device, status, detail in self._reports.pending():
                try:
                    self.api.device_status(device, status, detail or None)
                except ServerUnreachable:
                    self._server_down()
                    return
                except ApiError as exc:  # refused for good (unknown device): do not loop
                    log.warning("device status %s refused: %s", device, exc)
                self._reports.mark_sent(device, status)

    def printer_ready(self) -> bool:
        """Ask the printer now (not the last poll): a ticket is issued only if it can print."""
        status, detail = self.printer.status()
        self.printer_changed(status, detail)
        if self._state.printer_blocks:
            self.update(busy=None, message=self.pause_message())
            return False
        return True

    def pause_message(self) -> Message:
        """The pause banner as a message line."""
        return _pause_line(self._state)

    def run(self, job: Callable[[], None]) -> None:
        """Run `job` on the runner as it is (no busy mark, no guard)."""
        self._run(job)

    def start_job(self, busy: str, job: Callable[[], None]) -> None:
        """Run a job in the background; a bug in it must not leave the screen busy forever."""
        self.update(busy=busy, message=None)

        def guarded() -> None:
            try:
                job()
            except Exception:
                log.exception("kiosk job failed")
                self.update(busy=None, message=self.say("failed"))

        self._run(guarded)

    # Issuing with keys and 我的号码 live in their flow objects; these hooks keep the core
    # unaware of them.
    def settle_with(self, settler: Settler) -> None:
        """Who settles issues whose answer never came (asked on heartbeat and reconnect)."""
        self._settler = settler

    def on_new_visit(self, hook: Callable[[], None]) -> None:
        """Call `hook()` whenever a new citizen's visit begins (home), in the order added."""
        self._visit_hooks.append(hook)

    def _has_unsettled(self) -> bool:
        return self._settler is not None and self._settler.has_unsettled()

    def _settle_job(self) -> None:
        if self._settler is not None:
            self._settler.settle_job()

    def _new_visit(self) -> None:
        for hook in self._visit_hooks:
            hook()

    def ticket_job(self, fetch: Callable[[], dict[str, Any]], *, requeued: bool = False) -> None:
        """Check the printer, get the ticket from the server, print it, show it (or explain)."""
        if not self.printer_ready():
            return
        try:
            ticket = fetch()
        except ApiError as exc:
            self.fail(exc)
            return
        self.print_and_show(ticket, requeued=requeued)

    def print_and_show(self, ticket: dict[str, Any], *, requeued: bool) -> None:
        """Print the stub, then show the same ticket; the citizen's typed data is dropped."""
        self.update(busy="printing")
        stub = ticket_stub(ticket, self._state.hall_name, self._timezone, requeued=requeued)
        printed = True
        try:
            self.printer.print_ticket(stub)
        except DeviceError as exc:
            printed = False
            self.printer_failed(exc)
        self.last_ticket = (str(ticket["id"]), requeued, ticket.get("progress_url"))
        self._ticket_at = self.clocks.monotonic()
        self._drop_staff()
        self.update(
            screen=Screen.TICKET,
            ticket=public_ticket_fields(ticket),
            ticket_printed=printed,
            requeued=requeued,
            can_reprint=True,
            busy=None,
            message=None if printed else self.say("print_failed"),
            entries={},
            name=None,
            id_from_card=False,
            green=None,
            staff_purpose=None,
        )

    def printer_failed(self, exc: DeviceError) -> None:
        """A print job failed: read the printer again, report it and say why."""
        log.warning("printing failed: %s", exc)
        status, detail = self.printer.status()
        self.printer_changed(status, detail or exc.message)
        self.update(busy=None, message=Message(exc.message, True))

    def refuse_when_paused(self) -> bool:
        """True (and the pause shown) while tickets cannot be issued."""
        if self._state.paused is None:
            return False
        self.update(message=self.pause_message())
        return True

    def local_now(self) -> dt.datetime:
        """Now in the hall's timezone."""
        return self.clocks.now().astimezone(ZoneInfo(self._timezone))

    # -- errors ----------------------------------------------------------------------------

    def fail(self, exc: ApiError) -> None:
        """Show the server's refusal (Chinese, for citizens; explained in English too)."""
        if isinstance(exc, ServerUnreachable):
            self._server_down()  # the pause banner says it; a second red line would repeat it
            self.update(busy=None, message=self.pause_message())
            return
        self.update(busy=None, message=Message(self._explain(exc), True))

    def _explain(self, exc: ApiError) -> str:
        if self._state.lang != "en":
            return exc.message
        english = EN_ERRORS.get(exc.code)
        if exc.code == "requeue_not_allowed" and isinstance(exc.detail, dict):
            english = EN_REQUEUE.get(str(exc.detail.get("reason")), english)
        return f"{english}\n{exc.message}" if english else exc.message

    # -- timeouts and home -----------------------------------------------------------------

    def touch(self) -> None:
        """The screen was touched: restart the idle timer."""
        self._last_touch = self.clocks.monotonic()

    def tick(self) -> None:
        """Once a second: the clock, the ticket-screen timeout and the idle timeout."""
        state = self.update(clock=self.clocks.now())
        if state.busy:
            return
        now = self.clocks.monotonic()
        if state.screen is Screen.TICKET:
            if now - max(self._ticket_at, self._last_touch) >= self.config.ticket_timeout_s:
                self.home(reset_mode=True)
        elif now - self._last_touch >= self.config.idle_timeout_s and _has_visitor(state):
            self.home(reset_mode=True)

    def home(self, reset_mode: bool = False) -> None:
        """Back to the home page, forgetting the citizen (ID, name, phone, ticket, messages)."""
        self.touch()
        self._drop_staff()
        self._new_visit()
        changes: dict[str, Any] = {
            "screen": Screen.HOME if self._state.queues else Screen.CONNECTING,
            "guide": None,
            "selection": None,
            "focus": Field.ID,
            "entries": {},
            "name": None,
            "id_from_card": False,
            "green": None,
            "staff_purpose": None,
            "appointment_queue": None,
            "ticket": None,
            "ticket_printed": False,
            "requeued": False,
            "mine": None,
            "message": None,
            "busy": None,
            "home_page": 0,
        }
        if reset_mode:  # the next citizen starts in the default language and text size
            changes.update(lang=self.config.language, elderly=False)
        self.update(**changes)

    def _drop_staff(self) -> None:
        staff, self.staff = self.staff, None
        if staff is not None:
            self._run(lambda: _sign_out(staff))


def progress_secret(value: str | None) -> str | None:
    """The owner secret (`s=`) in a stub's progress URL, or None."""
    if not value:
        return None
    found = urllib.parse.parse_qs(urllib.parse.urlsplit(value).query).get("s")
    return found[0] if found else None


def pause_banner(state: KioskState) -> str | None:
    """The pause line ("暂停取号 — 打印机缺纸、请到服务台"), or None while tickets can be issued."""
    reason = state.paused
    if reason is None:
        return None
    lang = state.lang
    if reason == "server_down":
        return f"{text('server_down', lang)} — {text('server_down_hint', lang)}"
    cause = text(PRINTER_TEXT.get(reason, "printer_offline"), lang)
    return f"{text('paused', lang)} — {cause}{text('comma', lang)}{text('to_desk', lang)}"


def _pause_line(state: KioskState) -> Message:
    """The pause banner as a message (the window shows it once, as the banner)."""
    return Message(pause_banner(state) or "", True)


def _has_visitor(state: KioskState) -> bool:
    """True when something of the last citizen is still on screen or in memory."""
    return state.screen not in (Screen.HOME, Screen.CONNECTING) or bool(
        state.entries
        or state.name
        or state.green
        or state.message
        or state.selection
        or state.elderly
        or state.home_page
    )


def _sign_out(staff: StaffApi) -> None:
    try:
        staff.logout()
    except ApiError as exc:
        log.info("guide sign-out: %s", exc)
    finally:
        staff.close()
