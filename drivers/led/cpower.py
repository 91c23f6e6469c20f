"""C-Power (CPower5200 family) serial protocol: `A5 … AE` frames, byte escaping, 16-bit sum.

Source: arturas88/led-controller-sdk docs/BasicProtocol.md and
docs/ExternalCallsCommunicationProtocol.md. Frame: A5 | 68 (send) / E8 (reply) | 32 (card type)
| card id (01-FE, FF group) | command | ack flag (send) or return code (reply) | data | sum lo hi
| AE. The sum covers packet type through data, before escaping; between A5 and AE the bytes
A5, AA, AE are sent as AA 05, AA 0A, AA 0E. Text goes through the external-calls command 7B,
sub-code 12 "send pure text to the specified window" (RAM, not a stored program).
"""

from __future__ import annotations

from collections.abc import Sequence

from drivers.checksums import sum16
from drivers.led.codec import Escaping, FrameDecoder, SignFrame, encodable, unescaped
from drivers.profiles import Profile

START, END, ESCAPE = 0xA5, 0xAE, 0xAA
SEND, REPLY = 0x68, 0xE8
EXTERNAL_CALLS = 0x7B
PURE_TEXT, QUERY_VERSION = 0x12, 0x2E
# Font size code (protocol §1 "Font Size Code") by pixel height.
FONT_CODES = {8: 0, 12: 1, 16: 2, 24: 3, 32: 4, 40: 5, 48: 6, 56: 7}
COLOURS = {"red": (0xFF, 0, 0), "green": (0, 0xFF, 0), "yellow": (0xFF, 0xFF, 0)}


# Between A5 and AE: A5 -> AA 05, AA -> AA 0A, AE -> AA 0E (BasicProtocol.md "Transcoding").
_ESCAPING = Escaping({START: b"\xaa\x05", ESCAPE: b"\xaa\x0a", END: b"\xaa\x0e"}, "C-Power")
escape, unescape = _ESCAPING.escape, _ESCAPING.unescape


def frame(
    card_id: int,
    command: int,
    flag: int,
    data: bytes,
    *,
    card_type: int = 0x32,
    packet_type: int = SEND,
) -> bytes:
    """One serial packet (BasicProtocol.md §1.1)."""
    body = bytes((packet_type, card_type, card_id, command, flag)) + data
    return bytes((START,)) + escape(body + sum16(body).to_bytes(2, "little")) + bytes((END,))


def pure_text_data(
    text: str,
    *,
    encoding: str,
    window: int = 0,
    effect: int = 0,
    align: int = 0x05,
    speed: int = 1,
    stay: int = 10,
    font_px: int = 16,
    rgb: tuple[int, int, int] = (0xFF, 0, 0),
) -> bytes:
    """The 7B/12 payload.

    LL LH PO TP, then CC=12, window, effect, alignment, speed, stay (BE), font, R, G, B, text,
    00. Lines are separated by CR (0D), as in the protocol's example 2.
    """
    font = FONT_CODES[max(p for p in FONT_CODES if p <= max(8, font_px))]
    cc = bytes((PURE_TEXT, window, effect, align, speed)) + stay.to_bytes(2, "big")
    cc += bytes((font, *rgb)) + text.encode(encoding) + b"\x00"
    return len(cc).to_bytes(2, "little") + b"\x00\x00" + cc


class CPowerCodec:
    """C-Power window signs configured from a profile ([cpower] card_type, window, speed)."""

    protocol = "cpower"

    def __init__(self, profile: Profile) -> None:
        self.spec = profile.sign_spec
        self.card_type = self.spec.params["card_type"]

    def encode_text(self, address: int, lines: Sequence[str]) -> bytes:
        """7B/12 pure text, confirmation requested (ack flag bit 0)."""
        text = "\r".join(encodable(line, self.spec.encoding) for line in lines)
        data = pure_text_data(
            text,
            encoding=self.spec.encoding,
            window=self.spec.params["window"],
            speed=self.spec.params["speed"],
            stay=self.spec.params["stay_s"],
            font_px=self.spec.font_px,
            rgb=COLOURS[self.spec.colour],
        )
        return frame(address, EXTERNAL_CALLS, 0x01, data, card_type=self.card_type)

    def encode_clear(self, address: int) -> bytes:
        """An empty pure text: the window goes dark."""
        return self.encode_text(address, [])

    def encode_ping(self, address: int) -> bytes | None:
        """Query version info (command 2E, data 00), answered by every controller."""
        return frame(address, QUERY_VERSION, 0x01, b"\x00", card_type=self.card_type)

    def encode_reply(self, request: SignFrame, ok: bool = True) -> bytes:
        """E8 reply with return code 00 (success) or 01 (checksum error)."""
        command = EXTERNAL_CALLS if request.command in ("text", "clear") else QUERY_VERSION
        data = b"\x01\x00\x00\x00\x12" if command == EXTERNAL_CALLS else b"\x00\x32\x11\x11"
        rr = 0x00 if ok else 0x01
        return frame(
            request.address, command, rr, data, card_type=self.card_type, packet_type=REPLY
        )

    def decoder(self) -> CPowerDecoder:
        """A stream decoder for this sign's text encoding."""
        return CPowerDecoder(self.spec.encoding)


class CPowerDecoder(FrameDecoder):
    """A5 … AE frames: unescape, check the sum."""

    start, end = START, END

    def parse(self, frame: bytes) -> SignFrame | None:
        """Decode one packet (escaped body and the AE end code)."""
        body = unescaped(frame, unescape)
        if body is None or len(body) < 7 or sum16(body[:-2]) != int.from_bytes(body[-2:], "little"):
            return None
        kind, card_id, command, flag, data = body[0], body[2], body[3], body[4], body[5:-2]
        if kind & 0x7F != SEND:
            return None
        reply = bool(kind & 0x80)
        if reply:
            return SignFrame(card_id, "ack", reply=True, ok=flag == 0, raw=body)
        if command == QUERY_VERSION:
            return SignFrame(card_id, "ping", raw=body)
        if command == EXTERNAL_CALLS and len(data) >= 16 and data[4] == PURE_TEXT:
            text = data[15:].split(b"\x00", 1)[0].decode(self.encoding, errors="replace")
            lines = tuple(text.split("\r")) if text else ()
            return SignFrame(card_id, "text" if lines else "clear", lines, raw=body)
        return SignFrame(card_id, "other", raw=body)
