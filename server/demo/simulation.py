"""A simulated hall day for the demo: citizens take numbers, clerks call and serve them.

It drives the real server through the HTTP API only (the same SDK the apps use), so the
screens, pads and statistics of the demo have something real to show.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from server.client import ApiError, HallClient

log = logging.getLogger("yichuang.demo")
T = TypeVar("T")
IDLE_CODES = frozenset({"no_waiting_ticket", "outcome_required"})

# Windows the simulator staffs; the rest (S01, S09, S13, ...) are left for a person to try.
SIM_WINDOWS = [
    "S02",
    "S03",
    "S04",
    "S05",
    "S06",
    "S10",
    "S14",
    "S16",
    "S17",
    "S19",
    "S21",
    "S22",
    "S24",
    "S25",
]
# Relative arrivals per queue (A is the busy comprehensive queue).
QUEUE_WEIGHTS = {
    "A": 30,
    "B": 12,
    "C": 6,
    "Z": 5,
    "D": 2,
    "F": 1,
    "G": 6,
    "J": 6,
    "R": 6,
    "Y": 5,
    "T": 6,
    "P": 2,
    "Q": 3,
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass
class Simulation:
    """Arrivals and clerks against one server; `speed` is simulated seconds per real second."""

    base_url: str
    hall: str = "demo"
    speed: float = 30.0
    seed: int = 2026
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Start arrivals and one thread per simulated clerk; return when stopped."""
        threads = [threading.Thread(target=self._arrivals, daemon=True, name="sim-arrivals")]
        for i, code in enumerate(SIM_WINDOWS):
            threads.append(
                threading.Thread(
                    target=self._clerk, args=(code, i), daemon=True, name=f"sim-{code}"
                )
            )
        for t in threads:
            t.start()
        self.stop.wait()

    def _arrivals(self) -> None:
        rng = random.Random(self.seed)
        queues, weights = zip(*QUEUE_WEIGHTS.items(), strict=True)
        with HallClient(self.base_url, self.hall, "demo-kiosk") as kiosk:
            while not self.stop.is_set():
                queue = rng.choices(queues, weights)[0]
                body: dict[str, Any] = {"queue": queue}
                if rng.random() < 0.6:
                    body["applicant_name"] = rng.choice(SURNAMES) + rng.choice(GIVEN)
                if rng.random() < 0.05:
                    body["priority"] = "green"
                self._try(kiosk.issue, **body)
                # About 4 arrivals per simulated minute in the busy morning.
                self._sleep(rng.expovariate(1 / 15))

    def _clerk(self, code: str, n: int) -> None:
        rng = random.Random(self.seed + n)
        user = f"clerk{int(code[1:]):02d}"
        with (
            HallClient(self.base_url, self.hall) as pad,
            HallClient(self.base_url, self.hall, "demo-evaluator") as rater,
        ):
            if not self._try(pad.login, user, "demo1234") or not self._try(pad.sign_in, code):
                return
            while not self.stop.is_set():
                ticket = self._try(pad.call_next, code, quiet=IDLE_CODES)
                if ticket is None:
                    self._sleep(20)
                    continue
                self._serve(pad, rater, code, ticket, rng)

    def _serve(
        self,
        pad: HallClient,
        rater: HallClient,
        code: str,
        ticket: dict[str, Any],
        rng: random.Random,
    ) -> None:
        if rng.random() < 0.06:
            self._sleep(30)
            self._try(pad.window, code, "recall")
            self._sleep(30)
            self._try(pad.outcome, code, "no_show")
            return
        self._sleep(rng.uniform(120, 480))
        outcome = rng.choices(["accepted", "consulted", "rejected"], [75, 20, 5])[0]
        reason = "申请材料不齐全" if outcome == "rejected" else None
        if self._try(pad.outcome, code, outcome, reason) and rng.random() < 0.7:
            self._try(
                rater.evaluate,
                str(ticket["id"]),
                rng.choices([5, 4, 3, 2, 1], [70, 20, 6, 3, 1])[0],
            )

    def _sleep(self, simulated_seconds: float) -> None:
        self.stop.wait(simulated_seconds / max(self.speed, 0.01))

    def _try(
        self, fn: Callable[..., T], *args: Any, quiet: frozenset[str] = frozenset(), **kw: Any
    ) -> T | None:
        try:
            return fn(*args, **kw)
        except ApiError as exc:
            if exc.code not in quiet:
                log.info("demo simulation: %s", exc)
            if exc.code == "server_unreachable":
                time.sleep(1)
            return None


def start_in_background(base_url: str, *, speed: float = 30.0) -> Simulation:
    """Run the simulation in a daemon thread once the server answers."""
    sim = Simulation(base_url, speed=speed)

    def wait_then_run() -> None:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        sim.run()

    threading.Thread(target=wait_then_run, daemon=True, name="demo-sim").start()
    return sim
