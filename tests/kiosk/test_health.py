"""Device statuses the kiosk still owes the server: unsent, changed, or not said lately."""

from __future__ import annotations

from kiosk.health import DeviceReports


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_status_is_owed_until_accepted_and_again_when_it_changes() -> None:
    reports = DeviceReports(clock=Clock())
    reports.update("kiosk-1.printer", "ok")
    assert reports.pending() == [("kiosk-1.printer", "ok", "")]
    reports.mark_sent("kiosk-1.printer", "ok")
    assert reports.pending() == []
    reports.update("kiosk-1.printer", "paper_out", "缺纸")
    assert reports.pending() == [("kiosk-1.printer", "paper_out", "缺纸")]


def test_a_healthy_device_says_so_again_before_the_server_calls_it_silent() -> None:
    clock = Clock()
    reports = DeviceReports(resend_seconds=180, clock=clock)
    reports.update("kiosk-1.printer", "ok")
    reports.mark_sent("kiosk-1.printer", "ok")
    clock.now = 179
    assert reports.pending() == []
    clock.now = 180
    assert reports.pending() == [("kiosk-1.printer", "ok", "")]
    reports.mark_sent("kiosk-1.printer", "ok")
    assert reports.pending() == []
