"""The hall announcer lease: one holder per hall, renewals, take-over after expiry."""

from __future__ import annotations

from tests.helpers import DISPLAY, KIOSK, login

LEASE = "/api/v1/halls/demo/leases/announcer"


def take(client, holder: str, ttl: int = 15):
    return client.put(LEASE, json={"holder": holder, "ttl_seconds": ttl}, headers=DISPLAY)


def test_the_first_announcer_gets_the_lease_and_a_second_is_refused(client):
    first = take(client, "tv-1@hall-pc:100")
    assert first.status_code == 200, first.text
    assert first.json()["holder"] == "tv-1@hall-pc:100" and first.json()["live"] is True
    second = take(client, "tv-2@lobby-pc:200")
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "lease_held" and error["detail"]["holder"] == "tv-1@hall-pc:100"
    assert "担任" in error["message"]


def test_renewing_keeps_the_holder_and_moves_the_expiry(client, clock):
    before = take(client, "a").json()
    clock.advance(seconds=10)
    after = take(client, "a").json()
    assert after["acquired_at"] == before["acquired_at"]
    assert after["expires_at"] > before["expires_at"]


def test_a_standby_takes_over_once_the_lease_has_expired(client, clock):
    take(client, "a", ttl=15)
    clock.advance(seconds=14)
    assert take(client, "b").status_code == 409
    clock.advance(seconds=2)
    taken = take(client, "b")
    assert taken.status_code == 200 and taken.json()["holder"] == "b"
    assert take(client, "a").status_code == 409  # the old holder came back too late


def test_a_released_lease_is_free_at_once_and_only_its_holder_may_release_it(client):
    take(client, "a")
    refused = client.delete(LEASE, params={"holder": "b"}, headers=DISPLAY)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_lease_holder"
    assert client.delete(LEASE, params={"holder": "a"}, headers=DISPLAY).status_code == 200
    assert client.get(LEASE, headers=DISPLAY).status_code == 404
    assert take(client, "b").status_code == 200


def test_a_supervisor_may_end_anyones_lease_and_read_it(client):
    take(client, "a")
    boss = login(client, "supervisor")
    assert client.get(LEASE, headers=boss).json()["holder"] == "a"
    assert client.delete(LEASE, headers=boss).status_code == 200
    assert take(client, "b").status_code == 200


def test_only_displays_take_leases_and_bad_input_is_a_4xx(client):
    assert client.put(LEASE, json={"holder": "k"}, headers=KIOSK).status_code == 403
    assert client.put(LEASE, json={"holder": "k"}).status_code == 401
    bad_ttl = client.put(LEASE, json={"holder": "a", "ttl_seconds": 0}, headers=DISPLAY)
    assert bad_ttl.status_code == 422 and bad_ttl.json()["error"]["code"] == "invalid_request"
    bad_name = client.put("/api/v1/halls/demo/leases/ANN!", json={"holder": "a"}, headers=DISPLAY)
    assert bad_name.status_code == 422
    unknown_hall = client.put(
        "/api/v1/halls/nowhere/leases/announcer", json={"holder": "a"}, headers=DISPLAY
    )
    assert unknown_hall.status_code in (403, 404)
