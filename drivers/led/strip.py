"""A plain line protocol for cheap RS-485 text strips (ours; documented in docs/devices.md).

Frame: STX (02) | address, two ASCII hex digits | command letter | payload | ETX (03) |
checksum, two ASCII hex digits of the XOR of every byte from the address through ETX.
Commands: T text (lines separated by CR, GB2312), C clear, P ping; replies A (done) and
N (refused), sent only by strips whose profile declares [features] ack.
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.checksums import xor8
from drivers.led.codec import CONTROL_CHARACTERS, FrameDecoder, SignFrame, encodable
from drivers.profiles import Profile

STX, ETX = 0x02, 0x03
_COMMANDS = {b"T": "text", b"C": "clear", b"P": "ping", b"A": "ack", b"N": "ack"}


def frame(address: int, command: bytes, payload: bytes = b"") -> bytes:
    """One strip frame."""
    body = f"{address:02X}".encode() + command + payload + bytes((ETX,))
    return bytes((STX,)) + body + f"{xor8(body):02X}".encode()


class StripCodec:
    """Plain RS-485 strips configured from a profile."""

    protocol = "plain_strip"
    control_sequences = CONTROL_CHARACTERS  # STX starts a frame, ETX ends it, CR ends a line

    def __init__(self, profile: Profile) -> None:
        self.spec = profile.sign_spec
        self.acks = profile.supports("ack")

    def sanitize(self, text: str) -> str:
        """Controls become spaces, glyphs the font lacks a full-width space."""
        return encodable(text, self.spec.encoding)

    def encode_text(self, address: int, lines: Sequence[str]) -> bytes:
        """T frame with the lines separated by CR."""
        text = "\r".join(self.sanitize(line) for line in lines)
        return frame(address, b"T", text.encode(self.spec.encoding))

    def encode_clear(self, address: int) -> bytes:
        """C frame."""
        return frame(address, b"C")

    def encode_ping(self, address: int) -> bytes | None:
        """P frame, only for strips that answer at all."""
        return frame(address, b"P") if self.acks else None

    def encode_reply(self, request: SignFrame, ok: bool = True) -> bytes:
        """A (done) or N (refused)."""
        return frame(request.address, b"A" if ok else b"N")

    def decoder(self) -> StripDecoder:
        """A stream decoder for this strip's text encoding."""
        return StripDecoder(self.spec.encoding)

    def reply_decoder(self) -> StripDecoder:
        """Replies carry their own command letter, so one decoder serves both sides."""
        return self.decoder()


class StripDecoder(FrameDecoder):
    """STX … ETX frames followed by two checksum digits."""

    start, end, trailer = STX, ETX, 2

    def parse(self, frame: bytes) -> SignFrame | None:
        """Decode address through ETX and check the XOR digits."""
        body, check = frame[:-2], frame[-2:]
        try:
            address, expected = int(body[:2], 16), int(check, 16)
        except ValueError:
            return None
        command = _COMMANDS.get(body[2:3])
        if expected != xor8(body) or command is None:
            return None
        if command == "ack":
            return SignFrame(address, "ack", reply=True, ok=body[2:3] == b"A", raw=body)
        text = body[3:-1].decode(self.encoding, errors="replace")
        lines = tuple(text.split("\r")) if command == "text" and text else ()
        return SignFrame(
            address, command if lines or command != "text" else "clear", lines, raw=body
        )
