"""ESC/POS bytes -> what a printer would do with them: text lines, pictures, QR codes, cuts.

The simulated printer runs this parser on what it receives, and tests use `decode()` to read
a ticket back as text. Chinese is decoded with the profile's encoding while FS & (Chinese
mode) is on: a byte >= 0x81 starts a two-byte GB code, or a four-byte one when the second byte
is 0x30-0x39 (GB18030). Command lengths follow the Epson ESC/POS reference.
"""

from __future__ import annotations

from drivers.printer.ops import (
    Cut,
    Feed,
    Op,
    QrCode,
    RasterImage,
    Reset,
    Segment,
    StatusRequest,
    Style,
    TextLine,
    Unknown,
)

__all__ = [
    "Cut",
    "EscPosParser",
    "Feed",
    "Op",
    "QrCode",
    "RasterImage",
    "Reset",
    "Segment",
    "StatusRequest",
    "Style",
    "TextLine",
    "Unknown",
    "decode",
    "ops_to_text",
    "parse",
]

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LINE_DOTS = 30  # default line spacing (ESC 2): 1/6 inch


class _NeedMore(Exception):
    """The buffer ends inside a command; wait for more bytes."""


_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
# ESC and GS commands with a fixed number of parameter bytes (command letter -> total length).
_ESC_FIXED = {
    0x32: 2,
    0x33: 3,
    0x74: 3,
    0x4D: 3,
    0x2D: 3,
    0x47: 3,
    0x7B: 3,
    0x56: 3,
    0x72: 3,
    0x70: 5,
    0x20: 3,
    0x63: 4,
    0x3D: 3,
    0x52: 3,
    0x55: 3,
    0x24: 4,
    0x5C: 4,
}
_GS_FIXED = {
    0x42: 3,
    0x48: 3,
    0x66: 3,
    0x68: 3,
    0x77: 3,
    0x4C: 4,
    0x57: 4,
    0x61: 3,
    0x49: 3,
    0x50: 4,
}
_FS_FIXED = {0x43: 3, 0x57: 3, 0x53: 4, 0x2D: 3, 0x70: 4}


