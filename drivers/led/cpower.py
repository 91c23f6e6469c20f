"""C-Power (CPower5200 family): serial `A5 … AE` packets, or network packets on the card's port.

Source: arturas88/led-controller-sdk docs/BasicProtocol.md and
docs/ExternalCallsCommunicationProtocol.md. Packet: 68 (send) / E8 (reply; 68 from app 3.2
and older, so the top bit is ignored, §2.1.2) | 32 (card type) | card id (01-FE, FF group) |
command | ack flag (send) or return code (reply) | data | sum lo hi, the 16-bit sum of packet
type through data. Serial (RS-232/485, or a serial-to-TCP converter): A5 | packet | AE, and
between them A5, AA, AE go as AA 05, AA 0A, AA 0E. Network, on the card's own TCP port (§2.2):
ID code (4, high byte first) | length of the packet (2, low byte first as the repository's
NetworkCommunication.php sends it) | 00 00 | packet, with no delimiters and no transcoding.
Text goes through the external-calls command 7B, sub-code 12 "send pure text to the specified
window" (RAM, not a stored program).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qs, urlsplit

from drivers.checksums import sum16
from drivers.framing import StreamDecoder
from drivers.led.codec import (
    CONTROL_CHARACTERS,
    Escaping,
    FrameDecoder,
    SignFrame,
    encodable,
    unescaped,
)
from drivers.profiles import Profile

START, END, ESCAPE = 0xA5, 0xAE, 0xAA
SEND, REPLY = 0x68, 0xE8
EXTERNAL_CALLS = 0x7B
PURE_TEXT, QUERY_VERSION = 0x12, 0x2E
NETWORK_HEADER = 8  # ID code (4), length (2), reserved (2)
MAX_PACKET = 4096
# Font size code (protocol §1 "Font Size Code") by pixel height.
FONT_CODES = {8: 0, 12: 1, 16: 2, 24: 3, 32: 4, 40: 5, 48: 6, 56: 7}
COLOURS = {"red": (0xFF, 0, 0), "green": (0, 0xFF, 0), "yellow": (0xFF, 0xFF, 0)}


# Between A5 and AE: A5 -> AA 05, AA -> AA 0A, AE -> AA 0E (BasicProtocol.md "Transcoding").
_ESCAPING = Escaping({START: b"\xaa\x05", ESCAPE: b"\xaa\x0a", END: b"\xaa\x0e"}, "C-Power")
escape, unescape = _ESCAPING.escape, _ESCAPING.unescape


def packet(
    card_id: int,
    command: int,
    flag: int,
    data: bytes,
    *,
    card_type: int = 0x32,
    packet_type: int = SEND,
) -> bytes:
    """Packet type through checksum, before any framing (BasicProtocol.md §1.1)."""
    body = bytes((packet_type, card_type, card_id, command, flag)) + data
    return body + sum16(body).to_bytes(2, "little")


def frame(
    card_id: int,
    command: int,
    flag: int,
    data: bytes,
    *,
    card_type: int = 0x32,
    packet_type: int = SEND,
) -> bytes:
    """One serial packet: A5, the transcoded packet, AE."""
    body = packet(card_id, command, flag, data, card_type=card_type, packet_type=packet_type)
    return bytes((START,)) + escape(body) + bytes((END,))


def network_frame(id_code: int, body: bytes) -> bytes:
    """One network packet (ExternalCallsCommunicationProtocol.md §2.2.1)."""
    return id_code.to_bytes(4, "big") + len(body).to_bytes(2, "little") + b"\x00\x00" + body


def framing_for(url: str, profile: Profile) -> str:
    """Network packets on the card's own TCP port (the profile's tcp_port), else serial.

    A serial-to-TCP converter in front of an RS-232/485 card listens on another port and
    passes the serial packets through unchanged; `?framing=network|serial` on the URL says it
    outright (a card moved to another port, a converter on 5200, sim://).
    """
    parts = urlsplit(url)
    asked = parse_qs(parts.query).get("framing")
    if asked:
        return "network" if asked[0] == "network" else "serial"
    if parts.scheme == "socket" and parts.port == profile.transport.tcp_port:
        return "network"
    return "serial"


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
    """C-Power window signs configured from a profile ([cpower] card_type, window, id_code …)."""

    protocol = "cpower"
    # NUL ends the text early, CR starts a new line (7B/12); no in-text codes are documented.
    control_sequences = CONTROL_CHARACTERS

    def __init__(self, profile: Profile, *, network: bool = False) -> None:
        self.spec = profile.sign_spec
        self.card_type = self.spec.params["card_type"]
        self.id_code = self.spec.params["id_code"]
        self.network = network
        self.reply_type = REPLY  # the simulator of an app 3.2 card answers with SEND

    def packet(
        self, card_id: int, command: int, flag: int, data: bytes, packet_type: int = SEND
    ) -> bytes:
        """One packet in this codec's framing (serial or network)."""
        body = packet(
            card_id, command, flag, data, card_type=self.card_type, packet_type=packet_type
        )
        if self.network:
            return network_frame(self.id_code, body)
        return bytes((START,)) + escape(body) + bytes((END,))

    def sanitize(self, text: str) -> str:
        """Controls become spaces, glyphs the font lacks a full-width space."""
        return encodable(text, self.spec.encoding)

    def encode_text(self, address: int, lines: Sequence[str]) -> bytes:
        """7B/12 pure text, confirmation requested (ack flag bit 0)."""
        text = "\r".join(self.sanitize(line) for line in lines)
        data = pure_text_data(
            text,
            encoding=self.spec.encoding,
            window=self.spec.params["window"],
            speed=self.spec.params["speed"],
            stay=self.spec.params["stay_s"],
            font_px=self.spec.font_px,
            rgb=COLOURS[self.spec.colour],
        )
        return self.packet(address, EXTERNAL_CALLS, 0x01, data)

    def encode_clear(self, address: int) -> bytes:
        """An empty pure text: the window goes dark."""
        return self.encode_text(address, [])

    def encode_ping(self, address: int) -> bytes | None:
        """Query version info (command 2E, data 00), answered by every controller."""
        return self.packet(address, QUERY_VERSION, 0x01, b"\x00")

    def encode_reply(self, request: SignFrame, ok: bool = True) -> bytes:
        """E8 (68 on old firmware) reply, return code 00 (success) or 01 (checksum error)."""
        command = EXTERNAL_CALLS if request.command in ("text", "clear") else QUERY_VERSION
        data = b"\x01\x00\x00\x00\x12" if command == EXTERNAL_CALLS else b"\x00\x32\x11\x11"
        return self.packet(request.address, command, 0 if ok else 1, data, self.reply_type)

    def decoder(self) -> StreamDecoder[SignFrame]:
        """The card's side: 68 packets are requests, E8 packets replies."""
        return self._decoder(replies=False)

    def reply_decoder(self) -> StreamDecoder[SignFrame]:
        """The host's side: every packet is a reply, whatever its top bit (old firmware)."""
        return self._decoder(replies=True)

    def _decoder(self, *, replies: bool) -> StreamDecoder[SignFrame]:
        if self.network:
            return CPowerNetworkDecoder(self.spec.encoding, replies=replies)
        return CPowerDecoder(self.spec.encoding, replies=replies)


def parse_packet(body: bytes, encoding: str, *, replies: bool) -> SignFrame | None:
    """Packet type through checksum -> a frame; None when the sum or the type is wrong."""
    if len(body) < 7 or sum16(body[:-2]) != int.from_bytes(body[-2:], "little"):
        return None
    kind, card_id, command, flag, data = body[0], body[2], body[3], body[4], body[5:-2]
    if kind & 0x7F != SEND:
        return None
    if replies or kind & 0x80:
        return SignFrame(card_id, "ack", reply=True, ok=flag == 0, raw=body)
    if command == QUERY_VERSION:
        return SignFrame(card_id, "ping", raw=body)
    if command == EXTERNAL_CALLS and len(data) >= 16 and data[4] == PURE_TEXT:
        text = data[15:].split(b"\x00", 1)[0].decode(encoding, errors="replace")
        lines = tuple(text.split("\r")) if text else ()
        return SignFrame(card_id, "text" if lines else "clear", lines, raw=body)
    return SignFrame(card_id, "other", raw=body)


class CPowerDecoder(FrameDecoder):
    """A5 … AE frames: unescape, check the sum."""

    start, end = START, END

    def __init__(self, encoding: str = "gb2312", *, replies: bool = False) -> None:
        super().__init__(encoding)
        self.replies = replies

    def parse(self, frame: bytes) -> SignFrame | None:
        """Decode one packet (escaped body and the AE end code)."""
        body = unescaped(frame, unescape)
        return None if body is None else parse_packet(body, self.encoding, replies=self.replies)


class CPowerNetworkDecoder(StreamDecoder[SignFrame]):
    """Network packets: an 8-byte header whose length field says where the packet ends."""

    def __init__(self, encoding: str = "gb2312", *, replies: bool = False) -> None:
        super().__init__()
        self.encoding, self.replies = encoding, replies

    def _next(self) -> SignFrame | None:
        while len(self.buffer) >= NETWORK_HEADER:
            size = int.from_bytes(self.buffer[4:6], "little")
            if self.buffer[6:8] != b"\x00\x00" or not 7 <= size <= MAX_PACKET:
                self.reject(1)  # not a header: resync byte by byte
                continue
            if len(self.buffer) < NETWORK_HEADER + size:
                return None
            body = bytes(self.buffer[NETWORK_HEADER : NETWORK_HEADER + size])
            frame = parse_packet(body, self.encoding, replies=self.replies)
            if frame is None:
                self.reject(1)
                continue
            del self.buffer[: NETWORK_HEADER + size]
            return frame
        return None
