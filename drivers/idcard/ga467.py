"""Second-generation ID card readers (二代证阅读器): the SAM frames of GA 467-2013.

Request: AA AA AA 96 69 | length (2, big-endian) | CMD | PARA | data | CHK.
Response: AA AA AA 96 69 | length | SW1 | SW2 | SW3 | data | CHK.
The length counts everything after itself, CHK included; CHK is the XOR of the length bytes
through the data. These are the bytes every public reader driver sends (e.g. find card
AA AA AA 96 69 00 03 20 01 22, select 20 02 21, read base information 30 01 32, in
heiher's hev-dbus-object-idcard-reader.c). Base information: text (256 bytes, UCS-2LE) then
the photo (1024 bytes, WLT, decoded only by the vendor's licensed library).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.checksums import xor8
from drivers.framing import COMPLETE, INCOMPLETE, INVALID, LengthFramedDecoder

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
FIND, SELECT, READ_BASE = (0x20, 0x01), (0x20, 0x02), (0x30, 0x01)
# SW3 (SAM status) values
OK, FOUND, NO_CARD, SELECT_FAILED, READ_FAILED = 0x90, 0x9F, 0x80, 0x81, 0x41
_MAX_LENGTH = 0x0600
# Text layout of the base information, in bytes of UCS-2LE.
_FIELDS = (
    ("name", 30),
    ("gender", 2),
    ("nation", 4),
    ("birth", 16),
    ("address", 70),
    ("id_number", 36),
    ("authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
)


def request(command: tuple[int, int], data: bytes = b"") -> bytes:
    """A host request frame."""
    body = bytes(command) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes((xor8(length + body),))


def response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader response frame (the simulator's side)."""
    body = bytes((sw1, sw2, sw3)) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes((xor8(length + body),))


@dataclass(frozen=True)
class Frame:
    """A decoded frame: for requests `head` is CMD PARA, for responses SW1 SW2 SW3."""

    head: bytes
    data: bytes


class Ga467Decoder(LengthFramedDecoder[Frame]):
    """Syncs on the preamble, checks length and XOR; resyncs on errors."""

    marker = PREAMBLE

    def __init__(self, *, responses: bool) -> None:
        super().__init__()
        self.head_size = 3 if responses else 2

    def candidate(self, pos: int) -> tuple[str, Frame | None, int]:
        """The frame starting at `pos`, if the bytes there make one."""
        if len(self.buffer) < pos + 7:
            return INCOMPLETE, None, 0
        length = int.from_bytes(self.buffer[pos + 5 : pos + 7], "big")
        if not self.head_size < length <= _MAX_LENGTH:
            return INVALID, None, 0
        if len(self.buffer) < pos + 7 + length:
            return INCOMPLETE, None, 0
        body = bytes(self.buffer[pos + 7 : pos + 6 + length])
        if xor8(self.buffer[pos + 5 : pos + 7] + body) != self.buffer[pos + 6 + length]:
            return INVALID, None, 0
        return COMPLETE, Frame(body[: self.head_size], body[self.head_size :]), 7 + length


@dataclass(frozen=True)
class CardData:
    """The text of a card. Never logged in clear: repr masks the number and the address."""

    name: str
    id_number: str = field(repr=False)
    gender: str = ""
    nation: str = ""
    birth: str = ""
    address: str = field(default="", repr=False)
    authority: str = ""
    valid_from: str = ""
    valid_to: str = ""

    @property
    def id_masked(self) -> str:
        """141002****029X style: first 6 and last 4 characters."""
        n = self.id_number
        return n[:6] + "*" * max(0, len(n) - 10) + n[-4:] if len(n) > 10 else "*" * len(n)


def encode_base_text(card: CardData) -> bytes:
    """The 256-byte text block of a card (UCS-2LE, space padded)."""
    out = b""
    for name, size in _FIELDS:
        value = getattr(card, name).encode("utf-16-le")[:size]
        out += value + " ".encode("utf-16-le") * ((size - len(value)) // 2)
    return out + b"\x00" * (256 - len(out))


def decode_base_text(text: bytes) -> CardData:
    """Parse the 256-byte text block."""
    values: dict[str, str] = {}
    offset = 0
    for name, size in _FIELDS:
        values[name] = text[offset : offset + size].decode("utf-16-le", errors="replace").strip()
        offset += size
    return CardData(**values)
