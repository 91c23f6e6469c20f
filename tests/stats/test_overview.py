"""The live overview: lines per area and queue, windows, devices and alerts, via the API."""

from __future__ import annotations

import pytest

from tests.helpers import DISPLAY, KIOSK, issue, login, window

URL = "/api/v1/halls/demo/overview"


@pytest.fixture
def supervisor(client):
    return login(client, "supervisor")


def test_an_empty_hall_has_nothing_to_report(client, supervisor):
    r = client.get(URL, headers=supervisor)
    assert r.status_code == 200
    body = r.json()
    assert [a["code"] for a in body["areas"]] == ["zh", "bdc", "zc"]
    assert all(a["waiting"] == 0 and a["windows_closed"] > 0 for a in body["areas"])
    assert body["alerts"] == [] and body["today"]["issued"] == 0


def test_lines_longest_waits_and_window_states_per_area(client, clock, supervisor):
    clerk = login(client, "clerk01")
    window(client, clerk, "S01", "sign-in")
    first = issue(client, queue="A")
    clock.advance(minutes=6)
    for _ in range(3):
        issue(client, queue="A")
    issue(client, queue="B")
    clock.advance(minutes=4)
    assert window(client, clerk, "S01", "call-next").json()["number"] == first["number"]
    other = login(client, "clerk13")
    window(client, other, "S13", "sign-in")
    window(client, other, "S13", "pause", reason="午休")
    body = client.get(URL, headers=supervisor).json()
    areas = {a["code"]: a for a in body["areas"]}
    assert areas["zh"]["waiting"] == 3 and areas["zh"]["longest_wait_min"] == 4.0
    assert areas["zh"]["windows_open"] == 1
    assert areas["bdc"]["waiting"] == 1 and areas["bdc"]["windows_paused"] == 1
    windows = {w["code"]: w for w in body["windows"]}
    assert windows["S01"]["current_number"] == first["number"]
    assert windows["S01"]["clerk"] == "李明" and windows["S01"]["status_label"] == "服务中"
    assert windows["S13"]["paused_reason"] == "午休"
    assert body["today"]["issued"] == 5 and body["today"]["called"] == 1
    assert body["today"]["waiting_mean_min"] == 10.0
    unserved = [a for a in body["alerts"] if a["kind"] == "queue_unserved"]
    assert [a["queue"] for a in unserved] == ["B"]  # S13 is paused: nobody calls B


def test_a_queue_over_its_threshold_raises_an_alert(client, supervisor):
    clerk = login(client, "clerk16")
    window(client, clerk, "S16", "sign-in")
    for _ in range(20):  # G's alert_waiting is 20 in the demo hall
        issue(client, queue="G")
    alerts = client.get(URL, headers=supervisor).json()["alerts"]
    assert alerts == [
        {
            "level": "error",
            "kind": "queue_waiting",
            "queue": "G",
            "message": "公积金 等候 20 人，达到预警值 20 人",
        }
    ]


def test_printer_trouble_shows_as_a_device_alert(client, supervisor):
    r = client.post(
        "/api/v1/halls/demo/devices/kiosk-1.printer/status",
        json={"status": "paper_out", "detail": "纸卷用完"},
        headers=KIOSK,
    )
    assert r.status_code == 200, r.text
    body = client.get(URL, headers=supervisor).json()
    printer = next(d for d in body["devices"] if d["id"] == "kiosk-1.printer")
    assert printer["level"] == "error" and printer["status_label"] == "缺纸"
    assert printer["name"] == "1号自助取号机 打印机"
    assert {
        "level": "error",
        "kind": "device",
        "device": "kiosk-1.printer",
        "message": "1号自助取号机 打印机：缺纸（纸卷用完）",
    } in body["alerts"]
    client.post(
        "/api/v1/halls/demo/devices/kiosk-1.printer/status", json={"status": "ok"}, headers=KIOSK
    )
    body = client.get(URL, headers=supervisor).json()
    assert not [a for a in body["alerts"] if a["kind"] == "device"]


def report(client, device, status, headers=KIOSK, detail=None):
    """A device health report, as the kiosk or display sends it."""
    body = {"status": status, "detail": detail} if detail else {"status": status}
    r = client.post(f"/api/v1/halls/demo/devices/{device}/status", json=body, headers=headers)
    assert r.status_code == 200, r.text


def device(client, supervisor, device_id):
    """The overview's entry for one device."""
    body = client.get(URL, headers=supervisor).json()
    return next(d for d in body["devices"] if d["id"] == device_id), body["alerts"]


def test_a_window_sign_reported_by_the_hall_display_is_named_after_its_window(client, supervisor):
    report(client, "display-1.sign-S01", "offline", DISPLAY, "屏幕无应答")
    sign, alerts = device(client, supervisor, "display-1.sign-S01")
    assert (sign["name"], sign["kind"], sign["window"]) == ("S01 窗口屏", "sign", "S01")
    assert sign["status_label"] == "离线" and sign["level"] == "error"
    assert any(a["message"] == "S01 窗口屏：离线（屏幕无应答）" for a in alerts)


def test_an_ok_not_repeated_within_ten_minutes_shows_as_not_reported(client, clock, supervisor):
    report(client, "kiosk-1.printer", "ok")
    report(client, "display-1.sign-S02", "paper_low", DISPLAY)  # a fault stays a fault
    clock.advance(minutes=10)
    assert device(client, supervisor, "kiosk-1.printer")[0]["status"] == "ok"
    clock.advance(seconds=1)
    printer, alerts = device(client, supervisor, "kiosk-1.printer")
    assert (printer["status"], printer["status_label"], printer["level"]) == (
        "unknown",
        "未上报",
        "warning",
    )
    assert printer["stale"] and printer["detail"] == "最后一次上报正常：11-24 09:00"
    assert not [a for a in alerts if a.get("device") == "kiosk-1.printer"]  # shown, not alerted
    assert device(client, supervisor, "display-1.sign-S02")[0]["status"] == "paper_low"
    report(client, "kiosk-1.printer", "ok")
    assert device(client, supervisor, "kiosk-1.printer")[0]["status"] == "ok"


def test_the_silence_allowed_before_not_reported_is_a_setting(make_client, clock):
    client = make_client(clock, device_stale_minutes=30)
    supervisor = login(client, "supervisor")
    report(client, "kiosk-1.printer", "ok")
    clock.advance(minutes=29)
    assert device(client, supervisor, "kiosk-1.printer")[0]["status"] == "ok"
    clock.advance(minutes=2)
    assert device(client, supervisor, "kiosk-1.printer")[0]["status_label"] == "未上报"


def test_the_overview_says_the_halls_own_time(client, supervisor):
    """Fake clock: 2026-11-24 09:00 in Beijing; the page shows this, not the browser's clock."""
    body = client.get(URL, headers=supervisor).json()
    assert body["at_local"] == "2026-11-24 09:00"
    assert body["business_date"] == "2026-11-24"
