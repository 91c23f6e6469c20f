r"""Onbon 仰邦 BX-5/BX-6 controllers, dynamic-area protocol (text in RAM, never a program).

Frame (hardware research §3.2, from public third-party code; the published ping and clear
frames check out): A5 x8 | dst (2, LE) | src (2, LE) | 3 reserved | option | checksum mode
(0 = CRC16) | display mode | device type | protocol version | data length (2, LE) | data |
CRC (2, LE) | 5A.
CRC-16/ARC over everything after the preamble up to the CRC; after the preamble A5, A6, 5A, 5B
are escaped as A6 02, A6 01, 5B 02, 5B 01. Data starts with command group and command:
A2 00 ping, A3 06 dynamic area text (GB2312, colour escape \C1 red, \C2 green, \C3 yellow),
A3 10 clear. Bytes 3-5 of every command: 01 = reply wanted, then two reserved bytes.
Area X and width carry bit 15 (1 = pixels, 0 = units of 8 pixels); Y and height are pixels
(strongercjd/Onbon-Protocol-Analysis Form1.cs, Font_Card_Area_Data_Protocol). This framing
(version 02) is the 5K1/5K2/5MK/5KX and 6K1-6K3 cards'; BX-6E/6Q use the 6th-generation framing
(version F0) and are not supported. In-text codes start with a backslash (\C colour, \F font),
so a backslash in free text is sent as a full-width ＼.
[unverified, confirm against Onbon's "BX-5/6 通讯协议"]: the reply frame's data (taken here as
A0 00 plus a status byte), the line separator of multi-line dynamic text (taken as LF) and
display mode 01 = dynamic areas take priority over stored programs (Form1.cs names the field).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from drivers.checksums import crc16_arc
from drivers.led.codec import (
    CONTROL_CHARACTERS,
    Escaping,
    FrameDecoder,
    SignFrame,
    encodable,
    unescaped,
)
from drivers.profiles import Profile

PREAMBLE = b"\xa5" * 8
END = 0x5A
HOST = 0x8000  # source address of the PC in the published frames
PING, TEXT, CLEAR, ACK = b"\xa2\x00", b"\xa3\x06", b"\xa3\x10", b"\xa0\x00"
_COLOUR = {"red": "\\C1", "green": "\\C2", "yellow": "\\C3"}
_COLOUR_ESCAPE = re.compile(r"\\C[0-9]")
PIXELS = 0x8000  # bit 15 of X and width: the value is in pixels, not in units of 8
_HEADER = 14  # dst, src, reserved, checksum mode, display mode, device type, version, length


# After the preamble: A5 -> A6 02, A6 -> A6 01, 5A -> 5B 02, 5B -> 5B 01.
_ESCAPING = Escaping(
    {0xA5: b"\xa6\x02", 0xA6: b"\xa6\x01", 0x5A: b"\x5b\x02", 0x5B: b"\x5b\x01"}, "仰邦"
)
escape, unescape = _ESCAPING.escape, _ESCAPING.unescape


def frame(
    dst: int,
    src: int,
    data: bytes,
    *,
    device_type: int = 0xFE,
    version: int = 0x02,
    display_mode: int = 0x00,
) -> bytes:
    """One frame with CRC-16/ARC, escaped, with preamble and end byte."""
    # reserved (3), option (1), checksum mode 0 = CRC16 (1), display mode (1)
    head = dst.to_bytes(2, "little") + src.to_bytes(2, "little") + bytes(5)
    head += bytes((display_mode,))
    head += bytes((device_type, version)) + len(data).to_bytes(2, "little")
    body = head + data
    return PREAMBLE + escape(body + crc16_arc(body).to_bytes(2, "little")) + bytes((END,))


def dynamic_text_data(text: bytes, *, area_id: int, width: int, height: int) -> bytes:
    """A3 06: one dynamic area covering the sign, static display, centred, multi-line."""
    area = bytes((0x00,))  # area type
    for value in (PIXELS | 0, 0, PIXELS | width, height):  # X, Y, W, H (Form1.cs)
        area += value.to_bytes(2, "little")
    area += bytes((area_id, 0, 1)) + bytes(2)  # id, line spacing, run mode 1 = stay, timeout
    area += bytes((0, 0, 0x0A, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00))
    # voice, extensions, align centre/centre, multi-line, no auto-wrap, static, exit, speed, stay
    area += len(text).to_bytes(4, "little") + text
    head = TEXT + b"\x01\x00\x00" + bytes((0x00, 0x01))  # reply wanted; delete none; 1 area
    return head + len(area).to_bytes(2, "little") + area


class OnbonCodec:
    """Onbon BX-5/6 signs configured from a profile ([onbon] device_type, version, area_id)."""

    protocol = "onbon_bx"
    # every in-text code (\C colour, \F font …) starts with a backslash; controls end lines
    control_sequences = ("\\", *CONTROL_CHARACTERS)

    def __init__(self, profile: Profile) -> None:
        self.spec = profile.sign_spec
        self.device_type = self.spec.params["device_type"]
        self.version = self.spec.params["protocol_version"]
        self.display_mode = self.spec.params["display_mode"]

    def _frame(self, dst: int, src: int, data: bytes, display_mode: int = 0x00) -> bytes:
        return frame(
            dst,
            src,
            data,
            device_type=self.device_type,
            version=self.version,
            display_mode=display_mode,
        )

    def sanitize(self, text: str) -> str:
        """A backslash shows as ＼ (GB2312 A3DC), never as the start of an in-text code."""
        return encodable(text.replace("\\", "＼"), self.spec.encoding)

    def encode_text(self, address: int, lines: Sequence[str]) -> bytes:
        """A3 06 dynamic area text."""
        text = _COLOUR[self.spec.colour] + "\n".join(self.sanitize(line) for line in lines)
        data = dynamic_text_data(
            text.encode(self.spec.encoding),
            area_id=self.spec.params["area_id"],
            width=self.spec.width_px,
            height=self.spec.height_px,
        )
        # the profile's display mode (default 01) keeps the call in front of stored programs;
        # ping and clear keep mode 00 as in the published frames
        return self._frame(address, HOST, data, self.display_mode)

    def encode_clear(self, address: int) -> bytes:
        """A3 10 clear screen (the published frame)."""
        return self._frame(address, HOST, CLEAR + b"\x01\x00\x00")

    def encode_ping(self, address: int) -> bytes | None:
        """A2 00 ping (the published frame)."""
        return self._frame(address, HOST, PING + b"\x01\x00\x00")

    def encode_reply(self, request: SignFrame, ok: bool = True) -> bytes:
        """The controller's answer: source = its address, destination = the PC."""
        return self._frame(HOST, request.address, ACK + bytes((0 if ok else 1,)))

    def decoder(self) -> OnbonDecoder:
        """A stream decoder for this sign's text encoding."""
        return OnbonDecoder(self.spec.encoding)

    def reply_decoder(self) -> OnbonDecoder:
        """Replies carry their own command (A0 00), so one decoder serves both sides."""
        return self.decoder()


