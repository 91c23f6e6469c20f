"""Hands live-feed messages from the feed's thread to the GUI thread (Qt queued signals)."""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QObject, pyqtSignal


class FeedSignals(QObject):
    """Emitted from any thread, delivered on the thread this object lives in (the GUI's)."""

    message = pyqtSignal(object)
    status = pyqtSignal(str)

    def send_message(self, msg: dict[str, Any]) -> None:
        """Pass one message on (thread-safe)."""
        self.message.emit(msg)

    def send_status(self, status: str) -> None:
        """Pass a connection status on (thread-safe)."""
        self.status.emit(status)
