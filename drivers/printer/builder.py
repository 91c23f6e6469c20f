"""One print job: python-escpos' command set on a Dummy, our own GB18030/GBK text per profile."""

from __future__ import annotations

from collections.abc import Iterable

import qrcode
from PIL import Image, ImageDraw

from drivers.fonts import cjk_font
from drivers.printer.escpos_lib import (
    PAPER_FULL_CUT,
    PAPER_PART_CUT,
    QR_ECLEVEL_M,
    Dummy,
    escpos_profile_name,
)
from drivers.printer.layout import clean, display_width, wrap
from drivers.profiles import Profile

QR_MASK = 2  # ISO/IEC 18004 mask 010: every third column
QUIET_ZONE = 4  # modules of white around a QR symbol (ISO/IEC 18004 quiet zone 4X)


def encode_text(text: str, encoding: str, max_bytes_per_char: int) -> bytes | None:
    """The bytes the resident font prints for `text`, or None when it cannot carry it.

    GB18030 four-byte sequences (second byte 0x30-0x39, e.g. rare 生僻字 and emoji) are refused
    unless the profile says the firmware has them (SP91 manual p.66: "GB18030 only supports
    double bytes 1、2、3、4、5 area").
    """
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return None
    if max_bytes_per_char >= 4 or data.isascii():
        return data
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            i += 1
        elif i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39:
            return None
        else:
            i += 2
    return data


class JobBuilder:
    """Compose one job; every method appends bytes, `finish()` feeds or cuts and returns them."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.spec = profile.printer_spec
        self.columns = self.spec.columns
        self._p = Dummy(profile=escpos_profile_name(profile))
        # ESC @ resets the printer, FS & selects Chinese (Kanji) mode explicitly even on
        # firmware that boots in it (SPRT POS76-II manual p.21; hardware.md §2.2).
        self._p._raw(self.spec.init + self.spec.chinese_mode)

    def align(self, where: str) -> None:
        """ESC a: left, center or right (at the start of a line)."""
        self._p.set(align=where)

    def bold(self, on: bool) -> None:
        """ESC E."""
        self._p.set(bold=on)

    def size(self, width: int, height: int) -> None:
        """GS ! n: scales hanzi too.

        ESC ! does not scale hanzi on many Chinese firmwares (mike42/escpos-php#931), and
        python-escpos' normal_textsize sends only ESC !, so GS ! 0x00 is how we go back.
        """
        self._p.set(custom_size=True, width=width, height=height)

    def line(self, text: str) -> None:
        """One line of text in the resident font, or as a picture when the font cannot carry it."""
        text = clean(text)
        data = encode_text(text, self.spec.encoding, self.spec.max_bytes_per_char)
        if data is None:
            self._raster_line(text)
        else:
            self._p._raw(data + b"\n")

    def lines(self, texts: Iterable[str]) -> None:
        """Several lines."""
        for text in texts:
            self.line(text)

    def headline(self, text: str, width: int = 1, height: int | None = None) -> None:
        """Bold scaled text (default: the profile's title height), wrapped at what is left."""
        self.bold(True)
        self.size(width, self.spec.title_height if height is None else height)
        self.lines(wrap(text, self.columns // width))
        self.size(1, 1)
        self.bold(False)

    def big(self, text: str, width: int, height: int) -> None:
        """Text scaled by GS !, shrunk until it fits the line."""
        while width > 1 and display_width(text) * width > self.columns:
            width, height = width - 1, max(1, height - 1)
        self.size(width, height)
        self.line(text)
        self.size(1, 1)

    def qr(self, url: str) -> None:
        """GS ( k where the profile has native QR, else the code drawn by `qrcode` as GS v 0."""
        if not url:
            return
        if self.profile.supports("qr_native"):
            # GS ( k prints the symbol alone: ESC J feeds the 4-module quiet zone above it
            # (ISO/IEC 18004), the line feed after it leaves more than 4 modules below
            self._p._raw(b"\x1bJ" + bytes((min(255, QUIET_ZONE * self.spec.qr_module),)))
            self._p.qr(url, ec=QR_ECLEVEL_M, size=self.spec.qr_module, native=True)
            self._p._raw(b"\n")
            return
        # a fixed mask: any of the eight scans alike with a quiet zone, and choosing the best
        # one by penalty score is most of the render time (8 ms of a 5 ms budget)
        code = qrcode.QRCode(
            box_size=self.spec.qr_image_box,
            border=QUIET_ZONE,
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            mask_pattern=QR_MASK,
        )
        code.add_data(url)
        code.make(fit=True)
        image = code.make_image().get_image().convert("1")
        # low density: each image pixel is printed as 2x2 dots, a quarter of the bytes
        self._p.image(
            image,
            impl=self.spec.image_impl,
            high_density_vertical=False,
            high_density_horizontal=False,
        )
        self._p._raw(b"\n")

    def barcode128(self, data: str) -> None:
        """GS k m=73: a CODE128 symbol of `data` (code set B) with its digits printed below.

        Epson ESC/POS command reference, GS h (height in dots), GS w (module width 2),
        GS H 2 (HRI characters below), GS k <Function B> m=73 n d1…dn where the data starts
        with "{B" to select code set B. Printable ASCII only; longer than 30 characters is
        left out (a 58 mm line holds about that many modules at width 2).
        """
        text = data.encode("ascii", "ignore")
        if not text or len(text) > 30 or not all(0x20 <= b < 0x7F and b != 0x7B for b in text):
            return
        payload = b"{B" + text
        self._p._raw(b"\x1dh\x50" + b"\x1dw\x02" + b"\x1dH\x02")
        self._p._raw(b"\x1dk\x49" + bytes((len(payload),)) + payload + b"\n")

    def feed(self, lines: int) -> None:
        """ESC d n."""
        self._p.print_and_feed(lines)

    def finish(self) -> bytes:
        """Cut where the profile has a cutter (partial when it can), else feed to the tear bar."""
        # the profile's feed, not python-escpos' fixed ESC d 6 (cut(feed=True))
        self._p.print_and_feed(self.spec.feed_before_cut)
        if self.profile.supports("cutter_partial"):
            self._p._raw(PAPER_PART_CUT)
        elif self.profile.supports("cutter_full"):
            self._p._raw(PAPER_FULL_CUT)
        return bytes(self._p.output)

    def _raster_line(self, text: str) -> None:
        """Draw a line the font cannot print (4-byte GB18030, outside GBK) with a CJK font."""
        font = cjk_font(24)
        width = min(self.spec.dots, max(8, int(font.getlength(text)) + 2))
        image = Image.new("1", (width, 24), 1)
        ImageDraw.Draw(image).text((0, 0), text, font=font, fill=0)
        self._p.image(image, impl=self.spec.image_impl)