class OnbonDecoder(FrameDecoder):
    """A5×8 … 5A frames: unescape, check length and CRC."""

    start, end, preamble = 0xA5, END, True

    def parse(self, frame: bytes) -> SignFrame | None:
        """Decode one frame (escaped body and the 5A end byte)."""
        body = unescaped(frame, unescape)
        if (
            body is None
            or len(body) < _HEADER + 2
            or crc16_arc(body[:-2]) != int.from_bytes(body[-2:], "little")
        ):
            return None
        length = int.from_bytes(body[12:14], "little")
        data = body[_HEADER:-2]
        if len(data) != length or len(data) < 2:
            return None
        dst, src = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
        if data[:2] == ACK:
            return SignFrame(src, "ack", reply=True, ok=data[2:3] == b"\x00", raw=body)
        command = {PING: "ping", CLEAR: "clear"}.get(data[:2])
        if command:
            return SignFrame(dst, command, raw=body)
        if data[:2] == TEXT and len(data) > 9 + 27:
            return SignFrame(dst, "text", self._lines(data[9:]), raw=body)
        return SignFrame(dst, "other", raw=body)

    def _lines(self, area: bytes) -> tuple[str, ...]:
        size = int.from_bytes(area[23:27], "little")
        text = area[27 : 27 + size].decode(self.encoding, errors="replace")
        if colour := _COLOUR_ESCAPE.match(text):  # only our leading colour code
            text = text[colour.end() :]
        return tuple(text.split("\n")) if text else ()
