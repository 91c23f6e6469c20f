"""A simulated receipt printer: parses ESC/POS, keeps paper and cover state, answers status."""

from __future__ import annotations

from pathlib import Path

from drivers.printer.decode import (
    Cut,
    EscPosParser,
    Op,
    Reset,
    StatusRequest,
    TextLine,
    ops_to_text,
)
from drivers.profiles import Profile
from drivers.sim.base import Simulator

PAPER_STATES = ("ok", "low", "out")


class PrinterSimulator(Simulator):
    """Answers the profile's own status queries with the bits of its current state."""

    kind = "printer"

    def __init__(self, profile: Profile, name: str = "default") -> None:
        super().__init__(profile, name)
        self._parser = EscPosParser(profile.printer_spec.encoding)
        self.paper = "ok"
        self.cover_open = False
        self.cutter_error = False
        self.jobs: list[list[Op]] = []  # one list of operations per ESC @
        self.dropped = 0  # printable operations received while offline
        self.cuts = 0
        self.queued_queries_silent = False  # GS r unanswered, as while a job is printing

    def set_paper(self, state: str) -> None:
        """ok, low (near end) or out."""
        if state not in PAPER_STATES:
            raise ValueError(f"paper state must be one of {PAPER_STATES}")
        with self._lock:
            self.paper = state

    def set_cover_open(self, is_open: bool = True) -> None:
        """Open or close the cover."""
        with self._lock:
            self.cover_open = is_open

    def set_queued_queries_silent(self, silent: bool = True) -> None:
        """Leave non-real-time status queries (GS r) unanswered, as a busy printer does."""
        with self._lock:
            self.queued_queries_silent = silent

    def set_cutter_error(self, error: bool = True) -> None:
        """Jam (or free) the auto-cutter."""
        with self._lock:
            self.cutter_error = error

    @property
    def offline(self) -> bool:
        """Epson-style printers stop and go offline on paper end, open cover or errors."""
        return self.paper == "out" or self.cover_open or self.cutter_error

    def active_flags(self) -> set[str]:
        """Status flags the current state raises."""
        flags = set()
        if self.offline:
            flags.add("offline")
        if self.paper == "out":
            flags |= {"paper_out", "paper_low"}  # the near-end sensor is uncovered too
        if self.paper == "low" and self.profile.supports("paper_near_end_sensor"):
            flags.add("paper_low")
        if self.cover_open:
            flags.add("cover_open")
        if self.cutter_error:
            flags |= {"cutter_error", "error"}
        return flags

    def status_byte(self, command: bytes) -> int | None:
        """The reply to one status query of the profile, or None for a query it lacks."""
        for query in self.profile.printer_spec.status_queries:
            if query.command == command:
                if self.queued_queries_silent and not query.realtime:
                    return None
                flags = self.active_flags()
                value = query.valid_value
                for name, mask in query.flags.items():
                    if name in flags:
                        value |= mask
                return value
        return None

    def handle(self, data: bytes) -> None:
        """Parse, answer status requests, put printable operations on the paper."""
        for op in self._parser.feed(data):
            if isinstance(op, StatusRequest):
                value = self.status_byte(op.command)
                if value is not None:
                    self.reply(bytes((value,)))
            elif isinstance(op, Reset):
                self.jobs.append([])
            elif self.offline:
                self.dropped += 1
            else:
                if not self.jobs:
                    self.jobs.append([])
                self.jobs[-1].append(op)
                self.cuts += isinstance(op, Cut)

    def corrupt(self, data: bytes) -> bytes:
        """A status byte with its fixed bits wrong (bit 7 set, bit 4 clear)."""
        return bytes(((data[0] | 0x80) & ~0x10,)) + data[1:]

    def last_job(self) -> list[Op]:
        """Operations of the most recent job that printed something."""
        with self._lock:
            for job in reversed(self.jobs):
                if any(isinstance(op, TextLine) for op in job):
                    return list(job)
            return []

    @property
    def text(self) -> str:
        """The last printed job as text."""
        return ops_to_text(self.last_job())

    def render_png(self, path: str | Path, *, job: int | None = None) -> Path:
        """Draw the last job (or jobs[job]) as a receipt picture and save it as PNG."""
        from drivers.sim.receipt_png import render_receipt

        with self._lock:
            ops = self.last_job() if job is None else list(self.jobs[job])
        image = render_receipt(ops, self.profile.printer_spec.dots)
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(out)
        return out
