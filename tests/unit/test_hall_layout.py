"""One parser of the hall layout for the three apps: the SDK's typed HallLayout."""

from __future__ import annotations

from server.client import HallClient, HallLayout, QueueLayout


def test_the_demo_halls_layout_reads_as_sent(client):
    info = client.get("/api/v1/halls/demo", headers={"Authorization": "Bearer demo-kiosk"}).json()
    with HallClient("http://testserver", "demo", "demo-kiosk", transport=client._transport) as api:
        layout = api.layout()
    assert (layout.code, layout.name, layout.timezone) == ("demo", info["name"], info["timezone"])
    assert [(q.code, q.name, q.area, q.prefix) for q in layout.queues] == [
        (q["code"], q["name"], q["area"], q["prefix"]) for q in info["queues"]
    ]
    assert list(layout.areas.items()) == [(a["code"], a["name"]) for a in info["areas"]]
    assert list(layout.guide) == info["guide"]
    assert list(layout.matters) == [m["code"] for m in info["matters"]]
    assert layout.waiting_counts == info["waiting_counts"]
    assert layout.announce_repeats == info["settings"].get("announce_repeats", 2)


def test_a_sparse_layout_gets_the_defaults_every_app_assumed():
    layout = HallLayout.from_hall_info(
        {"code": "h", "name": "某某政务服务中心", "queues": [{"code": "A", "name": "综合"}]}
    )
    assert layout.queues == (QueueLayout("A", "综合", area="", windows=(), prefix="A"),)
    assert layout.timezone == "Asia/Shanghai" and layout.notice == ""
    assert (layout.announce_repeats, layout.announce_pause_s) == (2, 1.0)
    assert layout.areas == {} and layout.guide == () and layout.matters == {}


def test_the_screen_settings_come_from_the_halls_settings():
    layout = HallLayout.from_hall_info(
        {
            "code": "h",
            "name": "大厅",
            "settings": {"notice": "请保持安静。", "announce_repeats": 3, "announce_pause_s": 0.5},
        }
    )
    assert (layout.notice, layout.announce_repeats, layout.announce_pause_s) == (
        "请保持安静。",
        3,
        0.5,
    )
