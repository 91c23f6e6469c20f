"""What every LED sign codec provides: pure encoders and a resyncing stream decoder.

Encoders turn text into frame bytes, the decoder turns bytes back into frames, so the sign
driver and the simulator share one codec.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

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

    def encode_text(self, address: int, lines: Sequence[str]) -> bytes:
        """Frame that shows `lines` in the sign's RAM/dynamic area (never a flash program)."""

    def encode_clear(self, address: int) -> bytes:
        """Frame that blanks the sign."""

    def encode_ping(self, address: int) -> bytes | None:
        """A harmless request the sign answers, or None when the protocol has none."""

    def encode_reply(self, request: SignFrame, ok: bool = True) -> bytes:
        """The sign's answer to a request (used by the simulator)."""

    def decoder(self) -> FrameDecoder:
        """A fresh stream decoder."""


class FrameDecoder:
    """Collects bytes and yields whole frames.

    Bad checksums and garbage are counted and dropped, and the decoder resyncs on the next
    start byte.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.errors = 0

    def feed(self, data: bytes) -> list[SignFrame]:
        """Add bytes; return the frames they complete."""
        self.buffer += data
        frames: list[SignFrame] = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            frames.append(frame)

    def _next(self) -> SignFrame | None:
        """The next good frame from the buffer, or None when more bytes are needed."""
        raise NotImplementedError

    def reject(self, skip: int) -> None:
        """Drop `skip` bytes of a bad frame or of noise and count an error."""
        del self.buffer[:skip]
        self.errors += 1


def fit_lines(lines: Sequence[str], profile: Profile) -> tuple[str, ...]:
    """Keep what the sign can show: at most `lines` lines of at most `columns` columns."""
    spec = profile.sign_spec
    return tuple(truncate(line, spec.columns) for line in list(lines)[: spec.lines])


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
