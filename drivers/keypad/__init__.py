"""Hardware caller keypads (呼叫器): key presses as next / recall / pause … events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.profiles import load_profile
from drivers.serial_link import YcLink
from drivers.yc485 import DISPLAY, KEY, PING, YcFrame, text_fields


@dataclass(frozen=True)
class KeyEvent:
    """A key on the keypad at `address`: `action` from the profile's [keys], digits if typed."""

    address: int
    action: str
    code: int
    digits: str = ""


class Keypad:
    """One keypad (or one keypad id behind a wireless receiver)."""

    def __init__(self, profile_id: str, url: str, address: int | None = None) -> None:
        self.profile = load_profile(profile_id)
        self.spec = self.profile.device_spec
        self.address = self.spec.default_address if address is None else address
        self.link = YcLink.for_url(self.profile, url)
        self.link.addresses.add(self.address)

    def ping(self) -> None:
        """Raise DeviceOffline unless the keypad answers."""
        self.link.command(self.address, PING)

    def show(self, text: str) -> None:
        """Show text on the keypad's display (e.g. the called number)."""
        self.link.command(self.address, DISPLAY, text_fields(text))

    def poll(self) -> list[KeyEvent]:
        """Read the line once; the key events of this keypad."""
        self.link.poll_once()
        return self._keys(self.link.take_events(self.address))

    def on_key(self, callback: Callable[[KeyEvent], None]) -> None:
        """Call `callback` from the line's reader thread for every key from now on."""

        def deliver(frame: YcFrame) -> None:
            for event in self._keys([frame]):
                callback(event)

        self.link.subscribe(self.address, deliver)

    def _keys(self, frames: list[YcFrame]) -> list[KeyEvent]:
        out = []
        for frame in frames:
            if frame.function != KEY or not frame.data:
                continue
            action = self.spec.keys.get(frame.data[0])
            if action is not None:  # unmapped keys are ignored, not guessed
                digits = frame.data[1:].decode("ascii", errors="ignore")
                out.append(KeyEvent(self.address, action, frame.data[0], digits))
        return out


__all__ = ["KeyEvent", "Keypad"]
