"""Printer status through the real-time queries of the profile (DLE EOT 1..4, or GS r 1).

We send each query ourselves and check the reply's fixed bits (Epson: bits 1 and 4 set,
0 and 7 clear, i.e. (b & 0x93) == 0x12), because python-escpos 3.1 `paper_status()` reports
"paper adequate" when the printer says nothing at all (hardware.md §1.6). No reply, or a reply
with wrong fixed bits, is UNKNOWN — never OK.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from drivers.errors import CoverOpen, DeviceError, DeviceOffline, PaperOut, ProtocolError
from drivers.profiles import Profile
from drivers.transport import Transport, drain


class PrinterStatus(enum.StrEnum):
    """The printer states the server's device.status event carries."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    CUTTER_ERROR = "cutter_error"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


# A queued (non-real-time) query gets this many status timeouts to answer.
QUEUED_WAIT = 3

# States in which a ticket may still be printed.
PRINTABLE = frozenset({PrinterStatus.OK, PrinterStatus.PAPER_LOW})


@dataclass(frozen=True)
class StatusReport:
    """A status, the flags that led to it, the raw replies and the reason in words."""

    status: PrinterStatus
    flags: frozenset[str] = frozenset()
    replies: dict[str, int] = field(default_factory=dict)
    detail: str = ""
    invalid_reply: bool = False

    def error(self) -> DeviceError | None:
        """The exception a print attempt raises in this state (None when it may print)."""
        if self.status in PRINTABLE:
            return None
        if self.status is PrinterStatus.PAPER_OUT:
            return PaperOut(detail=self.detail)
        if self.status is PrinterStatus.COVER_OPEN:
            return CoverOpen(detail=self.detail)
        if self.status is PrinterStatus.CUTTER_ERROR:
            return DeviceOffline("打印机切刀故障，请联系工作人员", detail=self.detail)
        if self.invalid_reply:
            return ProtocolError("打印机状态应答无效", detail=self.detail)
        if self.status is PrinterStatus.UNKNOWN:
            return DeviceOffline("打印机无应答", detail=self.detail)
        return DeviceOffline("打印机离线", detail=self.detail)


def classify(flags: frozenset[str], profile: Profile) -> PrinterStatus:
    """Most urgent first: cover, paper end, cutter, offline, then near end."""
    if "cover_open" in flags:
        return PrinterStatus.COVER_OPEN
    if "paper_out" in flags:
        return PrinterStatus.PAPER_OUT
    if "cutter_error" in flags:
        return PrinterStatus.CUTTER_ERROR
    if flags & {"offline", "error"}:
        return PrinterStatus.OFFLINE
    if "paper_low" in flags and profile.supports("paper_near_end_sensor"):
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK


def query_status(transport: Transport, profile: Profile) -> StatusReport:
    """Ask every status query of the profile and combine the answers."""
    spec = profile.printer_spec
    if not profile.supports("status") or not spec.status_queries:
        return StatusReport(PrinterStatus.UNKNOWN, detail="此型号不支持状态查询")
    timeout = spec.status_timeout_ms / 1000
    drain(transport)
    flags: set[str] = set()
    replies: dict[str, int] = {}
    late = ""
    for query in spec.status_queries:
        transport.write(query.command)
        reply = transport.read(1, timeout if query.realtime else timeout * QUEUED_WAIT)
        if not reply and not query.realtime and replies:
            # answered only after the queued jobs: the real-time replies already tell
            # online, cover and paper end, so go on with those rather than say "unknown"
            late = f"{query.name}：无应答（非实时指令）"
            continue
        if not reply:
            return StatusReport(PrinterStatus.UNKNOWN, detail=f"{query.name}：无应答")
        byte = replies[query.name] = reply[0]
        if not query.is_valid(byte):
            detail = f"{query.name}：应答 0x{byte:02X} 固定位不符"
            return StatusReport(PrinterStatus.UNKNOWN, detail=detail, invalid_reply=True)
        flags |= {name for name, mask in query.flags.items() if byte & mask}
    frozen = frozenset(flags)
    return StatusReport(classify(frozen, profile), frozen, replies, detail=late)
