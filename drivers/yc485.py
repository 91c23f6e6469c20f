"""YC-485: our frame format for evaluators (评价器) and caller keypads (呼叫器).

No vendor publishes these frames (hardware research §3.3), so the adapters speak this format,
documented in docs/devices.md and modelled on the polled RS-485 scoring devices found there:
5A | address | function | length | data (length bytes, at most 64) | CRC-16/MODBUS lo hi.
The CRC covers address through data. Host requests are acknowledged with function | 0x80.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.checksums import crc16_modbus
from drivers.framing import StreamDecoder

HEADER = 0x5A
MAX_DATA = 64
SEP = 0x1F  # unit separator between text fields

# Host -> device
PING, POLL, REQUEST_RATING, CANCEL_RATING, DISPLAY = 0x01, 0x03, 0x10, 0x11, 0x20
# Device -> host: acknowledgements are the request's function | 0x80; events have bit 7 clear
ACK_BIT = 0x80
NOTHING = POLL | ACK_BIT  # poll answer with no event waiting
RATING, KEY = 0x40, 0x41
EVENTS = frozenset({RATING, KEY})


@dataclass(frozen=True)
class YcFrame:
    """One decoded frame."""

    address: int
    function: int
    data: bytes

    @property
    def fields(self) -> list[str]:
        """The data as GB18030 text fields separated by 0x1F."""
        return self.data.decode("gb18030", errors="replace").split(chr(SEP))


def encode(address: int, function: int, data: bytes = b"") -> bytes:
    """One frame; data longer than 64 bytes is refused."""
    if len(data) > MAX_DATA:
        raise ValueError(f"YC-485 data is at most {MAX_DATA} bytes")
    body = bytes((address, function, len(data))) + data
    return bytes((HEADER,)) + body + crc16_modbus(body).to_bytes(2, "little")


def text_fields(*fields: str) -> bytes:
    """Text fields in GB18030, separated by 0x1F."""
    return chr(SEP).join(fields).encode("gb18030")


class YcDecoder(StreamDecoder[YcFrame]):
    """Syncs on 5A, checks length and CRC, skips and counts anything else."""

    def _next(self) -> YcFrame | None:
        while True:
            start = self.buffer.find(HEADER)
            if start < 0:
                self.reject(len(self.buffer))
                return None
            self.reject(start)
            if len(self.buffer) < 4:
                return None
            length = self.buffer[3]
            if length > MAX_DATA:
                self.reject(1)
                continue
            end = 4 + length + 2
            if len(self.buffer) < end:
                return None
            body = bytes(self.buffer[1 : 4 + length])
            if crc16_modbus(body) != int.from_bytes(self.buffer[4 + length : end], "little"):
                self.reject(1)  # not a frame after all: look for the next 5A inside it
                continue
            del self.buffer[:end]
            return YcFrame(body[0], body[1], body[3:])
