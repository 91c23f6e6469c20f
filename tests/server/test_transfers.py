"""转移 through the HTTP API: no citizen is stranded at a window nobody opens (issue 12.1)."""

from tests.helpers import issue, login, window


def error(r) -> str:
    return r.json()["error"]["code"]


def called_at_s01(client, **ticket: object) -> tuple[dict, dict]:
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    t = issue(client, queue="A", **ticket)
    window(client, clerk, "S01", "call-next")
    return clerk, t


def test_a_transfer_to_a_closed_window_is_refused_with_window_not_open(client):
    clerk, _ = called_at_s01(client)
    r = window(client, clerk, "S01", "transfer", window="S13", queue="B")
    assert r.status_code == 409 and error(r) == "window_not_open"
    assert "未开启" in r.json()["error"]["message"]
    assert r.json()["error"]["detail"]["window"] == "S13"
    ctx = client.get("/api/v1/halls/demo/windows/S01/context", headers=clerk).json()
    assert ctx["current"]["number"] == "A001"  # still called here


def test_a_transfer_to_a_paused_window_is_refused_too(client):
    clerk, _ = called_at_s01(client)
    other = login(client, "clerk13")
    window(client, other, "S13", "sign-in")
    window(client, other, "S13", "pause", reason="午休")
    r = window(client, clerk, "S01", "transfer", window="S13")
    assert r.status_code == 409 and error(r) == "window_not_open"


def test_a_transfer_to_the_tickets_own_queue_without_a_window_is_422_same_queue(client):
    clerk, _ = called_at_s01(client)
    r = window(client, clerk, "S01", "transfer", queue="A")
    assert r.status_code == 422 and error(r) == "same_queue"
    assert window(client, clerk, "S01", "transfer", queue="B").status_code == 200


def test_a_confirmed_transfer_waits_for_its_window_then_any_window_of_the_queue_calls_it(
    client, clock
):
    clerk, t = called_at_s01(client)
    moved = window(client, clerk, "S01", "transfer", window="S13", wait_for_window=True)
    assert moved.status_code == 200, moved.text
    assert moved.json()["windows"] == ["S13"] and moved.json()["target_window"] == "S13"
    b = login(client, "clerk14")
    window(client, b, "S14", "sign-in")  # S14 also serves B, but the ticket waits for S13
    assert error(window(client, b, "S14", "call-next")) == "no_waiting_ticket"
    clock.advance(minutes=9)
    assert error(window(client, b, "S14", "call-next")) == "no_waiting_ticket"
    clock.advance(minutes=1)  # transfer_fallback_minutes = 10 in the demo hall
    called = window(client, b, "S14", "call-next")
    assert called.status_code == 200 and called.json()["id"] == t["id"]


def test_a_waiting_ticket_goes_to_its_window_when_it_opens_in_time(client, clock):
    clerk, t = called_at_s01(client)
    window(client, clerk, "S01", "transfer", window="S13", wait_for_window=True)
    issue(client, queue="B")
    clock.advance(minutes=3)
    s13 = login(client, "clerk13")
    window(client, s13, "S13", "sign-in")
    assert window(client, s13, "S13", "call-next").json()["id"] == t["id"]


def test_the_progress_page_json_names_only_the_target_window(client):
    clerk, t = called_at_s01(client)
    s13 = login(client, "clerk13")
    window(client, s13, "S13", "sign-in")
    window(client, clerk, "S01", "transfer", window="S13")
    mine = client.get(f"/api/v1/tickets/{t['id']}", headers=clerk).json()
    assert mine["windows"] == ["S13"] and mine["waiting_ahead"] == 0


def test_the_pad_context_says_which_windows_receive_transfers_and_who_is_there(client):
    clerk, _ = called_at_s01(client)
    s13 = login(client, "clerk13")
    window(client, s13, "S13", "sign-in")
    ctx = client.get("/api/v1/halls/demo/windows/S01/context", headers=clerk).json()
    targets = {w["code"]: w for w in ctx["transfer_targets"]["windows"]}
    assert targets["S13"]["open"] is True and targets["S13"]["clerk_name"]
    assert targets["S13"]["queues"] == ["B"]
    assert targets["S14"]["open"] is False and targets["S14"]["clerk_name"] is None
    assert ctx["transfer_targets"]["fallback_minutes"] == 10


def test_once_the_wait_is_over_the_ticket_names_every_window_of_its_queue_again(client, clock):
    clerk, t = called_at_s01(client)
    window(client, clerk, "S01", "transfer", window="S13", wait_for_window=True)
    assert client.get(f"/api/v1/tickets/{t['id']}", headers=clerk).json()["windows"] == ["S13"]
    clock.advance(minutes=10)
    late = client.get(f"/api/v1/tickets/{t['id']}", headers=clerk).json()
    assert "S13" in late["windows"] and "S14" in late["windows"]
