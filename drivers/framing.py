"""The stream decoder every frame protocol shares: bytes in, whole frames out, noise counted."""

from __future__ import annotations

from typing import Generic, TypeVar

F = TypeVar("F")


class StreamDecoder(Generic[F]):
    """Collects bytes and yields whole frames; subclasses say where a frame is (`_next`).

    Bytes that are not part of a good frame are dropped with `reject`, which counts them in
    `errors`, so a decoder resyncs on the next start of a frame after garbage or a bad checksum.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.errors = 0

    def feed(self, data: bytes) -> list[F]:
        """Add bytes; return the frames they complete."""
        self.buffer += data
        frames: list[F] = []
        while (frame := self._next()) is not None:
            frames.append(frame)
        return frames

    def _next(self) -> F | None:
        """The next good frame from the buffer, or None when more bytes are needed."""
        raise NotImplementedError

    def reject(self, count: int) -> None:
        """Drop `count` bytes of noise or of a bad frame, and count an error."""
        if count:
            del self.buffer[:count]
            self.errors += 1
