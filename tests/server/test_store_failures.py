"""A store that cannot write (held locked, disk full) answers 503, and /readyz says so.

The TestClient re-raises any exception that escapes the app: a 503 here also shows that the
error no longer reaches uvicorn, which dropped the keep-alive connection after every 500.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys

import sqlalchemy as sa
from fastapi.testclient import TestClient

from server.store.tables import tickets
from tests.helpers import KIOSK, ROOT, login, second_hall, window
from tests.store_faults import disk_full, failing_writes, held_locked


def issue(client, queue: str = "A"):
    return client.post("/api/v1/halls/demo/tickets", json={"queue": queue}, headers=KIOSK)


def numbers(client) -> list[str]:
    db = client.app.state.services.ctx.db
    with db.read() as conn:
        return sorted(conn.execute(sa.select(tickets.c.number)).scalars())


def assert_store_unavailable(r) -> None:
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["code"] == "store_unavailable"
    assert "系统繁忙" in error["message"] and "请稍后再试" in error["message"]
    assert int(r.headers["Retry-After"]) > 0


def test_a_store_held_locked_past_the_busy_timeout_answers_503_and_readyz_says_so(
    make_client, clock
):
    client = make_client(clock, store_busy_timeout_seconds=0.3)
    assert issue(client).status_code == 201
    assert client.get("/readyz").status_code == 200
    with held_locked(client.app.state.services.ctx.db):
        assert_store_unavailable(issue(client))
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.headers["Retry-After"]
    assert client.get("/readyz").status_code == 200
    assert issue(client).json()["number"] == "A002"  # the refused one was never stored
    assert numbers(client) == ["A001", "A002"]


def test_a_full_disk_answers_503_loses_nothing_and_recovers(make_client, clock):
    client = make_client(clock)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    assert [issue(client).status_code for _ in range(3)] == [201] * 3
    db = client.app.state.services.ctx.db
    with disk_full(db):
        assert_store_unavailable(issue(client))
        assert_store_unavailable(window(client, clerk, "S01", "call-next"))
        assert_store_unavailable(
            client.post("/api/v1/auth/login", json={"username": "clerk02", "password": "x"})
        )
        assert client.get("/readyz").status_code == 503
        assert client.get("/api/v1/halls/demo", headers=KIOSK).status_code == 200  # reads work
    assert client.get("/readyz").status_code == 200
    called = window(client, clerk, "S01", "call-next")
    assert called.status_code == 200 and called.json()["number"] == "A001"
    assert issue(client).json()["number"] == "A004"
    assert numbers(client) == ["A001", "A002", "A003", "A004"]


def test_a_start_on_a_full_disk_says_so_in_one_line(tmp_path):
    def full_disk() -> None:  # files may not grow past 64 KB, as on a disk with no room left
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    env = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    command = [sys.executable, "-m", "server", "serve", "--hall", str(second_hall(tmp_path))]
    command += ["--data-dir", str(tmp_path / "var"), "--port", "0"]
    run = {"capture_output": True, "text": True, "timeout": 120, "env": env, "cwd": ROOT}
    r = subprocess.run(command, preexec_fn=full_disk, **run)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "sqlalchemy" not in r.stderr.lower()
    [line] = [text for text in r.stderr.splitlines() if text.startswith("yichuang:")]
    assert "数据库无法打开或写入" in line and "磁盘是否已满" in line and "yichuang.db" in line


def test_a_bad_statement_is_still_a_bug_and_not_a_busy_store(make_client, clock):
    client = make_client(clock)
    db = client.app.state.services.ctx.db
    quiet = TestClient(client.app, raise_server_exceptions=False)
    bug = sqlite3.OperationalError("no such column: nonsense")
    with failing_writes(db, bug, "UndefinedColumn"):
        r = quiet.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=KIOSK)
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