class EscPosParser:
    """Incremental parser: feed bytes as they arrive, get the operations they complete."""

    def __init__(self, encoding: str = "gb18030") -> None:
        self.encoding = encoding
        self._buf = bytearray()
        self._ops: list[Op] = []
        self._reset()

    def _reset(self) -> None:
        self.style, self.align, self.chinese = Style(), "left", True
        self._text = bytearray()
        self._segments: list[Segment] = []
        self._line_align: str | None = None
        self._qr_data, self._qr_module, self._qr_ec = "", 3, "L"
        self._graphic: RasterImage | None = None
        self._custom_spacing = False

    def feed(self, data: bytes) -> list[Op]:
        """Parse what is complete; keep a trailing partial command for the next call."""
        self._buf += data
        pos = 0
        while pos < len(self._buf):
            try:
                pos += self._step(pos)
            except _NeedMore:
                break
        del self._buf[:pos]
        ops, self._ops = self._ops, []
        return ops

    def flush(self) -> list[Op]:
        """End a line left without LF (at the end of a job)."""
        if self._text or self._segments:
            self._end_line()
        ops, self._ops = self._ops, []
        return ops

    def _need(self, pos: int, n: int) -> None:
        if len(self._buf) < pos + n:
            raise _NeedMore

    def _step(self, pos: int) -> int:
        b = self._buf[pos]
        if b == 0x0A:
            self._end_line()
            return 1
        if b in (ESC, GS, FS, DLE):
            self._need(pos, 2)
            handler = {ESC: self._esc, GS: self._gs, FS: self._fs, DLE: self._dle}[b]
            return handler(pos, self._buf[pos + 1])
        if b < 0x20:
            if b == 0x09:
                self._add_text(b" ")
            return 1
        if b >= 0x81 and self.chinese:
            self._need(pos, 2)
            width = 4 if 0x30 <= self._buf[pos + 1] <= 0x39 else 2
            self._need(pos, width)
            self._add_text(bytes(self._buf[pos : pos + width]))
            return width
        self._add_text(bytes((b,)))
        return 1

    # --- text -----------------------------------------------------------------------------

    def _add_text(self, data: bytes) -> None:
        if self._line_align is None:
            self._line_align = self.align
        self._text += data

    def _flush_segment(self) -> None:
        if self._text:
            codec = self.encoding if self.chinese else "cp437"
            text = bytes(self._text).decode(codec, errors="replace")
            self._segments.append(Segment(text, self.style))
            self._text.clear()

    def _end_line(self) -> None:
        self._flush_segment()
        if not self._segments and self._custom_spacing:
            return  # the LF closing an ESC * stripe only advances by the stripe
        align = self._line_align or self.align
        self._ops.append(TextLine(tuple(self._segments), align))
        self._segments, self._line_align = [], None

    def _set_style(self, style: Style) -> None:
        self._flush_segment()
        self.style = style

    # --- ESC ------------------------------------------------------------------------------

    def _esc(self, pos: int, c: int) -> int:
        if c == 0x40:  # ESC @ initialise; Chinese printers power up in Chinese mode
            self._flush_pending()
            self._reset()
            self._ops.append(Reset())
            return 2
        if c == 0x2A:  # ESC * m nL nH d1..dk: column bit image
            return self._esc_star(pos)
        if c in (0x21, 0x45, 0x61, 0x64, 0x4A):
            self._need(pos, 3)
            self._esc_param(c, self._buf[pos + 2])
            return 3
        if c in (0x32, 0x33):
            self._custom_spacing = c == 0x33
        length = _ESC_FIXED.get(c, 2)
        self._need(pos, length)
        if c not in _ESC_FIXED:
            self._ops.append(Unknown(bytes(self._buf[pos : pos + 2])))
        return length

    def _esc_param(self, c: int, n: int) -> None:
        if c == 0x21:  # ESC ! n: bit3 emphasis, bit4 double height, bit5 double width
            self._set_style(Style(2 if n & 0x20 else 1, 2 if n & 0x10 else 1, bool(n & 0x08)))
        elif c == 0x45:  # ESC E n
            self._set_style(Style(self.style.width, self.style.height, bool(n & 1)))
        elif c == 0x61:  # ESC a n
            self.align = _ALIGN.get(n, "left")
        elif c == 0x64:  # ESC d n: print and feed n lines
            self._flush_pending()
            self._ops.append(Feed(n * LINE_DOTS))
        else:  # ESC J n: print and feed n dots
            self._flush_pending()
            self._ops.append(Feed(n))

    def _esc_star(self, pos: int) -> int:
        self._need(pos, 5)
        m, k = self._buf[pos + 2], self._buf[pos + 3] + self._buf[pos + 4] * 256
        rows = 3 if m in (32, 33) else 1
        self._need(pos, 5 + k * rows)
        columns = self._buf[pos + 5 : pos + 5 + k * rows]
        self._ops.append(_column_image(bytes(columns), k, rows, self.align, m in (0, 32)))
        return 5 + k * rows

    def _flush_pending(self) -> None:
        if self._text or self._segments:
            self._end_line()

    # --- GS -------------------------------------------------------------------------------

    def _gs(self, pos: int, c: int) -> int:
        if c == 0x21:  # GS ! n: width (high nibble) and height (low nibble) multipliers
            self._need(pos, 3)
            n = self._buf[pos + 2]
            self._set_style(Style((n >> 4) + 1, (n & 0x0F) + 1, self.style.bold))
            return 3
        if c == 0x56:  # GS V m [n]
            self._need(pos, 3)
            m = self._buf[pos + 2]
            self._flush_pending()
            self._ops.append(Cut(partial=m in (1, 49, 66)))
            return 4 if m in (65, 66) else 3
        if c == 0x76:  # GS v 0 m xL xH yL yH d1..dk: raster bit image
            return self._gs_raster(pos)
        if c == 0x28:  # GS ( k / GS ( L: pL pH then p bytes
            return self._gs_paren(pos)
        if c == 0x72:  # GS r n: transmit status
            self._need(pos, 3)
            self._ops.append(StatusRequest(bytes(self._buf[pos : pos + 3])))
            return 3
        if c == 0x6B:  # GS k: barcode, not printed by our layouts
            return self._gs_barcode(pos)
        length = _GS_FIXED.get(c, 2)
        self._need(pos, length)
        if c not in _GS_FIXED:
            self._ops.append(Unknown(bytes(self._buf[pos : pos + 2])))
        return length

    def _gs_raster(self, pos: int) -> int:
        self._need(pos, 8)
        m = self._buf[pos + 3]
        x = self._buf[pos + 4] + self._buf[pos + 5] * 256
        y = self._buf[pos + 6] + self._buf[pos + 7] * 256
        self._need(pos, 8 + x * y)
        data = bytes(self._buf[pos + 8 : pos + 8 + x * y])
        self._flush_pending()
        scale_x, scale_y = (2 if m & 1 else 1), (2 if m & 2 else 1)
        self._ops.append(RasterImage(x * 8, y, data, scale_x, scale_y, self.align))
        return 8 + x * y

    def _gs_paren(self, pos: int) -> int:
        self._need(pos, 5)
        kind = self._buf[pos + 2]
        p = self._buf[pos + 3] + self._buf[pos + 4] * 256
        self._need(pos, 5 + p)
        body = bytes(self._buf[pos + 5 : pos + 5 + p])
        if kind == 0x6B and body[:1] == b"1":
            self._qr(body)
        elif kind == 0x4C and len(body) >= 2:
            self._graphics(body)
        else:
            self._ops.append(Unknown(bytes(self._buf[pos : pos + 5])))
        return 5 + p

    def _qr(self, body: bytes) -> None:
        fn = body[1]
        if fn == 67 and len(body) > 2:  # module size
            self._qr_module = body[2]
        elif fn == 69 and len(body) > 2:  # error correction level
            self._qr_ec = _QR_EC.get(body[2], "L")
        elif fn == 80:  # store data (after m = '0')
            self._qr_data = body[3:].decode("utf-8", errors="replace")
        elif fn == 81:  # print the stored symbol
            self._flush_pending()
            self._ops.append(QrCode(self._qr_data, self._qr_module, self._qr_ec, self.align))

    def _graphics(self, body: bytes) -> None:
        fn = body[1]
        if fn == 0x70 and len(body) >= 10:  # store raster: a bx by c xL xH yL yH data
            width = body[6] + body[7] * 256
            height = body[8] + body[9] * 256
            self._graphic = RasterImage(width, height, body[10:], body[3], body[4], self.align)
        elif fn in (0x32, 0x02) and self._graphic is not None:  # print stored graphics
            self._flush_pending()
            self._ops.append(self._graphic)

    def _gs_barcode(self, pos: int) -> int:
        self._need(pos, 3)
        m = self._buf[pos + 2]
        if m >= 65:
            self._need(pos, 4)
            return 4 + self._buf[pos + 3]
        end = self._buf.find(b"\x00", pos + 3)
        if end < 0:
            raise _NeedMore
        return end - pos + 1

    # --- FS and DLE -----------------------------------------------------------------------

    def _fs(self, pos: int, c: int) -> int:
        if c in (0x26, 0x2E):  # FS & / FS . : Chinese mode on / off
            self._flush_segment()
            self.chinese = c == 0x26
            return 2
        if c == 0x21:  # FS ! n: Chinese print mode, bit2 double width, bit3 double height
            self._need(pos, 3)
            n = self._buf[pos + 2]
            self._set_style(Style(2 if n & 4 else 1, 2 if n & 8 else 1, self.style.bold))
            return 3
        length = _FS_FIXED.get(c, 2)
        self._need(pos, length)
        return length

    def _dle(self, pos: int, c: int) -> int:
        if c == 0x04:  # DLE EOT n: real-time status
            self._need(pos, 3)
            self._ops.append(StatusRequest(bytes(self._buf[pos : pos + 3])))
            return 3
        if c == 0x14:  # DLE DC4 fn m t
            self._need(pos, 5)
            return 5
        self._need(pos, 3)
        return 3


