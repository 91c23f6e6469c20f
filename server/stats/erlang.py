"""Erlang C: how many windows keep the mean wait under a target (M/M/c queue).

`load` is the offered traffic in Erlangs, arrivals per minute × mean service minutes.
"""

from __future__ import annotations

MAX_SERVERS = 500


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of Erlang B, by the stable recursion B(k) = A·B / (k + A·B)."""
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival has to wait (1.0 when the windows cannot keep up)."""
    if load <= 0:
        return 0.0
    if servers <= load:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1 - blocking))


def mean_wait(servers: int, per_minute: float, service_minutes: float) -> float:
    """Mean minutes in the line with `servers` windows (infinite when overloaded)."""
    load = per_minute * service_minutes
    if load <= 0:
        return 0.0
    if servers <= load:
        return float("inf")
    return erlang_c(servers, load) * service_minutes / (servers - load)


def windows_needed(per_minute: float, service_minutes: float, target_minutes: float) -> int:
    """The fewest windows whose mean wait is at most the target (0 when nobody comes)."""
    load = per_minute * service_minutes
    if load <= 0:
        return 0
    servers = max(1, int(load))
    while (
        servers < MAX_SERVERS and mean_wait(servers, per_minute, service_minutes) > target_minutes
    ):
        servers += 1
    return servers
