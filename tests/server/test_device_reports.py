"""Device health reports: only declared peripherals, bounded ids, silent ones age out."""

from __future__ import annotations

import pytest

from server.app import run_housekeeping
from tests.helpers import DISPLAY, KIOSK, login

BASE = "/api/v1/halls/demo/devices"


def post(client, device, headers=KIOSK, status="ok"):
    return client.post(f"{BASE}/{device}/status", json={"status": status}, headers=headers)


def snapshot_devices(client) -> set[str]:
    snap = client.get("/api/v1/halls/demo/events", headers=DISPLAY).json()["snapshot"]
    return {d["id"] for d in snap["devices"]}


def test_a_kiosk_cannot_invent_peripherals(client):
    before = client.get("/api/v1/halls/demo/events", headers=DISPLAY).text
    for i in range(40):
        r = post(client, f"kiosk-1.p{i}")
        assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_peripheral", r.text
    assert client.get("/api/v1/halls/demo/events", headers=DISPLAY).text == before
    overview = client.get("/api/v1/halls/demo/overview", headers=login(client, "supervisor"))
    assert not [d for d in overview.json()["devices"] if d["id"].startswith("kiosk-1.p")]


def test_the_peripherals_a_kiosk_and_a_display_drive_are_accepted(client):
    assert post(client, "kiosk-1.printer").status_code == 200
    assert post(client, "kiosk-1.idcard", status="offline").status_code == 200
    assert post(client, "display-1.sign-S01", DISPLAY).status_code == 200
    r = post(client, "display-1.sign-S99", DISPLAY)  # no such window in the hall
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_peripheral"
    assert {"kiosk-1.printer", "kiosk-1.idcard", "display-1.sign-S01"} <= snapshot_devices(client)


@pytest.mark.parametrize("length", [65, 8000])
def test_a_device_id_over_64_characters_is_refused_on_every_store(client, length):
    r = post(client, "kiosk-1." + "x" * (length - 8))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] in ("invalid_request", "unknown_peripheral")


def test_a_peripheral_that_stopped_reporting_ages_out(client, clock):
    post(client, "kiosk-1.printer")
    post(client, "display-1.sign-S01", DISPLAY)
    clock.advance(hours=12)
    post(client, "kiosk-1.printer")  # still reporting
    clock.advance(hours=13)  # the sign has been silent for 25 hours
    run_housekeeping(client.app.state.services)
    devices = snapshot_devices(client)
    assert "display-1.sign-S01" not in devices and "kiosk-1.printer" in devices
    assert "kiosk-1" in devices and "display-1" in devices  # hall-file devices stay
    overview = client.get("/api/v1/halls/demo/overview", headers=login(client, "supervisor"))
    assert "display-1.sign-S01" not in {d["id"] for d in overview.json()["devices"]}
    assert post(client, "display-1.sign-S01", DISPLAY).status_code == 200  # back when it reports
