"""What every LED sign codec provides: pure encoders and a resyncing stream decoder.

Encoders turn text into frame bytes, the decoder turns bytes back into frames, so the sign
driver and the simulator share one codec.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from drivers.errors import ProtocolError
from drivers.framing import StreamDecoder
from drivers.profiles import Profile
from drivers.textwidth import truncate


@dataclass(frozen=True)
class SignFrame:
    """One decoded frame, from the host (a request) or from the sign (a reply)."""

    address: int
    command: str  # text, clear, ping, ack or other
    lines: tuple[str, ...] = ()
    reply: bool = False
    ok: bool = True
    raw: bytes = field(default=b"", repr=False)


class SignCodec(Protocol):
    """One protocol family (C-Power, Onbon BX-5/6, plain strip) configured from a profile."""

    protocol: str
    control_sequences: tuple[str, ...]  # what free text must never carry to this sign

    def sanitize(self, text: str) -> str:
        """Plain text for this sign: its control sequences defused, missing glyphs replaced."""

    def encode_text(self, address: int, lines: Sequence[str]) -> bytes:
        """Frame that shows `lines` in the sign's RAM/dynamic area (never a flash program)."""

    def encode_clear(self, address: int) -> bytes:
        """Frame that blanks the sign."""

    def encode_ping(self, address: int) -> bytes | None:
        """A harmless request the sign answers, or None when the protocol has none."""

    def encode_reply(self, request: SignFrame, ok: bool = True) -> bytes:
        """The sign's answer to a request (used by the simulator)."""

    def decoder(self) -> StreamDecoder[SignFrame]:
        """A fresh stream decoder (the sign's side: requests, and replies it can tell apart)."""

    def reply_decoder(self) -> StreamDecoder[SignFrame]:
        """A fresh stream decoder for the host's side: whatever a sign sends is its answer."""


class FrameDecoder(StreamDecoder[SignFrame]):
    """Frames between a start byte and an end byte (plus `trailer` bytes after the end).

    Noise before a start byte is dropped; a new start byte before the end means the old frame
    was cut, so it is dropped too; a frame that `parse` refuses (bad escape, length, checksum)
    is dropped and the decoder looks for the next start byte.
    """

    start = 0x00
    end = 0x00
    trailer = 0
    preamble = False  # the start byte repeats (a preamble) before the body

    def __init__(self, encoding: str = "gb2312") -> None:
        super().__init__()
        self.encoding = encoding

    def parse(self, frame: bytes) -> SignFrame | None:
        """The frame from the byte after the start (or preamble) through the trailer."""
        raise NotImplementedError

    def _next(self) -> SignFrame | None:
        while True:
            start = self.buffer.find(self.start)
            if start < 0:
                self.reject(len(self.buffer))
                return None
            self.reject(start)
            body = self._body_start()
            end = self.buffer.find(self.end, body)
            restart = self.buffer.find(self.start, body)
            if restart > 0 and (end < 0 or restart < end):
                self.reject(restart)
                continue
            size = end + 1 + self.trailer
            if end < 0 or len(self.buffer) < size:
                return None
            frame = self.parse(bytes(self.buffer[body:size]))
            if frame is None:
                # Drop only the false start: the bytes taken as its trailer may already be
                # the start of the next, good frame (found by hypothesis, noise "02 03").
                self.reject(body)
                continue
            del self.buffer[:size]
            return frame

    def _body_start(self) -> int:
        if not self.preamble:
            return 1
        return len(self.buffer) - len(self.buffer.lstrip(bytes((self.start,))))


def fit_lines(lines: Sequence[str], profile: Profile) -> tuple[str, ...]:
    """Keep what the sign can show: at most `lines` lines of at most `columns` columns."""
    spec = profile.sign_spec
    return tuple(truncate(line, spec.columns) for line in list(lines)[: spec.lines])


CONTROL_CHARACTERS = tuple(chr(c) for c in (*range(0x20), 0x7F))


def encodable(text: str, encoding: str) -> str:
    """Replace what the sign's font (GB2312/GBK) lacks, and control characters.

    Missing glyphs become a full-width space, controls a space: a NUL would end a C-Power text
    early, an STX would start a strip frame.
    """
    return "".join(
        " " if ord(c) < 0x20 or c == "\x7f" else c if _can_encode(c, encoding) else "\u3000"
        for c in text
    )


def _can_encode(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def unescaped(frame: bytes, unescape: Callable[[bytes], bytes]) -> bytes | None:
    """The frame without its end byte, unescaped; None when an escape sequence is broken."""
    try:
        return unescape(frame[:-1])
    except ProtocolError:
        return None


class Escaping:
    """Byte stuffing: bytes that would look like frame markers travel as two-byte sequences."""

    def __init__(self, table: dict[int, bytes], protocol: str) -> None:
        self.table, self.protocol = table, protocol
        self.reverse = {pair: byte for byte, pair in table.items()}
        self.leads = {pair[0] for pair in table.values()}

    def escape(self, body: bytes) -> bytes:
        """Replace every special byte by its pair."""
        return b"".join(self.table.get(b, bytes((b,))) for b in body)

    def unescape(self, body: bytes) -> bytes:
        """Undo `escape`; a lead byte followed by anything unexpected is a ProtocolError."""
        out, i = bytearray(), 0
        while i < len(body):
            if body[i] in self.leads:
                pair = bytes(body[i : i + 2])
                if pair not in self.reverse:
                    raise ProtocolError(f"{self.protocol} 转义错误", detail=body.hex(" "))
                out.append(self.reverse[pair])
                i += 2
            else:
                out.append(body[i])
                i += 1
        return bytes(out)
