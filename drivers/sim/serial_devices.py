"""Simulated YC-485 devices: evaluators and caller keypads, several addresses per line."""

from __future__ import annotations

from collections import defaultdict, deque

from drivers.profiles import Profile
from drivers.sim.base import Simulator
from drivers.yc485 import (
    ACK_BIT,
    CANCEL_RATING,
    DISPLAY,
    KEY,
    NOTHING,
    PING,
    POLL,
    RATING,
    REQUEST_RATING,
    YcDecoder,
    YcFrame,
    encode,
)

INVITE = "请您对本次服务作出评价"


class YcSimulator(Simulator):
    """Answers pings, polls and commands; events wait for a poll, or are pushed at once."""

    def __init__(self, profile: Profile, name: str = "default") -> None:
        super().__init__(profile, name)
        self._decoder = YcDecoder()
        self.addresses = {profile.device_spec.default_address}
        self.screens: dict[int, str] = defaultdict(str)
        self._queued: dict[int, deque[bytes]] = defaultdict(deque)

    @property
    def errors(self) -> int:
        """Bytes skipped as noise or bad CRC."""
        return self._decoder.errors

    def handle(self, data: bytes) -> None:
        """Answer every frame addressed to one of our devices."""
        for frame in self._decoder.feed(data):
            if frame.address in self.addresses:
                self.command(frame)

    def command(self, frame: YcFrame) -> None:
        """One request from the host."""
        if frame.function == POLL:
            queue = self._queued[frame.address]
            self.reply(queue.popleft() if queue else encode(frame.address, NOTHING))
        elif frame.function in (PING, DISPLAY):
            if frame.function == DISPLAY:
                self.screens[frame.address] = frame.fields[0]
            self.reply(encode(frame.address, frame.function | ACK_BIT))

    def event(self, address: int | None, function: int, data: bytes) -> None:
        """A person pressed something: queue it for the next poll, or push it."""
        with self._lock:
            target = self.profile.device_spec.default_address if address is None else address
            frame = encode(target, function, data)
            if self.profile.supports("polled"):
                self._queued[target].append(frame)
            else:
                self.reply(frame)


class EvaluatorSimulator(YcSimulator):
    """评价器: shows the invitation, remembers the ticket, sends the pressed level."""

    kind = "evaluator"

    def __init__(self, profile: Profile, name: str = "default") -> None:
        super().__init__(profile, name)
        self.pending: dict[int, tuple[str, str]] = {}

    def command(self, frame: YcFrame) -> None:
        """Rating requests and cancels, then the common commands."""
        if frame.function == REQUEST_RATING:
            window, ticket = [*frame.fields, "", ""][:2]
            self.pending[frame.address] = (window, ticket)
            self.screens[frame.address] = INVITE
            self.reply(encode(frame.address, REQUEST_RATING | ACK_BIT))
        elif frame.function == CANCEL_RATING:
            self.pending.pop(frame.address, None)
            self.screens[frame.address] = ""
            self.reply(encode(frame.address, CANCEL_RATING | ACK_BIT))
        else:
            super().command(frame)

    def press_rating(self, level: int, address: int | None = None) -> None:
        """The citizen presses 1 (非常不满意) … 5 (非常满意)."""
        if not 1 <= level <= 5:
            raise ValueError("level is 1..5")
        target = self.profile.device_spec.default_address if address is None else address
        with self._lock:
            _, ticket = self.pending.pop(target, ("", ""))
            self.screens[target] = "谢谢您的评价"
        self.event(target, RATING, bytes((level,)) + ticket.encode("gb18030"))

    @property
    def screen(self) -> str:
        """What the default evaluator shows."""
        return self.screens[self.profile.device_spec.default_address]


class KeypadSimulator(YcSimulator):
    """呼叫器: key presses by action name (from the profile's [keys]) or raw code."""

    kind = "keypad"

    def press_key(self, key: str | int, digits: str = "", address: int | None = None) -> None:
        """Press a key: "next", "recall", "pause" … or a key code."""
        codes = {action: code for code, action in self.profile.device_spec.keys.items()}
        code = key if isinstance(key, int) else codes[key]
        self.event(address, KEY, bytes((code,)) + digits.encode("ascii"))
