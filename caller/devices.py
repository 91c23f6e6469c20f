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

        self.profile = profile_id  # the server renders case documents' ESC/POS for it
        self.printer = TicketPrinter(profile_id, url)

    def print_notice(self, notice: dict[str, Any]) -> None:
        """Lay the notice out for the receipt width and print it (raises on paper out …)."""
        from drivers.printer import NoticeDoc

        self.printer.print_notice(notice_doc(notice, NoticeDoc))

    def print_bytes(self, data: bytes) -> None:
        """Send a job the server rendered for this printer's profile (交接确认单 …)."""
        self.printer.print_bytes(data)

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
        barcode=notice.get("barcode") or "",  # a case document's 办件编号 (CODE128)
    )


class RatingDevice(Protocol):
    """An evaluator as the bridge uses it (drivers.evaluator.Evaluator is the real one)."""

    def request_rating(self, window: str, ticket: str) -> None: ...
    def on_rating(self, callback: Callable[[Any], None]) -> None: ...


def open_evaluator(profile_id: str, url: str, address: int | None, window: str) -> RatingDevice:
    """The window's evaluator through drivers.evaluator (sim://… gives a simulator)."""
    from drivers.evaluator import Evaluator

    return Evaluator(profile_id, url, address, window)


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

    def start(self) -> EvaluatorBridge:
        """Listen for key presses (the driver calls back from its line thread)."""
        self.device.on_rating(lambda event: self.rate(int(event.level), str(event.ticket)))
        return self

    def stop(self) -> None:
        """Stop listening: close the evaluator's line."""
        link = getattr(self.device, "link", None)
        if link is not None:
            link.close()
        self.rater.close()

    def request(self, ticket: dict[str, Any]) -> None:
        """`evaluation.requested` for this window: light the evaluator up for the ticket."""
        with self._lock:
            self._pending = ticket
        number = str(ticket.get("number", ""))
        try:
            self.device.request_rating(self.window, number)
        except Exception as exc:  # a dead evaluator must not break the pad
            log.warning("evaluator request failed: %s", exc)
            self.on_result(number, f"评价器无响应：{exc}")

    def rate(self, level: int, number: str = "") -> bool:
        """Post the pressed level for the pending ticket with the evaluator's token (once)."""
        with self._lock:
            ticket = self._pending
            if ticket is None or (number and number != ticket.get("number")):
                return False  # a press for nothing, or for an older invitation
            self._pending = None
        try:
            self.rater.evaluate(str(ticket["id"]), level)
        except ApiError as exc:
            self.on_result(str(ticket.get("number")), exc.message)
            return False
        self.on_result(str(ticket.get("number")), "评价已记录")
        return True
