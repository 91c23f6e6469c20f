"""Sessions and the login rate limit hold across workers: two apps on one store.

Each app stands for one worker (or host) of a scale-out installation; both use the test's
store (SQLite file, or the PostgreSQL pass's schema).
"""

from __future__ import annotations

import sqlalchemy as sa

from server.store.tables import login_failures
from tests.helpers import login

WRONG = {"password": "wrong-password"}


def sign_in(client, username: str, password: str = "demo1234"):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def code(response) -> str:
    return response.json()["error"]["code"]


def test_a_logout_on_one_worker_ends_the_session_on_every_other_at_once(make_client, clock):
    a, b = make_client(clock), make_client(clock)
    clerk = login(a)
    assert b.get("/api/v1/auth/me", headers=clerk).status_code == 200  # b has seen the token
    assert a.post("/api/v1/auth/logout", headers=clerk).status_code == 200
    r = b.get("/api/v1/auth/me", headers=clerk)
    assert r.status_code == 401 and code(r) == "invalid_token"
    assert b.get("/api/v1/halls/demo", headers=clerk).status_code == 401


def test_failed_sign_ins_count_once_across_workers(make_client, clock):
    a, b = make_client(clock), make_client(clock)
    for worker in (a, b, a, b, a):  # 5 failures (the free ones), spread over two workers
        r = sign_in(worker, "clerk07", WRONG["password"])
        assert r.status_code == 401 and code(r) == "login_failed"
    for worker in (a, b):
        r = sign_in(worker, "clerk07")
        assert r.status_code == 429 and code(r) == "too_many_attempts"
        assert r.headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert sign_in(b, "clerk07").status_code == 200


def test_a_delayed_user_does_not_delay_colleagues_behind_the_same_address(client):
    for _ in range(5):
        assert sign_in(client, "clerk07", WRONG["password"]).status_code == 401
    assert sign_in(client, "clerk07").status_code == 429
    assert sign_in(client, "clerk08").status_code == 200  # same address ("testclient")
    assert sign_in(client, "clerk09", WRONG["password"]).status_code == 401


def test_one_address_spraying_user_names_meets_the_higher_address_limit(make_client, clock):
    a, b = make_client(clock), make_client(clock, login_attempts_per_client_per_minute=20)
    for n in range(20):
        assert sign_in(a, f"guess{n}", "x").status_code == 401
    r = sign_in(b, "another-name", "x")
    assert r.status_code == 429 and code(r) == "too_many_attempts"
    assert sign_in(a, "another-name", "x").status_code == 401  # a's address limit is 100


def test_failed_sign_ins_are_forgotten_once_they_stop_counting(make_client, clock):
    client = make_client(clock)
    for n in range(30):
        sign_in(client, f"spray{n}", "x")
    clock.advance(minutes=15, seconds=1)  # a pair's failures count for 15 minutes
    assert sign_in(client, "spray-late", "x").status_code == 401
    db = client.app.state.services.ctx.db
    with db.read() as conn:
        left = conn.execute(sa.select(login_failures.c.username)).scalars().all()
    assert left == ["spray-late"]
