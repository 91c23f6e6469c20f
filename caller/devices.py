"""The window's own devices as the pad uses them: the notice printer and the evaluator (评价器).

Apps never speak bytes: both go through drivers/ (DESIGN §2 rule 2). The evaluator bridge
forwards `evaluation.requested` of this window to the device and posts the citizen's rating
with the evaluator's own device token, so the server records who rated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from server.client import ApiError, HallClient

log = logging.getLogger("yichuang.caller.devices")


class DriverNoticePrinter:
    """Prints a notice (the server's JSON) through drivers.printer on the window's printer."""

    def __init__(self, profile_id: str, url: str) -> None:
        from drivers.printer import TicketPrinter

        self.printer = TicketPrinter(profile_id, url)

    def print_notice(self, notice: dict[str, Any]) -> None:
        """Lay the notice out for the receipt width and print it (raises on paper out …)."""
        from drivers.printer import NoticeDoc

        self.printer.print_notice(notice_doc(notice, NoticeDoc))

    def status(self) -> str:
        """ok, paper_low, paper_out, cover_open, offline or unknown."""
        return str(self.printer.status())


def notice_doc(notice: dict[str, Any], doc_type: Callable[..., Any]) -> Any:
    """Build the driver's NoticeDoc from the notice JSON of GET …/notice?format=json."""
    fields = [(f["label"], f["value"]) for f in notice["fields"] if f["label"] != "文书编号"]
    return doc_type(
        title=notice["title"],
        hall_name=notice["hall_name"],
        fields=fields,
        body=list(notice["receipt_body"]),
        serial=notice["serial"],
        qr_url=notice.get("progress_url") or "",
    )


class RatingDevice(Protocol):
    """An evaluator as the bridge needs it (drivers.evaluator provides the real one)."""

    def request_rating(self, window: str, ticket: str) -> None: ...
    def read_rating(self, timeout: float) -> int | None: ...
    def close(self) -> None: ...


class EvaluatorBridge:
    """Forwards this window's rating requests to its evaluator and posts what it reports."""

    def __init__(
        self,
        device: RatingDevice,
        rater: HallClient,
        window: str,
        *,
        on_result: Callable[[str, str], None] | None = None,
    ) -> None:
        self.device, self.rater, self.window = device, rater, window
        self.on_result = on_result or (lambda _number, _text: None)
        self._pending: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="evaluator", daemon=True)

    def start(self) -> EvaluatorBridge:
        """Listen for key presses in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close the device."""
        self._stop.set()
        self._thread.join(2.0)
        self.device.close()

    def request(self, ticket: dict[str, Any]) -> None:
        """`evaluation.requested` for this window: light the evaluator up for the ticket."""
        with self._lock:
            self._pending = ticket
        try:
            self.device.request_rating(self.window, str(ticket.get("number", "")))
        except Exception as exc:  # a dead evaluator must not break the pad
            log.warning("evaluator request failed: %s", exc)
            self.on_result(str(ticket.get("number", "")), f"评价器无响应: {exc}")

    def rate(self, level: int) -> bool:
        """Post a rating of the pending ticket with the evaluator's token (once)."""
        with self._lock:
            ticket, self._pending = self._pending, None
        if ticket is None:
            return False
        number = str(ticket.get("number", ""))
        try:
            self.rater.evaluate(str(ticket["id"]), level)
        except ApiError as exc:
            self.on_result(number, exc.message)
            return False
        self.on_result(number, "评价已记录")
        return True

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                level = self.device.read_rating(0.2)
            except Exception as exc:  # keep listening: the device may come back
                log.warning("evaluator read failed: %s", exc)
                self._stop.wait(1.0)
                continue
            if level is not None:
                self.rate(level)