def _column_image(data: bytes, k: int, rows: int, align: str, double_width: bool) -> RasterImage:
    """Turn ESC * column data (each column `rows` bytes, MSB at the top) into raster rows."""
    height, row_bytes = rows * 8, (k + 7) // 8
    out = bytearray(row_bytes * height)
    for x in range(k):
        for r in range(rows):
            byte = data[x * rows + r]
            for bit in range(8):
                if byte & (0x80 >> bit):
                    y = r * 8 + bit
                    out[y * row_bytes + x // 8] |= 0x80 >> (x % 8)
    scale = 2 if double_width else 1
    return RasterImage(row_bytes * 8, height, bytes(out), scale, 1 if rows == 3 else 3, align)


def ops_to_text(ops: list[Op]) -> str:
    """A readable transcript: text lines, [QR …], [图像 w×h], [切纸]."""
    out: list[str] = []
    for op in ops:
        if isinstance(op, TextLine):
            out.append(op.text.rstrip())
        elif isinstance(op, QrCode):
            out.append(f"[QR {op.data}]")
        elif isinstance(op, RasterImage):
            out.append(f"[图像 {op.width}x{op.height}]")
        elif isinstance(op, Cut):
            out.append("[切纸]")
    return "\n".join(out)


def parse(data: bytes, encoding: str = "gb18030") -> list[Op]:
    """Every operation in a complete job."""
    parser = EscPosParser(encoding)
    return parser.feed(data) + parser.flush()


def decode(data: bytes, encoding: str = "gb18030") -> str:
    """ESC/POS bytes as the text a person would read on the paper."""
    return ops_to_text(parse(data, encoding))
