"""Puts the pad together: SDK client, live feed, presenter, widgets, dialogs and devices.

Intents and live messages run one at a time on a worker thread (so a slow network never
freezes the window and two presses never race); every change is rendered on the Qt thread.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import QDialog, QFileDialog, QWidget

from caller.config import StationConfig
from caller.delivery import DeliveryDesk
from caller.devices import DriverNoticePrinter, EvaluatorBridge, open_evaluator
from caller.presenter import CallerPresenter, NoticePrinter
from caller.viewmodel import PadView
from caller.views.delivery import DeliveryDialog
from caller.views.dialogs import (
    AcceptDialog,
    NoticeDialog,
    PauseDialog,
    PickDialog,
    RejectDialog,
    TransferDialog,
)
from caller.views.main import MainWindow
from server.client import HallClient, LiveFeed

log = logging.getLogger("yichuang.caller")
STALE_CHECK_MS = 300
CLOSE_TIMEOUT_S = 10.0  # how long closing waits for the sign-out


class Dialogs(Protocol):
    """How wiring asks the clerk for input (tests answer without opening windows)."""

    def reject_reason(self, view: PadView) -> tuple[str, str | None] | None: ...
    def accept(self, view: PadView) -> tuple[str, str] | None: ...
    def transfer_target(self, view: PadView) -> tuple[str | None, str | None, str, bool] | None: ...
    def pause_reason(self, view: PadView) -> str | None: ...
    def pick_number(self) -> str | None: ...
    def notice(self, view: PadView) -> tuple[str, list[str], str, str] | None: ...
    def pdf_path(self, suggested: str) -> Path | None: ...
    def delivery(self, desk: DeliveryDesk) -> None: ...


class QtDialogs:
    """The real, modal dialogs."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def reject_reason(self, view: PadView) -> tuple[str, str | None] | None:
        """(不予受理 reason, matter or None), or None when cancelled."""
        d = RejectDialog(
            view.reasons, view.matters, view.ticket_label, view.current_matter, self.parent
        )
        if d.exec() != QDialog.DialogCode.Accepted or not d.reason():
            return None
        return d.reason(), d.matter.value()

    def accept(self, view: PadView) -> tuple[str, str] | None:
        """(matter served，办件编号), "" for none named; None when cancelled."""
        d = AcceptDialog(view.matters, view.ticket_label, self.parent, view.needs_matter)
        return d.values() if d.exec() == QDialog.DialogCode.Accepted else None

    def transfer_target(self, view: PadView) -> tuple[str | None, str | None, str, bool] | None:
        """(queue, window, note, wait_for_window) or None."""
        d = TransferDialog(
            view.transfer_queues,
            view.transfer_windows,
            self.parent,
            later=view.transfer_later,
            fallback_minutes=view.fallback_minutes,
        )
        return d.target() if d.exec() == QDialog.DialogCode.Accepted else None

    def pause_reason(self, view: PadView) -> str | None:
        """暂停 reason or None."""
        d = PauseDialog(view.pause_reasons, self.parent)
        return d.chosen if d.exec() == QDialog.DialogCode.Accepted and d.chosen else None

    def pick_number(self) -> str | None:
        """选号 number or None."""
        d = PickDialog(self.parent)
        return d.value() if d.exec() == QDialog.DialogCode.Accepted else None

    def notice(self, view: PadView) -> tuple[str, list[str], str, str] | None:
        """(kind, materials, note, output) or None."""
        d = NoticeDialog(view.notice_kinds, self.parent, ticket=view.notice_ticket)
        return d.values() if d.exec() == QDialog.DialogCode.Accepted else None

    def pdf_path(self, suggested: str) -> Path | None:
        """Where to save the PDF."""
        name, _ = QFileDialog.getSaveFileName(self.parent, "保存通知书", suggested, "PDF (*.pdf)")
        return Path(name) if name else None

    def delivery(self, desk: DeliveryDesk) -> None:
        """统一出件：the dialog runs the desk's intents itself (short requests, one at a time)."""
        DeliveryDialog(desk, self.pdf_path, self.parent).exec()


