"""The clerk pad's state and intents, Qt-free: the desktop app's widgets only render `view()`.

Every intent talks to the server through the SDK (`HallClient`), folds the answer into the
state and refreshes the window context. Live-feed messages mark the context stale (and take
a ticket another window called off the list at once); `refresh_if_stale` re-reads it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from caller.outbox import Outbox
from caller.state import PadState
from caller.viewmodel import PadView, build_view
from server.client import ApiError, ServerUnreachable
from server.client.rest import new_key
from server.protocol.events import EventType, MessageType

log = logging.getLogger("yichuang.caller")

HANDOVER = "handover"  # the 申请材料交接确认单 of the case a 受理 opened (issue 18)
DEFAULT_PROFILE = "xprinter-xp80c"
CODE128 = b"\x1dkI"  # GS k 73: the receipt's native barcode of the 办件编号
OUTCOME_TEXT = {"accepted": "受理", "consulted": "咨询", "rejected": "不予受理", "no_show": "过号"}
GONE_FROM_LINE = {
    EventType.TICKET_CALLED,
    EventType.TICKET_CANCELLED,
    EventType.TICKET_EXPIRED,
    EventType.TICKET_TRANSFERRED,
}


class Api(Protocol):
    """What the presenter needs of `server.client.HallClient`."""

    hall: str
    token: str | None

    def login(self, username: str, password: str) -> dict[str, Any]: ...
    def change_password(self, old_password: str, new_password: str) -> dict[str, Any]: ...
    def window(
        self, code: str, action: str, *, idempotency_key: str | None = None, **body: Any
    ) -> dict[str, Any]: ...
    def settle(self, key: str) -> dict[str, Any]: ...
    def windows(self) -> dict[str, Any]: ...
    def rejection_reasons(self) -> dict[str, Any]: ...
    def window_context(self, code: str) -> dict[str, Any]: ...
    def notice(self, ticket_id: str, **params: Any) -> Any: ...
    def case_document(self, case_no: str, kind: str, **params: Any) -> Any: ...


class NoticePrinter(Protocol):
    """The window's thermal printer, for notices (see caller.devices)."""

    profile: str  # its firmware profile: the server renders ESC/POS for it

    def print_notice(self, notice: dict[str, Any]) -> None: ...
    def print_bytes(self, data: bytes) -> None: ...


