"""Live sockets end with their session and are capped per token."""

from __future__ import annotations

import contextlib

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.helpers import login

FEED = "/api/v1/halls/demo/live"


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].split(" ", 1)[1]


def test_a_staff_socket_closes_4401_at_logout(client):
    clerk = login(client)
    with client.websocket_connect(f"{FEED}?token={_token(clerk)}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        assert client.post("/api/v1/auth/logout", headers=clerk).status_code == 200
        with pytest.raises(WebSocketDisconnect) as err:
            ws.receive_json()
    assert err.value.code == 4401


def test_a_staff_socket_closes_4401_when_the_session_expires(make_client, clock):
    client = make_client(clock, live_session_check_seconds=0.05)
    clerk = login(client)
    with client.websocket_connect(f"{FEED}?token={_token(clerk)}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        clock.advance(hours=12, minutes=1)
        with pytest.raises(WebSocketDisconnect) as err:
            ws.receive_json()
    assert err.value.code == 4401


def test_another_clerk_s_logout_leaves_a_socket_open(make_client, clock):
    client = make_client(clock, live_session_check_seconds=0.05)
    mine, other = login(client, "clerk01"), login(client, "clerk02")
    with client.websocket_connect(f"{FEED}?token={_token(mine)}") as ws:
        assert ws.receive_json()["type"] == "snapshot"
        client.post("/api/v1/auth/logout", headers=other)
        client.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=_kiosk())
        assert ws.receive_json()["type"] == "ticket.issued"


def _kiosk() -> dict[str, str]:
    return {"Authorization": "Bearer demo-kiosk"}


def test_one_token_holds_at_most_the_configured_number_of_sockets(make_client, clock):
    client = make_client(clock, live_sockets_per_token=3)
    url = f"{FEED}?token=demo-display"
    with contextlib.ExitStack() as stack:
        for _ in range(3):
            ws = stack.enter_context(client.websocket_connect(url))
            assert ws.receive_json()["type"] == "snapshot"
        with pytest.raises(WebSocketDisconnect) as err, client.websocket_connect(url) as extra:
            extra.receive_json()
        assert err.value.code == 4429
        # Another token is counted on its own.
        with client.websocket_connect(f"{FEED}?token=demo-kiosk") as kiosk:
            assert kiosk.receive_json()["type"] == "snapshot"
    with client.websocket_connect(url) as again:  # the closed ones no longer count
        assert again.receive_json()["type"] == "snapshot"
