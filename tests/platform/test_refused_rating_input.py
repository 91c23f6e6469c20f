"""Bad input around the 好差评 uploads changes nothing: a refused 追评 or subscriber URL."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from server.domain.events import EventType
from tests.helpers import EVALUATOR, login
from tests.platform.test_province_adapters import render, secret, served
from tests.platform.test_second_rating import events

pytestmark = pytest.mark.db
SUBSCRIBERS = "/api/v1/halls/demo/subscribers"


def chinese(r) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in r.json()["error"]["message"])


def test_a_refused_followup_changes_nothing_and_sends_nothing(client, clock):
    twice = served(client)
    url = f"/api/v1/tickets/{twice['id']}/evaluation"
    first = {"level": 1, "reasons": ["服务态度差"], "comment": "态度不好"}
    assert client.post(url, json=first, params=secret(twice)).is_success
    assert client.post(url + "/followup", json={"level": 3}, params=secret(twice)).is_success
    again = client.post(url + "/followup", json={"level": 5}, headers=EVALUATOR)
    assert again.status_code == 409 and again.json()["error"]["code"] == "followup_rating_exists"
    assert chinese(again)

    late = served(client, name="欧阳娜娜", matter="qy-bg")
    late_url = f"/api/v1/tickets/{late['id']}/evaluation"
    assert client.post(late_url, json={"level": 4}, headers=EVALUATOR).is_success
    clock.advance(days=16)  # the demo hall allows 15 days
    closed = client.post(late_url + "/followup", json={"level": 2}, params=secret(late))
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "followup_rating_closed"
    assert chinese(closed)

    views = [
        client.get(f"/api/v1/tickets/{t['id']}", params=secret(t)).json() for t in (twice, late)
    ]
    assert [(v["evaluation_level"], v["followup_rating"]["level"]) for v in views] == [
        (1, 3),
        (4, None),
    ]
    assert not any(v["followup_rating"]["allowed"] for v in views)
    assert [e["level"] for e in events(client, EventType.EVALUATION_FOLLOWED_UP)] == [3]
    # The provinces get the two first ratings and the one 追评 given, nothing of the refused.
    forms = [dict(parse_qsl(o.body.decode())) for o in render(client, "province_form")]
    assert sorted((f["satisfaction"], f["assessNumber"]) for f in forms) == [
        ("1", "1"),
        ("3", "2"),
        ("4", "1"),
    ]
    assert len(render(client, "province_json")) == 3


@pytest.mark.parametrize("url", ["ftp://province.test/up", "javascript:alert(1)", "http://"])
def test_a_subscriber_url_that_is_not_http_changes_nothing(make_client, clock, url):
    hall = make_client(clock, outbox_deliver=False)
    sup = login(hall, "supervisor")
    good = {
        "name": "province",
        "url": "https://hcp.example.gov.cn/upload",
        "secret": "s" * 20,
        "format": "province_form",
    }
    assert hall.post(SUBSCRIBERS, json=good, headers=sup).status_code == 201
    r = hall.patch(f"{SUBSCRIBERS}/province", json={"url": url}, headers=sup)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_subscriber_url"
    assert chinese(r)
    listed = hall.get(SUBSCRIBERS, headers=sup).json()["subscribers"]
    assert [(s["name"], s["url"], s["format"]) for s in listed] == [
        ("province", good["url"], "province_form")
    ]
