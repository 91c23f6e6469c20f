"""NUL and other control characters never reach the store (PostgreSQL refuses NUL in text)."""

import pytest
from sqlalchemy.exc import DataError

from server.services import tickets
from tests.helpers import KIOSK, issue, login, window
from tests.pgschema import BACKEND


def assert_invalid_request(r, field: str) -> None:
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and "控制字符" in err["message"]
    assert field in [d["field"] for d in err["detail"]], err


def test_a_nul_in_a_body_string_is_refused_as_invalid_request(client):
    cases = [
        ("/api/v1/halls/demo/tickets", {"queue": "A", "applicant_name": "a\u0000b"}, KIOSK),
        ("/api/v1/auth/login", {"username": "a\u0000", "password": "demo1234"}, {}),
        ("/api/v1/halls/demo/tickets/find", {"number": "A0\u00001"}, KIOSK),
    ]
    for path, body, headers in cases:
        field = next(k for k, v in body.items() if "\u0000" in v)
        assert_invalid_request(client.post(path, json=body, headers=headers), field)
    assert issue(client, queue="A")["number"] == "A001"


def test_a_nul_in_a_path_or_query_value_is_refused_as_invalid_request(client):
    t = issue(client, queue="A")
    assert_invalid_request(client.get("/api/v1/tickets/ab%00c", headers=KIOSK), "path")
    assert_invalid_request(client.post("/api/v1/tickets/ab%00c/requeue", headers=KIOSK), "path")
    r = client.get(f"/api/v1/tickets/{t['id']}", params={"s": "a\u0000"})
    assert_invalid_request(r, "query")


def test_single_line_fields_refuse_tabs_and_line_breaks_but_free_text_may_span_lines(client):
    r = client.post(
        "/api/v1/halls/demo/tickets", json={"queue": "A", "applicant_name": "张\n三"}, headers=KIOSK
    )
    assert_invalid_request(r, "applicant_name")
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    r = window(client, clerk, "S01", "outcome", outcome="rejected", reason="材料不全：\n缺身份证")
    assert r.status_code == 200, r.text
    r = window(client, clerk, "S01", "pause", reason="临时\u0007离开")
    assert_invalid_request(r, "reason")


def test_a_value_the_database_refuses_is_a_4xx_with_a_chinese_message(client, monkeypatch):
    def refused(*args, **kwargs):
        raise DataError("SELECT …", {}, ValueError("value out of range"))

    monkeypatch.setattr(tickets, "get_ticket", refused)
    t = issue(client, queue="A")
    r = client.get(f"/api/v1/tickets/{t['id']}", headers=KIOSK)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert "无法保存" in r.json()["error"]["message"]


def test_a_nul_that_slips_past_validation_is_still_a_4xx_and_the_writer_goes_on(
    client, monkeypatch
):
    real = tickets.IssueRequest

    def with_nul(**fields):
        return real(**{**fields, "applicant_name": "a\u0000b"})

    monkeypatch.setattr(tickets, "IssueRequest", with_nul)
    r = client.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=KIOSK)
    if BACKEND == "pg":
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text
    else:
        assert r.status_code == 201  # SQLite stores NUL; only PostgreSQL refuses it
    monkeypatch.setattr(tickets, "IssueRequest", real)
    assert issue(client, queue="A")["number"] == ("A001" if BACKEND == "pg" else "A002")


@pytest.mark.parametrize("query", ["since=%00", "token=demo-display%00"])
def test_a_control_character_in_a_live_feed_parameter_closes_it_with_4400(client, query):
    from starlette.websockets import WebSocketDisconnect

    url = f"/api/v1/halls/demo/live?token=demo-display&{query}"
    # Connecting first: a refused handshake raises there, outside pytest.raises.
    with client.websocket_connect(url) as ws, pytest.raises(WebSocketDisconnect) as err:
        ws.receive_json()
    assert err.value.code == 4400
