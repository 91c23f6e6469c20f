"""Operations surface: health, readiness, Prometheus metrics, structured logs, demo secrets."""

import json
import logging

import pytest

from server.app import build_services
from server.config import DEMO_HALL_FILE, Settings
from server.demo_secrets import DemoSecretsError
from server.observability import JsonFormatter, mask_secrets_in_access_logs
from tests.helpers import issue


def test_health_and_readiness_answer(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_metrics_count_requests_and_show_the_halls_queues(client):
    issue(client, queue="A")
    issue(client, queue="A")
    text = client.get("/metrics").text
    assert (
        'yichuang_http_requests_total{method="POST",route="/api/v1/halls/{hall}/tickets",'
        'status="201"} 2'
    ) in text
    assert 'yichuang_waiting_tickets{hall="demo",queue="A"} 2' in text
    assert 'yichuang_event_seq{hall="demo"} 2' in text
    assert "张" not in text  # counts only: no personal data


def test_json_logs_are_one_object_per_line():
    record = logging.LogRecord(
        "yichuang.api", logging.ERROR, __file__, 1, "落地 %s", ("A012",), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "error" and entry["msg"] == "落地 A012"
    assert entry["ts"].endswith("Z")


def test_access_log_lines_never_show_a_ticket_secret_or_a_feed_token(caplog, monkeypatch):
    from uvicorn.logging import AccessFormatter

    mask_secrets_in_access_logs()
    mask_secrets_in_access_logs()  # idempotent: one filter per logger
    access, error = logging.getLogger("uvicorn.access"), logging.getLogger("uvicorn.error")
    assert len(access.filters) == len(error.filters) == 1
    for logger in (access, error):  # uvicorn's own config stops propagation to caplog
        monkeypatch.setattr(logger, "propagate", True)
    with (
        caplog.at_level(logging.INFO, "uvicorn.access"),
        caplog.at_level(logging.INFO, "uvicorn.error"),
    ):
        path = "/api/v1/tickets/T1?s=SECRETabc_-1&ids=7"
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "GET", path, "1.1", 200)
        feed = "/api/v1/halls/demo/live?since=3&token=demo-display"
        error.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:6", feed)
    # The two lines logged here, once each: a server another test left in a thread may log
    # too, and a handler another test left on "uvicorn" may see a record twice.
    mine = {r.args[0]: r for r in caplog.records if isinstance(r.args, tuple) and r.args}
    request, socket = mine["127.0.0.1:5"], mine["127.0.0.1:6"]
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(request)
    assert line == '127.0.0.1:5 - "GET /api/v1/tickets/T1?s=***&ids=7 HTTP/1.1" 200 OK'
    assert socket.getMessage() == (
        '127.0.0.1:6 - "WebSocket /api/v1/halls/demo/live?since=3&token=***" [accepted]'
    )
    assert "SECRET" not in caplog.text and "demo-display" not in caplog.text


@pytest.mark.db  # the refusal comes before the store is touched, on either backend
def test_the_demo_secrets_are_refused_outside_demo_mode(tmp_path):
    with pytest.raises(DemoSecretsError, match="demo"):
        build_services(Settings(data_dir=tmp_path, hall_files=[DEMO_HALL_FILE], demo=False))
