"""Hardware caller keypads (呼叫器): key presses as next / recall / pause … events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.serial_link import YcDevice
from drivers.yc485 import DISPLAY, KEY, YcFrame, text_fields


@dataclass(frozen=True)
class KeyEvent:
    """A key on the keypad at `address`: `action` from the profile's [keys], digits if typed."""

    address: int
    action: str
    code: int
    digits: str = ""


class Keypad(YcDevice[KeyEvent]):
    """One keypad (or one keypad id behind a wireless receiver)."""

    def show(self, text: str) -> None:
        """Show text on the keypad's display (e.g. the called number)."""
        self.link.command(self.address, DISPLAY, text_fields(text))

    def on_key(self, callback: Callable[[KeyEvent], None]) -> None:
        """Call `callback` from the line's reader thread for every key from now on."""
        self.subscribe(callback)

    def events(self, frames: list[YcFrame]) -> list[KeyEvent]:
        """Key frames mapped through [keys]; unmapped keys are ignored, not guessed."""
        out = []
        for frame in frames:
            action = self.spec.keys.get(frame.data[0]) if frame.data else None
            if frame.function == KEY and action is not None:
                digits = frame.data[1:].decode("ascii", errors="ignore")
                out.append(KeyEvent(self.address, action, frame.data[0], digits))
        return out


__all__ = ["KeyEvent", "Keypad"]
