"""A simulated LED sign controller: decodes with the same codec, keeps one screen per address."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from drivers.fonts import cjk_font
from drivers.framing import StreamDecoder
from drivers.led.codec import SignFrame
from drivers.led.cpower import SEND, CPowerCodec
from drivers.led.sign import BROADCAST, codec_for
from drivers.profiles import Profile
from drivers.sim.base import Simulator

_LED_COLOURS = {"red": (255, 40, 20), "green": (40, 255, 60), "yellow": (255, 200, 0)}
PITCH = 8  # picture pixels per LED


class SignSimulator(Simulator):
    """One bus with signs at `addresses`; frames for other addresses are ignored (no reply).

    Options from the sim:// URL: `framing=network` (a C-Power card on its own TCP port) and
    `firmware=3.2` (a C-Power app 3.2 or older, which answers with packet type 68).
    """

    kind = "led"

    def __init__(self, profile: Profile, name: str = "default") -> None:
        super().__init__(profile, name)
        self.codec = codec_for(profile)
        self._decoder: StreamDecoder[SignFrame] = self.codec.decoder()
        self.addresses = {profile.sign_spec.default_address}
        self.screens: dict[int, tuple[str, ...]] = {}
        self.frames: list[SignFrame] = []

    def configure(self, options: dict[str, str]) -> None:
        """Framing and firmware generation, as the URL asks."""
        framing = options.get("framing", "serial")
        with self._lock:
            self.codec = codec_for(self.profile, f"sim://{self.profile.id}?framing={framing}")
            self._decoder = self.codec.decoder()
            firmware = options.get("firmware", "")
            if isinstance(self.codec, CPowerCodec) and firmware and _version(firmware) <= (3, 2):
                self.codec.reply_type = SEND

    @property
    def errors(self) -> int:
        """Frames rejected for bad checksum, bad escape or garbage."""
        return self._decoder.errors

    def handle(self, data: bytes) -> None:
        """Apply every complete frame; answer the ones addressed to a sign that acknowledges."""
        for frame in self._decoder.feed(data):
            if frame.reply:
                continue
            targets = self.addresses if frame.address == BROADCAST else {frame.address}
            if not targets & self.addresses:
                continue
            self.frames.append(frame)
            for address in targets & self.addresses:
                if frame.command == "text":
                    self.screens[address] = frame.lines
                elif frame.command == "clear":
                    self.screens[address] = ()
            if self.profile.supports("ack") and frame.address != BROADCAST:
                self.reply(self.codec.encode_reply(frame))

    def corrupt(self, data: bytes) -> bytes:
        """The reply with a checksum byte flipped (the byte before the end code)."""
        index = len(data) - 2 if len(data) > 2 else 0
        return data[:index] + bytes((data[index] ^ 0x5F,)) + data[index + 1 :]

    def screen_of(self, address: int | None = None) -> str:
        """The text on one sign, lines joined by newlines ("" when blank)."""
        with self._lock:
            key = self.profile.sign_spec.default_address if address is None else address
            return "\n".join(self.screens.get(key, ()))

    @property
    def screen(self) -> str:
        """The text on the sign at the profile's default address."""
        return self.screen_of()

    def render_png(self, path: str | Path, address: int | None = None) -> Path:
        """Draw the sign as lit LEDs on a dark board and save it as PNG."""
        spec = self.profile.sign_spec
        lines = self.screen_of(address).split("\n")
        mask = Image.new("L", (spec.width_px, spec.height_px), 0)
        draw = ImageDraw.Draw(mask)
        font = cjk_font(spec.font_px)
        row = spec.height_px // max(1, spec.lines)
        for i, line in enumerate(lines[: spec.lines]):
            draw.text(
                (spec.width_px / 2, row * i + row / 2), line, font=font, fill=255, anchor="mm"
            )
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        _leds(mask, _LED_COLOURS[spec.colour]).save(out)
        return out


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return (99,)


def _leds(mask: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    """Each pixel of the mask becomes one round LED, lit where the mask is bright."""
    board = Image.new("RGB", (mask.width * PITCH, mask.height * PITCH), (18, 18, 18))
    draw = ImageDraw.Draw(board)
    dim = tuple(c // 7 for c in colour)
    for y in range(mask.height):
        for x in range(mask.width):
            lit = mask.getpixel((x, y))
            fill = colour if isinstance(lit, int) and lit > 110 else dim
            box = (x * PITCH + 1, y * PITCH + 1, x * PITCH + PITCH - 2, y * PITCH + PITCH - 2)
            draw.ellipse(box, fill=fill)
    return board
