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


COMPLETE, INVALID, INCOMPLETE = "complete", "invalid", "incomplete"


class LengthFramedDecoder(StreamDecoder[F]):
    """Frames found by a start marker and a length field, with no end marker (YC-485, GA 467).

    Noise that looks like a start marker can claim a length longer than what follows and so
    hold back the real frame behind it; when a complete, valid frame starts further on, the
    false start is dropped instead of waiting for bytes that will never belong to it.
    """

    marker = b""

    def candidate(self, pos: int) -> tuple[str, F | None, int]:
        """(COMPLETE, frame, size), (INVALID, None, 0) or (INCOMPLETE, None, 0) at `pos`."""
        raise NotImplementedError

    def _next(self) -> F | None:
        while True:
            start = self.buffer.find(self.marker)
            if start < 0:
                # keep a tail that may be the beginning of a marker still arriving
                self.reject(max(0, len(self.buffer) - (len(self.marker) - 1)))
                return None
            self.reject(start)
            state, frame, size = self.candidate(0)
            if state == COMPLETE:
                del self.buffer[:size]
                return frame
            if state == INVALID:
                self.reject(1)
                continue
            later = self._valid_start_after(0)
            if later is None:
                return None
            self.reject(later)

    def _valid_start_after(self, pos: int) -> int | None:
        while (pos := self.buffer.find(self.marker, pos + 1)) > 0:
            if self.candidate(pos)[0] == COMPLETE:
                return pos
        return None