class PadApp(QObject):
    """The running desktop pad."""

    rendered = pyqtSignal(object)  # a PadView, rendered on the Qt thread

    def __init__(
        self,
        config: StationConfig,
        *,
        api: HallClient | None = None,
        dialogs: Dialogs | None = None,
        printer: NoticePrinter | None = None,
        live: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.api = api or HallClient(config.server, config.hall)
        if printer is None and config.printer is not None:
            printer = _printer(config)
        self.presenter = CallerPresenter(
            self.api, preset_window=config.window, printer=printer, on_change=self._changed
        )
        self.delivery = DeliveryDesk(self.api, printer)  # 统一出件 (issue 18)
        self.window = MainWindow(f"窗口 {config.window}" if config.window else "")
        self.dialogs: Dialogs = dialogs or QtDialogs(self.window)
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="pad")
        self.feed: LiveFeed | None = None
        self.bridge: EvaluatorBridge | None = None
        self.live = live
        self._refresh_pending = False
        self._closed = False
        self.rendered.connect(self.window.render)
        self._connect()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._refresh_if_stale)
        self.timer.start(STALE_CHECK_MS)
        if config.user:
            self.window.login.username.setText(config.user)
        self.window.render(self.presenter.view())

    def _connect(self) -> None:
        p, w = self.presenter, self.window
        w.login.login_requested.connect(lambda u, pw: self.run(p.login, u, pw))
        w.windows.window_chosen.connect(lambda code: self.run(p.choose_window, code))
        w.password.change_requested.connect(lambda o, n, a: self.run(p.change_password, o, n, a))
        w.pad.action.connect(self.on_action)
        w.pad.pick_number.connect(lambda n: self.run(p.call_number, n))
        p.on_signed_in = self._start_feed
        p.on_signed_out = self._stop_feed

    def auto_login(self) -> Future[Any] | None:
        """Sign in with the configured user and password (demo mode)."""
        if self.config.user and self.config.password:
            return self.run(self.presenter.login, self.config.user, self.config.password)
        return None

    def run(self, intent: Any, *args: Any) -> Future[Any] | None:
        """Run an intent on the worker, unless one is still running (a double press)."""
        if not self.presenter.try_begin():
            return None

        def job() -> Any:
            try:
                return intent(*args)
            finally:
                self.presenter.end()

        return self.worker.submit(job)

    def on_action(self, action: str) -> None:
        """A button or shortcut: ask for what the action needs, then run it."""
        p, view = self.presenter, self.presenter.view()
        simple = {"call_next": p.call_next, "recall": p.recall, "sign_out": p.sign_out}
        if action in simple:
            self.run(simple[action])
        elif action == "accepted" and view.asks_case:
            if (answer := self.dialogs.accept(view)) is not None:
                matter, case_no = answer
                self.run(p.outcome, "accepted", None, matter or None, case_no or None)
        elif action in ("accepted", "consulted", "no_show"):
            self.run(p.outcome, action)
        elif action == "rejected" and (answer := self.dialogs.reject_reason(view)):
            self.run(p.outcome, "rejected", *answer)
        elif action == "transfer" and (target := self.dialogs.transfer_target(view)):
            self.run(p.transfer, *target)
        elif action == "pause":
            self._pause_or_resume(view)
        elif action == "pick" and (number := self.dialogs.pick_number()):
            self.run(p.call_number, number)
        elif action == "notice":
            self._notice(view)
        elif action == "handover":
            self.run(p.print_handover, None)
        elif action == "delivery":
            self.dialogs.delivery(self.delivery)

    def _pause_or_resume(self, view: PadView) -> None:
        if view.pause_label == "恢复服务":
            self.run(self.presenter.resume)
        elif reason := self.dialogs.pause_reason(view):
            self.run(self.presenter.pause, reason)

    def _notice(self, view: PadView) -> None:
        answer = self.dialogs.notice(view)
        if answer is None:
            return
        kind, materials, note, output = answer
        if output == "receipt":
            self.run(self.presenter.print_notice, kind, materials, note)
            return
        ticket = self.presenter.notice_ticket() or {}
        path = self.dialogs.pdf_path(f"{ticket.get('number', 'notice')}-{kind}.pdf")
        if path is not None:
            self.run(self.presenter.save_notice_pdf, kind, path, materials, note)

    def close(self) -> None:
        """Sign out (the window pauses while a ticket awaits its outcome), then stop."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        if self.presenter.state.phase == "working":
            # The same rule as the 签退 button: a window left open would wait for a clerk
            # who has gone, and the screens would go on showing it as serving.
            done = self.worker.submit(self.presenter.sign_out)
            try:
                done.result(timeout=CLOSE_TIMEOUT_S)
            except Exception:  # a slow or unreachable server must not keep the pad open
                log.warning("sign-out on close failed", exc_info=True)
        self._stop_feed()
        self.worker.shutdown(wait=True, cancel_futures=True)
        self.api.close()

    def _changed(self) -> None:
        self.rendered.emit(self.presenter.view())

    def _refresh_if_stale(self) -> None:
        # Not through run(): a background refresh must not grey the buttons out.
        if not self.presenter.state.stale or self._refresh_pending:
            return
        self._refresh_pending = True

        def job() -> None:
            try:
                self.presenter.refresh_if_stale()
            finally:
                self._refresh_pending = False

        self.worker.submit(job)

    def _start_feed(self) -> None:
        if not self.live or self.feed is not None or self.api.token is None:
            return
        self.feed = LiveFeed(
            self.config.server,
            self.config.hall,
            self.api.token,
            on_message=lambda msg: self.worker.submit(self.presenter.on_live, msg),
            on_status=lambda status: self.worker.submit(self.presenter.on_status, status),
        ).start()
        self._start_evaluator()

    def _stop_feed(self) -> None:
        feed, self.feed = self.feed, None
        if feed is not None:
            feed.stop(timeout=2.0)
        bridge, self.bridge = self.bridge, None
        if bridge is not None:
            bridge.stop()

    def _start_evaluator(self) -> None:
        cfg, window = self.config.evaluator, self.presenter.state.window
        if cfg is None or window is None or not cfg.token:
            return
        try:
            device = open_evaluator(cfg.profile, cfg.url, cfg.address, window)
        except Exception as exc:  # the pad works without its evaluator
            log.warning("evaluator %s unavailable: %s", cfg.url, exc)
            return
        rater = HallClient(self.config.server, self.config.hall, cfg.token)
        self.bridge = EvaluatorBridge(device, rater, window, on_result=self._rating_result)
        self.bridge.start()
        self.presenter.on_evaluation_requested = self.bridge.request

    def _rating_result(self, number: str, text: str) -> None:
        # Reported from the evaluator's thread; the pad also sees evaluation.recorded.
        log.info("evaluator %s: %s", number, text)


def _printer(config: StationConfig) -> NoticePrinter | None:
    assert config.printer is not None
    try:
        return DriverNoticePrinter(config.printer.profile, config.printer.url)
    except Exception as exc:  # a missing printer must not stop the pad
        log.warning("notice printer %s unavailable: %s", config.printer.url, exc)
        return None
