"""YC-485: our frame format for evaluators (评价器) and caller keypads (呼叫器).

No vendor publishes these frames (hardware research §3.3), so the adapters speak this format,
documented in docs/devices.md and modelled on the polled RS-485 scoring devices found there:
5A | address | function | length | data (length bytes, at most 64) | CRC-16/MODBUS lo hi.
The CRC covers address through data. Host requests are acknowledged with function | 0x80.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.checksums import crc16_modbus
from drivers.framing import COMPLETE, INCOMPLETE, INVALID, LengthFramedDecoder

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


class YcDecoder(LengthFramedDecoder[YcFrame]):
    """Syncs on 5A, checks length and CRC, skips and counts anything else."""

    marker = bytes((HEADER,))

    def candidate(self, pos: int) -> tuple[str, YcFrame | None, int]:
        """The frame starting at `pos`, if the bytes there make one."""
        if len(self.buffer) < pos + 4:
            return INCOMPLETE, None, 0
        length = self.buffer[pos + 3]
        if length > MAX_DATA:
            return INVALID, None, 0
        size = 4 + length + 2
        if len(self.buffer) < pos + size:
            return INCOMPLETE, None, 0
        body = bytes(self.buffer[pos + 1 : pos + 4 + length])
        if crc16_modbus(body) != int.from_bytes(self.buffer[pos + size - 2 : pos + size], "little"):
            return INVALID, None, 0
        return COMPLETE, YcFrame(body[0], body[1], body[3:]), size
