"""The progress page's live stream: the ticket's state at once, the call as it happens."""

from __future__ import annotations

import asyncio
import json

import pytest

from server.api import progress_stream
from server.services import windows as window_service
from tests.helpers import issue, login, window
from tests.notify.test_citizen_routes import secret_of


def state(chunk: str) -> dict:
    data = [line[6:] for line in chunk.splitlines() if line.startswith("data: ")]
    assert data, chunk
    return json.loads(data[-1])


def test_the_stream_needs_the_tickets_own_secret(client):
    t = issue(client, queue="A")
    r = client.get(f"/api/v1/tickets/{t['id']}/stream?s=wrong")
    assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_ticket_secret"
    r = client.get(f"/api/v1/tickets/{t['id']}/stream")
    assert r.status_code == 403


def test_the_page_gets_its_state_then_the_call_from_the_event(client, monkeypatch):
    monkeypatch.setattr(progress_stream, "REFRESH_S", 0.0)
    mine = issue(client, queue="A")
    clerk = login(client)
    window(client, clerk, "S02", "sign-in")
    services = client.app.state.services

    async def scenario() -> list[dict]:
        pages = progress_stream.stream_ticket(services, mine["id"], "demo")
        first = state(await pages.__anext__())
        await services.write(window_service.call_next, services.ctx, "demo", "S02", "clerk01")
        second = state(await asyncio.wait_for(pages.__anext__(), 2))
        await pages.aclose()
        return [first, second]

    first, second = client.portal.call(scenario)
    assert first["status"] == "waiting" and first["waiting_ahead"] == 0
    assert first["hall_name"] == "示例市政务服务中心" and "notice" in first
    assert first["sms"] is False
    assert second["status"] == "called" and second["window"] == "S02"
    assert second["waiting_ahead"] is None
    # only the ticket's public state: no secret, no progress URL, no phone, no ID
    for key in ("progress_url", "phone_masked", "id_masked", "secret"):
        assert key not in first and key not in second


def test_every_open_page_of_a_queue_shares_one_read_of_its_line_per_event(client, monkeypatch):
    monkeypatch.setattr(progress_stream, "REFRESH_S", 0.0)
    tickets = [issue(client, queue="A") for _ in range(30)]
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    services = client.app.state.services

    async def scenario() -> tuple[list[dict], int]:
        pages = [progress_stream.stream_ticket(services, t["id"], "demo") for t in tickets[1:]]
        for page in pages:
            await page.__anext__()
        lines = progress_stream.lines_of(services)
        reads = lines.reads
        await services.write(window_service.call_next, services.ctx, "demo", "S01", "clerk01")
        moved = [state(await asyncio.wait_for(p.__anext__(), 5)) for p in pages]
        for page in pages:
            await page.aclose()
        return moved, lines.reads - reads

    moved, reads = client.portal.call(scenario)
    assert [m["waiting_ahead"] for m in moved] == list(range(29))  # everyone moved up one
    assert reads == 1


def test_the_progress_page_is_small(client):
    t = issue(client, queue="A")
    page = client.get(f"/t/{t['id']}?s={secret_of(t)}")
    assert page.status_code == 200
    total = len(page.content)
    for asset in ("progress.css", "progress.js", "rating.js"):
        r = client.get(f"/static/{asset}")
        assert r.status_code == 200
        total += len(r.content)
    assert total < 50_000
    assert "cdn" not in page.text.lower() and "http" not in page.text.replace("http-equiv", "")


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
