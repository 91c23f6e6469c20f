"""ID-card readers: find, select and read a second-generation card (GA 467 SAM frames)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drivers.errors import DeviceError, DeviceOffline, ProtocolError
from drivers.idcard.ga467 import (
    FIND,
    FOUND,
    OK,
    READ_BASE,
    SELECT,
    CardData,
    Frame,
    Ga467Decoder,
    decode_base_text,
    request,
)
from drivers.profiles import load_profile
from drivers.transport import Connection, drain


class IdCardReader:
    """A reader on a serial line (USB readers show up as a CDC serial port)."""

    def __init__(self, profile_id: str, url: str) -> None:
        self.profile = load_profile(profile_id)
        self.url = url
        self.spec = self.profile.device_spec
        self._connection = Connection(
            url,
            timeout=self.spec.reply_timeout_ms / 1000,
            settings=self.profile.transport.serial_settings(),
        )
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def read_card(self) -> CardData | None:
        """The card on the reader, or None when there is none (or it was already read).

        Readers refuse to find the same card twice until it is taken away, so each card
        placed on the reader is read once.
        """
        with self._lock:
            if self._exchange(FIND).head[2] != FOUND:
                return None
            if self._exchange(SELECT).head[2] != OK:
                return None
            reply = self._exchange(READ_BASE)
        if reply.head[2] != OK or len(reply.data) < 4 + 256:
            raise ProtocolError("读卡失败，请重新放置身份证", detail=f"SW3=0x{reply.head[2]:02X}")
        text_length = int.from_bytes(reply.data[0:2], "big")
        return decode_base_text(reply.data[4 : 4 + min(256, text_length)])

    def on_card(self, callback: Callable[[CardData], None]) -> None:
        """Poll in the background and call `callback` for every card placed on the reader."""

        def run() -> None:
            interval = self.spec.poll_interval_ms / 1000
            while not self._stop.wait(interval):
                try:
                    card = self.read_card()
                except DeviceError:
                    self.close_port()
                    continue
                if card is not None:
                    callback(card)

        self._thread = threading.Thread(target=run, daemon=True, name=f"idcard {self.url}")
        self._thread.start()

    def close(self) -> None:
        """Stop polling and close the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.close_port()

    def close_port(self) -> None:
        """Close the port (it is reopened on the next read)."""
        self._connection.drop()

    def _exchange(self, command: tuple[int, int]) -> Frame:
        try:
            transport = self._connection.get()
            drain(transport)
            transport.write(request(command))
            decoder = Ga467Decoder(responses=True)
            deadline = time.monotonic() + self.spec.reply_timeout_ms / 1000
            while (left := deadline - time.monotonic()) > 0:
                frames = decoder.feed(transport.read(2048, left))
                if frames:
                    return frames[0]
            raise DeviceOffline("身份证阅读器无应答", detail=self.url)
        except DeviceError:
            self._connection.drop()  # reopened on the next read: the cable may come back
            raise


__all__ = ["CardData", "IdCardReader"]
