"""Ticket printers: stub, notice and advice layouts to ESC/POS; status; the TicketPrinter."""

from drivers.printer.decode import EscPosParser, decode, parse
from drivers.printer.device import TicketPrinter
from drivers.printer.model import (
    DEFAULT_TICKET_NOTES,
    NOTICE_ACCEPTED,
    NOTICE_ONE_TIME,
    NOTICE_REJECTED,
    AdviceSlip,
    NoticeDoc,
    TicketStub,
)
from drivers.printer.render import render_advice, render_notice, render_ticket
from drivers.printer.status import PrinterStatus, StatusReport, query_status

__all__ = [
    "DEFAULT_TICKET_NOTES",
    "NOTICE_ACCEPTED",
    "NOTICE_ONE_TIME",
    "NOTICE_REJECTED",
    "AdviceSlip",
    "EscPosParser",
    "NoticeDoc",
    "PrinterStatus",
    "StatusReport",
    "TicketPrinter",
    "TicketStub",
    "decode",
    "parse",
    "query_status",
    "render_advice",
    "render_notice",
    "render_ticket",
]
