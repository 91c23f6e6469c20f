"""The citizen's own actions: SMS opt-in，延后 N 位、暂离 / 我回来了，and what they refuse."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.helpers import KIOSK, issue, login, window


def secret_of(ticket: dict) -> str:
    return parse_qs(urlparse(ticket["progress_url"]).query)["s"][0]


def act(client, ticket: dict, path: str, body: dict | None = None, **kw):
    url = f"/api/v1/tickets/{ticket['id']}/{path}?s={secret_of(ticket)}"
    return client.post(url, json=body, **kw)


def test_a_typed_phone_is_kept_masked_on_the_ticket_and_whole_only_for_the_notifier(client):
    t = issue(client, queue="A")
    r = act(client, t, "phone", {"phone": "139 1234 5678"})
    assert r.status_code == 200, r.text
    assert r.json() == {"ticket": t["id"], "sms": True, "phone_masked": "139****5678"}
    services = client.app.state.services
    with services.ctx.units.read() as repos:
        assert repos.notify.phone_of(t["id"]) == "13912345678"
        assert repos.tickets.get(t["id"]).phone == "139****5678"


def test_an_invalid_mainland_mobile_is_refused_and_nothing_is_kept(client):
    t = issue(client, queue="A")
    for bad in ("12345678901", "1391234567", "23912345678", "abc"):
        r = act(client, t, "phone", {"phone": bad})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_phone"
        assert "手机号" in r.json()["error"]["message"]
    with client.app.state.services.ctx.units.read() as repos:
        assert repos.notify.phone_of(t["id"]) is None


def test_the_kiosk_phone_goes_to_the_notifier_and_an_invalid_one_refuses_the_ticket(client):
    t = issue(client, queue="A", phone="13812345678")
    assert t["sms"] is True
    with client.app.state.services.ctx.units.read() as repos:
        assert repos.notify.phone_of(t["id"]) == "13812345678"
        assert repos.tickets.get(t["id"]).phone == "138****5678"
    r = client.post(
        "/api/v1/halls/demo/tickets", json={"queue": "A", "phone": "10012345678"}, headers=KIOSK
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_phone"


def test_one_number_follows_at_most_the_halls_share_of_tickets(client):
    tickets = [issue(client, queue="A") for _ in range(4)]
    codes = [act(client, t, "phone", {"phone": "13700000001"}).status_code for t in tickets]
    assert codes == [200, 200, 200, 409]
    r = act(client, tickets[3], "phone", {"phone": "13700000001"})
    assert r.json()["error"]["code"] == "phone_limit"


def test_without_the_secret_nobody_opts_a_ticket_in(client):
    t = issue(client, queue="A")
    r = client.post(f"/api/v1/tickets/{t['id']}/phone?s=wrong", json={"phone": "13912345678"})
    assert r.status_code == 403


def test_stepping_back_lets_the_next_n_go_first(client):
    first = issue(client, queue="A")
    others = [issue(client, queue="A") for _ in range(4)]
    r = act(client, first, "step-back", {"places": 2})
    assert r.status_code == 200, r.text
    assert r.json()["waiting_ahead"] == 2 and r.json()["step_backs"] == 1
    clerk = login(client)
    assert window(client, clerk, "S01", "sign-in").status_code == 200
    called = []
    for _ in range(3):
        r = window(client, clerk, "S01", "call-next")
        assert r.status_code == 200, r.text
        called.append(r.json()["number"])
        window(client, clerk, "S01", "outcome", outcome="accepted")
    assert called == [others[0]["number"], others[1]["number"], first["number"]]


def test_stepping_back_more_than_allowed_or_too_often_is_refused_and_changes_nothing(client):
    t = issue(client, queue="A")
    [issue(client, queue="A") for _ in range(8)]
    r = act(client, t, "step-back", {"places": 6})  # the demo hall allows 5
    assert r.status_code == 422 and r.json()["error"]["code"] == "step_back_limit"
    assert "最多延后" in r.json()["error"]["message"]
    assert act(client, t, "step-back", {"places": 1}).status_code == 200
    assert act(client, t, "step-back", {"places": 1}).status_code == 200
    before = client.get(f"/api/v1/tickets/{t['id']}?s={secret_of(t)}").json()
    r = act(client, t, "step-back", {"places": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "step_back_limit"
    after = client.get(f"/api/v1/tickets/{t['id']}?s={secret_of(t)}").json()
    assert after["waiting_ahead"] == before["waiting_ahead"] == 2
    assert after["step_backs"] == 2


def test_a_ticket_already_called_cannot_step_back(client):
    t = issue(client, queue="A")
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    assert window(client, clerk, "S01", "call-next").status_code == 200
    r = act(client, t, "step-back", {"places": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_not_waiting"
    r = act(client, t, "away", {"minutes": 10})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ticket_not_waiting"
    assert client.get(f"/api/v1/tickets/{t['id']}?s={secret_of(t)}").json()["status"] == "called"


def test_an_away_ticket_keeps_its_place_but_is_not_called_until_back(client, clock):
    away = issue(client, queue="A")
    second = issue(client, queue="A")
    third = issue(client, queue="A")
    r = act(client, away, "away", {"minutes": 10})
    assert r.status_code == 200 and r.json()["away_until"]
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    r = window(client, clerk, "S01", "call-next")
    assert r.json()["number"] == second["number"]
    window(client, clerk, "S01", "outcome", outcome="accepted")
    assert act(client, away, "back").status_code == 200
    r = window(client, clerk, "S01", "call-next")
    assert r.json()["number"] == away["number"]  # back at the place it kept
    window(client, clerk, "S01", "outcome", outcome="accepted")
    r = window(client, clerk, "S01", "call-next")
    assert r.json()["number"] == third["number"]


def test_an_away_ticket_is_called_again_once_its_time_is_up(client, clock):
    away = issue(client, queue="A")
    issue(client, queue="A")
    act(client, away, "away", {"minutes": 5})
    clock.advance(minutes=6)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    r = window(client, clerk, "S01", "call-next")
    assert r.json()["number"] == away["number"]


def test_the_kiosk_steps_back_for_the_citizen_with_its_device_token(client):
    t = issue(client, queue="A")
    issue(client, queue="A")
    r = client.post(f"/api/v1/tickets/{t['id']}/step-back", json={"places": 1}, headers=KIOSK)
    assert r.status_code == 200 and r.json()["step_backs"] == 1


def test_the_pad_lists_an_away_ticket_last_and_a_stepped_back_one_as_such(client):
    away = issue(client, queue="A")
    stepped = issue(client, queue="A")
    issue(client, queue="A")
    issue(client, queue="A")
    assert act(client, away, "away", {"minutes": 10}).status_code == 200
    assert act(client, stepped, "step-back", {"places": 1}).status_code == 200
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    ctx = client.get("/api/v1/halls/demo/windows/S01/context", headers=clerk).json()
    listed = {t["number"]: t.get("standing") for t in ctx["next"]}
    assert [t["number"] for t in ctx["next"]] == ["A003", "A002", "A004", "A001"]
    assert listed["A001"] == "暂离至 09:10"  # the fake clock's 09:00 plus 10 minutes
    assert listed["A002"] == "已延后 1 次"
    assert listed["A003"] is None


def test_the_desktop_pad_says_when_a_citizen_stepped_back():
    from caller.viewmodel import _next_detail

    ticket = {"queue": "A", "queue_name": "无差别综合受理", "standing": "暂离至 09:10"}
    assert _next_detail(ticket) == "无差别综合受理 · 暂离至 09:10"


def test_day_end_deletes_the_numbers_of_the_day_before(client, clock):
    t = issue(client, queue="A", phone="13812345678")
    services = client.app.state.services
    clock.advance(days=1)
    from server.services import dayend

    dayend.close_day(services.ctx, "demo")
    with services.ctx.units.read() as repos:
        assert repos.notify.phone_of(t["id"]) is None


def test_a_retried_step_back_with_the_same_key_steps_back_once(client):
    t = issue(client, queue="A")
    [issue(client, queue="A") for _ in range(3)]
    headers = {"Idempotency-Key": "step-back-0001"}
    first = act(client, t, "step-back", {"places": 1}, headers=headers)
    again = act(client, t, "step-back", {"places": 1}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["step_backs"] == 1 and again.json()["waiting_ahead"] == 1


def test_the_kiosk_sdk_opts_in_and_steps_back(client):
    from server.client import HallClient

    t = issue(client, queue="A")
    issue(client, queue="A")
    with HallClient("http://testserver", "demo", "demo-kiosk", transport=client._transport) as sdk:
        assert sdk.opt_in_phone(t["id"], "13912345678")["phone_masked"] == "139****5678"
        assert sdk.step_back(t["id"], 1)["step_backs"] == 1
        assert sdk.away(t["id"], 5)["away_until"]
        assert sdk.come_back(t["id"])["away_until"] is None
