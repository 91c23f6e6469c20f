"""Guessing is slowed per user name and address; nobody is locked out by somebody else.

The hall sits behind one NAT address ("testclient" here); the attacker comes from another.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import login

ATTACKER = ("203.0.113.9", 40000)
GOOD = "demo1234"


def sign_in(client, username: str, password: str = GOOD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def code(response) -> str:
    return response.json()["error"]["code"]


@pytest.fixture
def attacker(client) -> TestClient:
    """Another address on the same app (the app and its services are already running)."""
    return TestClient(client.app, client=ATTACKER)


def test_an_attacker_guessing_a_clerks_password_does_not_stop_that_clerk(client, attacker, clock):
    answers, clerk = [], []
    for n in range(120):  # two minutes of guessing, one guess a second
        answers.append(sign_in(attacker, "clerk07", f"guess{n}").status_code)
        if n % 10 == 9:  # meanwhile the clerk signs in from the hall, again and again
            clerk.append(sign_in(client, "clerk07").status_code)
        clock.advance(seconds=1)
    assert answers[:5] == [401] * 5 and 429 in answers and 200 not in answers
    assert clerk == [200] * 12
    assert sign_in(attacker, "clerk07").status_code == 429  # the right password does not help


def test_guesses_from_one_address_meet_a_growing_delay(attacker, clock):
    for n in range(5):
        assert sign_in(attacker, "clerk07", f"guess{n}").status_code == 401
    waits = []
    for n in range(4):
        refused = sign_in(attacker, "clerk07", "again")
        assert refused.status_code == 429 and code(refused) == "too_many_attempts"
        wait = int(refused.headers["Retry-After"])
        assert refused.json()["error"]["detail"]["retry_after"] == wait
        assert f"{wait} 秒" in refused.json()["error"]["message"]
        waits.append(wait)
        clock.advance(seconds=wait)
        assert sign_in(attacker, "clerk07", f"late{n}").status_code == 401
    assert waits == [1, 2, 4, 8]


def test_a_hall_behind_one_address_with_many_clerks_signing_in_is_never_blocked(client, clock):
    for _ in range(2):  # a busy morning: every clerk mistypes once, then signs in
        for n in range(1, 27):
            assert sign_in(client, f"clerk{n:02d}", "demo1235").status_code == 401
            assert sign_in(client, f"clerk{n:02d}").status_code == 200
        clock.advance(seconds=20)
    for n in range(1, 27):
        for _ in range(3):
            assert sign_in(client, f"clerk{n:02d}").status_code == 200


def test_a_clerk_who_mistyped_signs_in_after_seconds_and_starts_afresh(client, clock):
    for _ in range(6):
        sign_in(client, "clerk05", "typo")
    wait = int(sign_in(client, "clerk05").headers["Retry-After"])
    assert wait <= 2
    clock.advance(seconds=wait)
    assert sign_in(client, "clerk05").status_code == 200
    for _ in range(5):  # the success forgot the earlier typos: five free attempts again
        assert sign_in(client, "clerk05", "typo").status_code == 401


def test_a_spraying_address_is_stopped_without_stopping_other_addresses(make_client, clock):
    hall = make_client(clock, login_attempts_per_client_per_minute=30)
    sprayer = TestClient(hall.app, client=ATTACKER)
    for n in range(30):
        assert sign_in(sprayer, f"clerk{n % 26 + 1:02d}", f"spray{n}").status_code == 401
    refused = sign_in(sprayer, "supervisor", "spray")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) <= 60
    assert login(hall, "clerk01")  # the hall's own address is untouched
    clock.advance(seconds=61)
    assert sign_in(sprayer, "supervisor", "spray").status_code == 401