class CallerPresenter:
    """Intents of one clerk pad; `on_change` is called after every change of state."""

    def __init__(
        self,
        api: Api,
        *,
        preset_window: str | None = None,
        printer: NoticePrinter | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.api = api
        self.preset_window = preset_window
        self.printer = printer
        self.on_change = on_change or (lambda: None)
        self.on_evaluation_requested: Callable[[dict[str, Any]], None] | None = None
        self.on_signed_in: Callable[[], None] | None = None  # wiring starts the live feed
        self.on_signed_out: Callable[[], None] | None = None  # ... and stops it
        self.state = PadState(window=preset_window)
        self.outbox = Outbox()
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------

    def view(self) -> PadView:
        """What the widgets show now."""
        return build_view(self.state)

    def try_begin(self) -> bool:
        """Claim the pad for one intent; False while another is still running (double press)."""
        with self._lock:
            if self.state.busy:
                return False
            self.state.busy = True
        self._changed()
        return True

    def end(self) -> None:
        """Release the pad after an intent (wiring calls this when the worker is done)."""
        with self._lock:
            self.state.busy = False
        self._changed()

    # -- sign in and out ------------------------------------------------------------------

    def login(self, username: str, password: str) -> bool:
        """Sign the clerk in; then sign in at the preset window or offer the windows."""
        if not username.strip() or not password:
            return self._say("请输入工号和密码", "warn")
        session = self._ask(lambda: self.api.login(username.strip(), password))
        if session is None:
            return False
        s = self.state
        if session.get("password_change_required"):  # issue 19: the initial password first
            s.phase = "change_password"
            return self._say("请先修改初始密码，然后用新密码签到", "warn")
        s.username, s.name = session["username"], session.get("name") or session["username"]
        s.allowed_windows = list(session.get("windows") or [])
        # The picker shows who is signed in where (staff-only read), before the tap.
        hall = self._ask(self.api.windows)
        if hall is None:
            return False
        s.windows = [
            w for w in hall["windows"] if not s.allowed_windows or w["code"] in s.allowed_windows
        ]
        reasons = self._ask(self.api.rejection_reasons)
        s.reasons = list(reasons["reasons"]) if reasons else []
        if self.preset_window:
            return self.choose_window(self.preset_window)
        s.phase = "choose_window"
        return self._say(f"{s.name}，请选择窗口", "info")

    def change_password(self, old: str, new: str, again: str) -> bool:
        """Set a new password; then the clerk signs in with it."""
        if not old or not new:
            return self._say("请输入原密码和新密码", "warn")
        if new != again:
            return self._say("两次输入的新密码不一致", "warn")
        if self._ask(lambda: self.api.change_password(old, new)) is None:
            return False
        self.state.phase = "login"
        return self._say("密码已修改，请用新密码签到", "ok")

    def choose_window(self, code: str) -> bool:
        """Sign in at a window (it opens)."""
        if self._ask(lambda: self.api.window(code, "sign-in")) is None:
            return False
        self.state.window, self.state.phase = code, "working"
        self.refresh()
        self._notify(self.on_signed_in)
        return self._say(f"已在 {self._window_name()} 签到，开始服务", "ok")

    def sign_out(self) -> bool:
        """Close the window (it pauses instead while a ticket awaits its outcome)."""
        code = self.state.window
        if code is None:
            return False
        result = self._ask(lambda: self.api.window(code, "sign-out"))
        if result is None:
            return False
        if result.get("status") == "paused":
            self.refresh()
            return self._say("当前号码尚未登记结果，窗口已暂停；请登记结果后再签退", "warn")
        self.state.phase, self.state.context = "login", None
        self.state.window = self.preset_window
        self._notify(self.on_signed_out)
        return self._say("已签退，窗口已关闭", "ok")

    # -- the buttons ------------------------------------------------------------------------

    def call_next(self) -> bool:
        """叫号."""
        return self._act("call-next", lambda t: f"请 {t['number']} 号到 {self.state.window} 办理")

    def recall(self) -> bool:
        """重呼."""
        return self._act("recall", lambda t: f"重呼 {t['number']}（第 {t['recalls']} 次）")

    def call_number(self, number: str) -> bool:
        """选号：call a specific waiting ticket by its number (logged as out of order)."""
        if not number.strip():
            return self._say("请输入要呼叫的号码", "warn")
        return self._act(
            "call",
            lambda t: f"选号呼叫 {t['number']}（已记录为不按顺序叫号）",
            ticket=number.strip().upper(),
        )

    def outcome(
        self,
        outcome: str,
        reason: str | None = None,
        matter: str | None = None,
        case_no: str | None = None,
    ) -> bool:
        """Record 受理 / 咨询 / 不予受理 (with a reason) / 过号，with the matter actually served.

        `case_no`: the 办件编号 typed or scanned at 受理；left empty, the hall numbers the case.
        """
        if outcome == "rejected" and not (reason and reason.strip()):
            return self._say("不予受理须选择或填写原因", "warn")
        label = OUTCOME_TEXT.get(outcome, outcome)
        extra = {"matter": matter} if matter else {}
        number = (case_no or "").strip()
        if number and outcome == "accepted":
            extra["case_no"] = number
        return self._act(
            "outcome",
            lambda t: self._recorded(t, label),
            outcome=outcome,
            reason=reason,
            **extra,
        )

    def transfer(
        self,
        queue: str | None = None,
        window: str | None = None,
        note: str | None = None,
        wait_for_window: bool = False,
    ) -> bool:
        """转移 the current ticket to another queue or window, with a note.

        `wait_for_window`: the clerk confirmed a window that is not open; the ticket waits.
        """
        if not queue and not window:
            return self._say("请选择转移到的业务队列或窗口", "warn")
        extra = {"wait_for_window": True} if window and wait_for_window else {}
        return self._act(
            "transfer",
            lambda t: (
                f"{t['number']} 已转移至 {window} 号窗口"
                if window
                else f"{t['number']} 已转移至「{t['queue_name']}」"
            ),
            queue=queue or None,
            window=window or None,
            note=(note or "").strip() or None,
            **extra,
        )

    def _recorded(self, ticket: dict[str, Any], label: str) -> str:
        # The context was re-read before this: a 受理 that opened a case names its number.
        text = f"{ticket['number']} 已登记{label}"
        last = (self.state.context or {}).get("last_service") or {}
        if last.get("id") == ticket.get("id") and last.get("case_no"):
            text += f"，办件编号 {last['case_no']}"
        return text

    def pause(self, reason: str) -> bool:
        """暂停 with a reason the screens and the LED sign show."""
        return self._act("pause", lambda w: f"窗口暂停：{w['paused_reason']}", reason=reason)

    def resume(self) -> bool:
        """恢复服务."""
        return self._act("resume", lambda w: "窗口已恢复服务")

    # -- notices ----------------------------------------------------------------------------

    def notice_ticket(self) -> dict[str, Any] | None:
        """The ticket a notice would be for: the current call, else the last service."""
        ctx = self.state.context or {}
        return ctx.get("current") or ctx.get("last_service")

    def save_notice_pdf(
        self, kind: str, path: Path, materials: list[str] | None = None, note: str | None = None
    ) -> bool:
        """Download the notice as PDF (for the office printer) into `path`."""
        if kind == HANDOVER:
            data = self._handover("pdf", materials)
        else:
            data = self._notice(kind, "pdf", materials, note)
        if data is None:
            return False
        path.write_bytes(data)
        self.state.last_notice = str(path)
        return self._say(f"已生成 PDF: {path.name}", "ok")

    def print_notice(
        self, kind: str, materials: list[str] | None = None, note: str | None = None
    ) -> bool:
        """Print the notice on the window's thermal printer."""
        if self.printer is None:
            return self._say("本窗口未配置小票打印机，请生成 PDF 打印", "warn")
        if kind == HANDOVER:
            return self.print_handover(materials)
        notice = self._notice(kind, "json", materials, note)
        if notice is None:
            return False
        try:
            self.printer.print_notice(notice)
        except Exception as exc:  # a printer fault must not stop the pad
            log.warning("notice printing failed: %s", exc)
            return self._say(f"小票打印失败：{exc}", "error")
        return self._say(f"{notice['title']} 已送打印机", "ok")

    def case_no(self) -> str | None:
        """The 办件编号 of the case the last 受理 at this window opened, if any."""
        if (self.state.context or {}).get("current"):
            return None  # the documents are for the last service, not the citizen now seated
        last = (self.state.context or {}).get("last_service") or {}
        return last.get("case_no") or None

    def print_handover(self, materials: list[str] | None = None) -> bool:
        """The 申请材料交接确认单 on the window's receipt printer: the server's ESC/POS bytes."""
        printer = self.printer
        if printer is None:
            return self._say("本窗口未配置小票打印机，请生成 PDF 打印", "warn")
        data = self._handover("escpos", materials, getattr(printer, "profile", DEFAULT_PROFILE))
        if data is None:
            return False
        if not isinstance(data, bytes):
            return self._say("服务器未返回小票数据，请生成 PDF 打印", "error")
        try:
            printer.print_bytes(data)
        except Exception as exc:  # paper out, cover open, offline: say so, keep the pad
            log.warning("handover printing failed: %s", exc)
            return self._say(f"小票打印失败：{exc}", "error")
        sent = f"申请材料交接确认单 {self.case_no()} 已送打印机"
        if CODE128 not in data:
            # the driver draws no symbol for a number too long for the paper's width
            return self._say(f"{sent}；办件编号过长，小票上无条码，需条码请生成 PDF 打印", "warn")
        return self._say(sent, "ok")

    def _handover(
        self, fmt: str, materials: list[str] | None, profile: str | None = None
    ) -> Any | None:
        case_no = self.case_no()
        if case_no is None:
            self._say("上一位受理未生成办件，没有交接确认单可出具", "warn")
            return None
        params: dict[str, Any] = {"format": fmt}
        if profile:
            params["profile"] = profile
        if materials:
            params["materials"] = materials
        return self._ask(lambda: self.api.case_document(case_no, HANDOVER, **params))

    def _notice(
        self, kind: str, fmt: str, materials: list[str] | None, note: str | None
    ) -> Any | None:
        ticket = self.notice_ticket()
        if ticket is None:
            self._say("没有可出具通知书的号码", "warn")
            return None
        params: dict[str, Any] = {"kind": kind, "format": fmt}
        if materials:
            params["materials"] = materials
        if note:
            params["note"] = note
        ticket_id = ticket["id"]
        return self._ask(lambda: self.api.notice(ticket_id, **params))

    # -- live feed --------------------------------------------------------------------------

    def on_live(self, msg: dict[str, Any]) -> None:
        """Fold a live-feed message: drop called tickets from the list, mark the context stale."""
        kind = msg.get("type", "")
        if kind == MessageType.SNAPSHOT:
            self._mark_stale()
            return
        ticket = msg.get("ticket") or {}
        window = (msg.get("window") or {}).get("code")
        ctx = self.state.context
        if ctx is None or self.state.phase != "working":
            return
        if kind in GONE_FROM_LINE and ticket.get("id"):
            ctx["next"] = [t for t in ctx["next"] if t["id"] != ticket["id"]]
        hook = self.on_evaluation_requested
        if (
            kind == EventType.EVALUATION_REQUESTED
            and window == self.state.window
            and hook is not None
        ):
            hook(ticket)
        last = ctx.get("last_service")
        if kind == EventType.EVALUATION_RECORDED and last and last["id"] == ticket.get("id"):
            last["evaluation_level"] = msg.get("level")
            last["evaluation_label"] = msg.get("level_label")
        if self._concerns_me(ticket, window):
            self._mark_stale()
        self._changed()

    def on_status(self, status: str) -> None:
        """The live feed's connection: connected, disconnected, or resynced after a drop."""
        self.state.connection = {"disconnected": "offline", "resynced": "resynced"}.get(
            status, "online"
        )
        if status != "connected":
            self._mark_stale()
        if status != "disconnected":
            self.sync()
        self._changed()

    def sync(self) -> bool:
        """Back online: send the kept taps once each and clear the red line; False if away."""
        done = self.outbox.replay(self.api)
        if done is None:
            return False
        s = self.state
        s.unreachable = False
        if s.offline_message:
            s.offline_message, s.message, s.level = False, "", "info"
        if done:
            failed = any(not text.startswith("已") for text in done)
            self._say("；".join(done), "warn" if failed else "ok")
            self._mark_stale()
        return True

    def refresh_if_stale(self) -> bool:
        """Re-read the context when live messages said it changed (throttled by the caller)."""
        if self.outbox.items or self.state.offline_message:
            self.sync()  # the feed may not have noticed a drop that only the buttons saw
        if not self.state.stale or self.state.phase != "working":
            return False
        self.refresh()
        return True

    def refresh(self) -> None:
        """Re-read the window context from the server."""
        code = self.state.window
        if code is None:
            return
        self.state.stale = False
        ctx = self._ask(lambda: self.api.window_context(code))
        if ctx is not None:
            self.state.context = ctx
        self._changed()

    # -- helpers ----------------------------------------------------------------------------

    def _concerns_me(self, ticket: dict[str, Any], window: str | None) -> bool:
        ctx = self.state.context or {}
        served = set((ctx.get("window") or {}).get("queues") or [])
        return (
            window == self.state.window
            or ticket.get("queue") in served
            or ticket.get("target_window") == self.state.window
        )

    def _mark_stale(self) -> None:
        self.state.stale = True

    def _act(self, action: str, success: Callable[[dict[str, Any]], str], **body: Any) -> bool:
        code = self.state.window
        if code is None or self.state.phase != "working":
            return self._say("请先签到窗口", "warn")
        current = (self.state.context or {}).get("current")
        if action in ("outcome", "transfer") and current:
            body["ticket"] = current["id"]  # a replay never lands on another citizen
        key = new_key()  # one per tap: its retries and its replay reuse it
        try:
            result = self._ask(
                lambda: self.api.window(code, action, idempotency_key=key, **body), raise_down=True
            )
        except ServerUnreachable:
            number = current["number"] if current else None
            if self.outbox.keep(code, action, body, key, number):
                self._offline(self.outbox.offline_text(action))
            else:
                self._offline("无法连接服务器，请检查网络；未执行，请恢复后重试。")
            return False
        self.refresh()
        if result is None:
            return False
        if self.state.connection == "resynced":
            self.state.connection = "online"  # said once; the next action clears it
        return self._say(success(result), "ok")

    def _ask(self, call: Callable[[], Any], raise_down: bool = False) -> Any | None:
        try:
            result = call()
            self.state.unreachable = False
            return result
        except ServerUnreachable:
            if raise_down:
                raise
            self._offline("无法连接服务器，请检查网络。")
        except ApiError as exc:
            if exc.status == 401 and self.state.phase != "login":
                # The session expired or was ended elsewhere: back to the sign-in screen.
                self.state.phase, self.state.context = "login", None
                self._notify(self.on_signed_out)
            # 404/409 are the state of the hall, 503 a busy store: worth a retry, not an alarm.
            self._say(exc.message, "warn" if exc.status in (404, 409, 503) else "error")
        return None

    def _offline(self, message: str) -> None:
        self.state.unreachable = True
        self._say(message, "error")
        self.state.offline_message = True  # cleared when the pad is back online

    def _say(self, message: str, level: str) -> bool:
        self.state.message, self.state.level = message, level
        self.state.offline_message = False
        self._changed()
        return level in ("ok", "info")

    def _window_name(self) -> str:
        ctx = self.state.context or {}
        return str((ctx.get("window") or {}).get("name") or self.state.window)

    def _notify(self, hook: Callable[[], None] | None) -> None:
        if hook is not None:
            try:
                hook()
            except Exception:  # wiring trouble (e.g. the feed) must not break the intent
                log.exception("pad hook failed")

    def _changed(self) -> None:
        try:
            self.on_change()
        except Exception:  # a broken view must not break the intent
            log.exception("pad view update failed")
