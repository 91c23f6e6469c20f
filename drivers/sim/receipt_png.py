"""Draw parsed ESC/POS operations as the paper a thermal printer would give out.

Text is drawn on the printer's grid (Font A: 12x24-dot ASCII cells, 24x24 hanzi cells) with a
CJK font and scaled like GS ! scales the resident font; raster images are drawn bit for bit;
native QR codes are re-encoded with `qrcode` at the module size the host asked for.
"""

from __future__ import annotations

import qrcode
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from drivers.fonts import cjk_font
from drivers.printer.decode import (
    LINE_DOTS,
    Cut,
    Feed,
    Op,
    QrCode,
    RasterImage,
    Segment,
    TextLine,
)

CELL = 24  # Font A cell height in dots; ASCII cells are half as wide
MARGIN = 16  # unprinted paper at each side, in dots
_EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def render_receipt(ops: list[Op], dots: int) -> Image.Image:
    """The receipt as a greyscale picture `dots` wide plus paper margins."""
    placed: list[tuple[Image.Image, int, int]] = []
    y = MARGIN
    for op in ops:
        block = _block(op, dots)
        if block is None:
            y += op.dots if isinstance(op, Feed) else 0
            continue
        image, align, advance = block
        placed.append((image, _x(image.width, align, dots), y))
        y += advance
    paper = Image.new("L", (dots + 2 * MARGIN, y + MARGIN), 255)
    for image, x, top in placed:
        paper.paste(image, (x + MARGIN, top))
    ImageDraw.Draw(paper).rectangle((0, 0, paper.width - 1, paper.height - 1), outline=180)
    return paper


def _block(op: Op, dots: int) -> tuple[Image.Image, str, int] | None:
    if isinstance(op, TextLine):
        image = _line_image(op)
        return image, op.align, max(LINE_DOTS, image.height + 6)
    if isinstance(op, RasterImage):
        image = _raster_image(op)
        return image, op.align, image.height
    if isinstance(op, QrCode):
        image = _qr_image(op)
        return image, op.align, image.height
    if isinstance(op, Cut):
        return _cut_image(dots), "left", 24
    return None


def _x(width: int, align: str, dots: int) -> int:
    if align == "center":
        return max(0, (dots - width) // 2)
    if align == "right":
        return max(0, dots - width)
    return 0


def _line_image(line: TextLine) -> Image.Image:
    parts = [_segment_image(s) for s in line.segments if s.text]
    height = CELL * line.height
    image = Image.new("L", (max(1, sum(p.width for p in parts)), height), 255)
    x = 0
    for part in parts:
        image.paste(part, (x, height - part.height))  # segments share the baseline
        x += part.width
    return image


def _segment_image(segment: Segment) -> Image.Image:
    style = segment.style
    scale = max(style.width, style.height)
    font = cjk_font(CELL * scale)
    widths = [(CELL // 2 if ord(c) < 0x80 else CELL) * scale for c in segment.text]
    image = Image.new("L", (max(1, sum(widths)), CELL * scale), 255)
    draw = ImageDraw.Draw(image)
    x = 0
    for ch, width in zip(segment.text, widths, strict=True):
        draw.text((x + width / 2, CELL * scale / 2), ch, font=font, fill=0, anchor="mm")
        x += width
    target = (sum(widths) // scale * style.width, CELL * style.height)
    if image.size != target:
        image = image.resize(target, Image.Resampling.LANCZOS)
    if style.bold:
        image = image.filter(ImageFilter.MinFilter(3))
    return image


def _raster_image(op: RasterImage) -> Image.Image:
    bits = Image.frombytes("1", (op.width, op.height), op.data)
    image = ImageOps.invert(bits.convert("L"))  # ESC/POS 1 = black, PIL "1" 1 = white
    size = (op.width * op.scale_x, op.height * op.scale_y)
    return image.resize(size, Image.Resampling.NEAREST)


def _qr_image(op: QrCode) -> Image.Image:
    code = qrcode.QRCode(box_size=max(1, op.module), border=0, error_correction=_EC[op.ec])
    code.add_data(op.data)
    code.make(fit=True)
    image: Image.Image = code.make_image().get_image().convert("L")
    return image


def _cut_image(dots: int) -> Image.Image:
    image = Image.new("L", (dots, 24), 255)
    draw = ImageDraw.Draw(image)
    for x in range(0, dots, 12):
        draw.line((x, 12, x + 6, 12), fill=120, width=2)
    return image
