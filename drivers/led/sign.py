"""WindowSign: the 窗口屏 of one window, by profile, URL and bus address."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.led.bus import Bus, BusJob, SignHealth
from drivers.led.codec import SignCodec, fit_lines
from drivers.led.cpower import CPowerCodec, framing_for
from drivers.led.onbon import OnbonCodec
from drivers.led.strip import StripCodec
from drivers.profiles import Profile, load_profile
from drivers.textwidth import display_width

BROADCAST = 0xFF  # C-Power group address: every card takes it, none answers


def codec_for(profile: Profile, url: str = "") -> SignCodec:
    """The codec of the profile's protocol family, in the framing the transport of `url` needs."""
    protocol = profile.sign_spec.protocol
    if protocol == "cpower":
        return CPowerCodec(profile, network=framing_for(url, profile) == "network")
    if protocol == "onbon_bx":
        return OnbonCodec(profile)
    return StripCodec(profile)


def call_lines(number: str, window: str, lines: int, columns: int) -> tuple[str, ...]:
    """What a window sign shows for a call, by its size: two lines, or one that fits."""
    if lines >= 2:
        pairs = [
            (f"请 {number} 号", f"到 {window} 窗口"),
            (f"请{number}号", f"到{window}窗口"),
            (number, f"{window}窗口"),
        ]
        for pair in pairs:
            if all(display_width(text) <= columns for text in pair):
                return pair
        return (number, window)
    for text in (f"请{number}号到{window}窗口", f"{number}→{window}"):
        if display_width(text) <= columns:
            return (text,)
    return (number,)


class WindowSign:
    """Show calls and text on one sign; every method returns at once (the bus does the work)."""

    def __init__(self, profile: Profile, bus: Bus, address: int) -> None:
        self.profile, self.bus, self.address = profile, bus, address
        self.codec = codec_for(profile, bus.url)
        self.spec = profile.sign_spec

    def show_call(self, number: str, window: str) -> None:
        """Show a call: 请 A012 号 / 到 S03 窗口 (shorter on small signs)."""
        self.show_text(call_lines(number, window, self.spec.lines, self.spec.columns))

    def show_text(self, lines: Sequence[str]) -> None:
        """Up to `lines` lines, cut to the sign's width."""
        # sanitized before fitting: a full-width ＼ takes two columns
        fitted = fit_lines([self.codec.sanitize(line) for line in lines], self.profile)
        self._submit("screen", self.codec.encode_text(self.address, fitted))

    def show_idle(self, text: str = "欢迎光临") -> None:
        """The text of a window with nobody called (暂停服务, 欢迎光临 …)."""
        self.show_text([text])

    def clear(self) -> None:
        """Blank the sign."""
        self._submit("screen", self.codec.encode_clear(self.address))

    def check(self) -> None:
        """Queue a ping, so health() learns whether an idle sign still answers.

        A model with no ping (plain strips) gets an empty frame: that opens the line, so a
        dead port reads offline rather than never-contacted.
        """
        frame = self.codec.encode_ping(self.address)
        self._submit("ping", b"" if frame is None else frame)

    def health(self) -> SignHealth:
        """ok, unconfirmed, no_reply, offline or unknown, with the reason."""
        return self.bus.health(self.address)

    def _submit(self, kind: str, frame: bytes) -> None:
        self.bus.submit(
            BusJob(
                address=self.address,
                kind=kind,
                frame=frame,
                decoder=self.codec.reply_decoder,
                expect_ack=self.profile.supports("ack") and self.address != BROADCAST,
                retries=self.spec.retries,
                ack_timeout=self.spec.ack_timeout_ms / 1000,
            )
        )


def open_sign(profile_id: str, url: str, address: int | None = None) -> WindowSign:
    """The sign at `address` (default: the profile's) on the bus behind `url`."""
    profile = load_profile(profile_id)
    spec = profile.sign_spec
    bus = Bus.for_url(url, profile.transport.serial_settings())
    return WindowSign(profile, bus, spec.default_address if address is None else address)
