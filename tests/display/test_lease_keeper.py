"""Exactly one announcer per hall: the lease keeper against the real API (TestClient)."""

from __future__ import annotations

import pytest

from display.lease import LeaseKeeper, LeaseRefused
from server.client import HallClient


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def api(client):
    """HallClients of the demo display that talk to the TestClient's app."""
    made: list[HallClient] = []

    def build() -> HallClient:
        c = HallClient("http://testserver", "demo", "demo-display", transport=client._transport)
        made.append(c)
        return c

    yield build
    for c in made:
        c.close()


def keeper(api, holder: str, changes: list, seq=lambda: 0, clock=None) -> LeaseKeeper:
    return LeaseKeeper(
        api(),
        holder,
        15,
        seq_now=seq,
        on_change=lambda active, floor: changes.append((holder, active, floor)),
        clock=clock or Clock(),
    )


def test_the_first_announcer_holds_and_the_second_stands_by(api):
    changes: list = []
    first, second = keeper(api, "tv-1", changes), keeper(api, "tv-2", changes)
    first.first_try(refuse=False)
    second.first_try(refuse=False)
    assert first.holds() and not second.holds()
    assert second.other == "tv-1" and changes == [("tv-1", True, 0)]


def test_a_second_announcer_configured_to_refuse_does_not_start(api):
    keeper(api, "tv-1", []).first_try(refuse=True)
    with pytest.raises(LeaseRefused) as refused:
        keeper(api, "tv-2", []).first_try(refuse=True)
    assert refused.value.holder == "tv-1" and "播报" in str(refused.value)


def test_a_standby_takes_over_when_the_first_lets_go_with_the_seq_it_was_last_seen_at(api, clock):
    changes: list = []
    seq = [10]
    first = keeper(api, "tv-1", changes)
    second = keeper(api, "tv-2", changes, seq=lambda: seq[0])
    first.first_try(refuse=False)
    second.renew()  # sees tv-1 at seq 10
    clock.advance(seconds=5)
    first.renew()
    seq[0] = 14
    second.renew()  # tv-1 renewed since: it was alive after seq 10
    seq[0] = 17
    clock.advance(seconds=16)  # tv-1 died; its lease runs out
    second.renew()
    assert second.holds() and changes[-1] == ("tv-2", True, 10)


def test_the_lease_lapses_locally_before_the_server_would_give_it_away(api):
    local = Clock()
    changes: list = []
    k = keeper(api, "tv-1", changes, clock=local)
    k.first_try(refuse=False)
    local.t += 14.9
    assert k.holds()
    local.t += 0.2
    assert not k.holds()


def test_a_released_lease_goes_to_the_standby_at_once(api):
    changes: list = []
    first, second = keeper(api, "tv-1", changes), keeper(api, "tv-2", changes)
    first.first_try(refuse=False)
    second.renew()
    first.stop(release=True)
    second.renew()
    assert second.holds() and not first.active
