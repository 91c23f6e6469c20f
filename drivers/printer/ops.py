"""What a printer does with ESC/POS bytes: the operations the decoder produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """Character scale (GS !) and emphasis (ESC E)."""

    width: int = 1
    height: int = 1
    bold: bool = False


@dataclass(frozen=True)
class Segment:
    """A run of text in one style."""

    text: str
    style: Style


@dataclass(frozen=True)
class TextLine:
    """One printed line (ended by LF)."""

    segments: tuple[Segment, ...]
    align: str

    @property
    def text(self) -> str:
        """The characters of the line."""
        return "".join(s.text for s in self.segments)

    @property
    def height(self) -> int:
        """The tallest scale on the line."""
        return max((s.style.height for s in self.segments), default=1)


@dataclass(frozen=True)
class RasterImage:
    """A bit image: rows of `width` bits, MSB first, 1 = black; printed scaled."""

    width: int
    height: int
    data: bytes
    scale_x: int
    scale_y: int
    align: str


@dataclass(frozen=True)
class QrCode:
    """A QR symbol printed by the firmware (GS ( k)."""

    data: str
    module: int
    ec: str
    align: str


@dataclass(frozen=True)
class Feed:
    """Paper fed without printing."""

    dots: int


@dataclass(frozen=True)
class Cut:
    """GS V: the cutter fired."""

    partial: bool


@dataclass(frozen=True)
class StatusRequest:
    """DLE EOT n or GS r n: the host asks for a status byte."""

    command: bytes


@dataclass(frozen=True)
class Reset:
    """ESC @."""


@dataclass(frozen=True)
class Unknown:
    """A command this parser does not model (kept for the log)."""

    data: bytes


Op = TextLine | RasterImage | QrCode | Feed | Cut | StatusRequest | Reset | Unknown
