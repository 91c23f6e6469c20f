"""TicketPrinter: one printer on one connection; checks status before every job."""

from __future__ import annotations

import threading

from drivers.errors import DeviceError
from drivers.printer.model import AdviceSlip, NoticeDoc, TicketStub
from drivers.printer.render import render_advice, render_notice, render_ticket
from drivers.printer.status import PrinterStatus, StatusReport, query_status
from drivers.profiles import load_profile
from drivers.transport import Connection

# Bytes per write: on a 9600-baud line 256 bytes take ~0.27 s, well inside the write timeout.
CHUNK = 256


class TicketPrinter:
    """A receipt printer by profile id and URL (sim://, socket://, /dev/usb/lp0, COM3 …)."""

    def __init__(self, profile_id: str, url: str, *, check_status: bool = True) -> None:
        self.profile = load_profile(profile_id)
        self.url = url
        # check_status=False is for one-way links (a plain file, a printer server that
        # swallows replies): the job is sent without asking the printer first.
        self.check_status = check_status
        spec = self.profile.transport
        self._connection = Connection(
            url, timeout=spec.timeout_ms / 1000, settings=spec.serial_settings()
        )
        self._lock = threading.Lock()

    def status(self) -> PrinterStatus:
        """ok, paper_low, paper_out, cover_open, cutter_error, offline or unknown."""
        return self.status_report().status

    def status_report(self) -> StatusReport:
        """The status with its flags, raw replies and reason."""
        with self._lock:
            return self._query()

    def print_ticket(self, stub: TicketStub) -> None:
        """Print a 取号小票; raises PaperOut, CoverOpen or DeviceOffline instead of printing."""
        self.print_bytes(render_ticket(stub, self.profile))

    def print_notice(self, doc: NoticeDoc) -> None:
        """Print a 受理通知书 / 不予受理凭证 / 一次性告知书."""
        self.print_bytes(render_notice(doc, self.profile))

    def print_advice(self, slip: AdviceSlip) -> None:
        """Print a no-number advice slip (可全程网办 …)."""
        self.print_bytes(render_advice(slip, self.profile))

    def print_bytes(self, data: bytes) -> None:
        """Send a rendered job after the status says the printer can take it."""
        with self._lock:
            if self.check_status and self.profile.supports("status"):
                error = self._query().error()
                if error is not None:
                    raise error
            try:
                transport = self._connection.get()
                for start in range(0, len(data), CHUNK):
                    transport.write(data[start : start + CHUNK])
            except DeviceError:
                self._connection.drop()
                raise

    def close(self) -> None:
        """Close the connection (it is reopened on the next call)."""
        with self._lock:
            self._connection.drop()

    def _query(self) -> StatusReport:
        try:
            return query_status(self._connection.get(), self.profile)
        except DeviceError as exc:
            self._connection.drop()
            return StatusReport(PrinterStatus.OFFLINE, detail=str(exc))
