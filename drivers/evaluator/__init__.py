"""Evaluators (评价器): invite a rating for a ticket, receive the citizen's 1..5 press."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drivers.serial_link import YcDevice
from drivers.yc485 import CANCEL_RATING, RATING, REQUEST_RATING, YcFrame, text_fields

# The five levels of 好差评 (DESIGN §1).
LEVELS: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


@dataclass(frozen=True)
class RatingEvent:
    """A citizen pressed a key: `level` 1 (非常不满意) … 5 (非常满意) for `ticket` at `window`."""

    address: int
    window: str
    ticket: str
    level: int

    @property
    def label(self) -> str:
        """The level's name, e.g. 非常满意."""
        return LEVELS[self.level]


class Evaluator(YcDevice[RatingEvent]):
    """The evaluator of one window, at `address` on the YC-485 line behind `url`."""

    def __init__(
        self, profile_id: str, url: str, address: int | None = None, window: str = ""
    ) -> None:
        super().__init__(profile_id, url, address)
        self.window = window

    def request_rating(self, window: str, ticket: str) -> None:
        """Light the keys and show "请您对本次服务作出评价" for this ticket."""
        self.window = window
        self.link.command(self.address, REQUEST_RATING, text_fields(window, ticket))

    def cancel(self) -> None:
        """Withdraw the invitation (the citizen left)."""
        self.link.command(self.address, CANCEL_RATING)

    def on_rating(self, callback: Callable[[RatingEvent], None]) -> None:
        """Call `callback` from the line's reader thread for every rating from now on."""
        self.subscribe(callback)

    def events(self, frames: list[YcFrame]) -> list[RatingEvent]:
        """Rating frames with a valid level, as events."""
        out = []
        for frame in frames:
            if frame.function == RATING and frame.data[:1] and 1 <= frame.data[0] <= 5:
                ticket = frame.data[1:].decode("gb18030", errors="replace")
                out.append(RatingEvent(self.address, self.window, ticket, frame.data[0]))
        return out


__all__ = ["LEVELS", "Evaluator", "RatingEvent"]
