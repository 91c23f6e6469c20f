"""Password rules, the forced change of the initial password, expiry, and the idle timeout."""

from __future__ import annotations

import pytest

from server.config import DEMO_HALL_FILE
from server.domain.passwords import PasswordRules, missing
from tests.helpers import login, window

PASSWORD = "/api/v1/auth/password"


def strict_hall(folder, **extra: object):
    """The demo hall with the forced change on (and any other `[security]` values)."""
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    keys = "".join(f"{k} = {str(v).lower()}\n" for k, v in extra.items())
    text = text.replace("password_force_change = false\n", "password_force_change = true\n" + keys)
    path = folder / "strict.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def strict(make_client, clock, tmp_path):
    return make_client(clock, halls=[strict_hall(tmp_path)])


def sign_in(client, username="clerk01", password="demo1234"):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return r.json(), {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.mark.parametrize(
    ("password", "lacks"),
    [
        ("Ab1!", ["至少 8 个字符"]),
        ("abcdefgh", ["至少包含 3 类字符（还可加入：大写字母、数字、符号）"]),
        ("xClerk01x!", ["不能包含用户名"]),
        ("Window-2026", []),
    ],
)
def test_the_rules_say_what_is_missing(password, lacks):
    assert missing(password, "clerk01", PasswordRules()) == lacks


def test_the_initial_password_must_be_changed_before_anything_else(strict):
    body, headers = sign_in(strict)
    assert body["password_change_required"] is True
    r = window(strict, headers, "S01", "sign-in")
    assert r.status_code == 403 and r.json()["error"]["code"] == "password_change_required"
    assert "修改初始密码" in r.json()["error"]["message"]
    assert strict.get("/api/v1/auth/me", headers=headers).status_code == 200
    r = strict.post(
        PASSWORD, json={"old_password": "demo1234", "new_password": "short"}, headers=headers
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "weak_password"
    assert "至少 8 个字符" in r.json()["error"]["message"]
    assert window(strict, headers, "S01", "sign-in").status_code == 403  # nothing changed
    r = strict.post(
        PASSWORD, json={"old_password": "wrong", "new_password": "Window-2026"}, headers=headers
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_password"
    r = strict.post(
        PASSWORD, json={"old_password": "demo1234", "new_password": "Window-2026"}, headers=headers
    )
    assert r.status_code == 200 and r.json()["password_change_required"] is False
    assert window(strict, headers, "S01", "sign-in").status_code == 200  # the same session
    r = strict.post("/api/v1/auth/login", json={"username": "clerk01", "password": "demo1234"})
    assert r.status_code == 401
    body, _ = sign_in(strict, password="Window-2026")
    assert body["password_change_required"] is False


def test_a_changed_password_survives_reloading_the_hall_file(make_client, clock, tmp_path):
    hall = strict_hall(tmp_path)
    first = make_client(clock, halls=[hall])
    _, headers = sign_in(first)
    r = first.post(
        PASSWORD, json={"old_password": "demo1234", "new_password": "Window-2026"}, headers=headers
    )
    assert r.status_code == 200
    again = make_client(clock, halls=[hall])  # a restart loads the hall file again
    body, _ = sign_in(again, password="Window-2026")
    assert body["password_change_required"] is False


def test_passwords_expire_when_the_hall_says_so(make_client, clock, tmp_path):
    client = make_client(clock, halls=[strict_hall(tmp_path, password_expiry_days=90)])
    _, headers = sign_in(client)
    client.post(
        PASSWORD, json={"old_password": "demo1234", "new_password": "Window-2026"}, headers=headers
    )
    clock.advance(days=89)
    assert sign_in(client, password="Window-2026")[0]["password_change_required"] is False
    clock.advance(days=1)
    assert sign_in(client, password="Window-2026")[0]["password_change_required"] is True


def test_the_demo_hall_needs_no_change(client):
    for user in ("clerk01", "supervisor", "admin", "security", "auditor"):
        assert sign_in(client, user)[0]["password_change_required"] is False


def test_supervisors_go_idle_after_30_minutes_and_clerks_do_not(client, clock):
    sup = login(client, "supervisor")
    clerk = login(client, "clerk01")
    assert window(client, clerk, "S01", "sign-in").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/api/v1/auth/me", headers=sup).status_code == 200  # used: starts again
    clock.advance(minutes=29)
    assert client.get("/api/v1/auth/me", headers=sup).status_code == 200
    clock.advance(minutes=30)
    r = client.get("/api/v1/auth/me", headers=sup)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 200  # 88 min idle
    records = client.get(
        "/api/v1/halls/demo/audit",
        params={"action": "session_expired"},
        headers=login(client, "auditor"),
    ).json()["records"]
    assert [(x["who"], x["object"]) for x in records] == [("supervisor", "idle")]


def test_the_idle_timeout_is_a_security_setting(client, clock):
    security = login(client, "security")
    r = client.put(
        "/api/v1/halls/demo/security-settings",
        json={"settings": {"idle_minutes": 10}},
        headers=security,
    )
    assert r.status_code == 200 and r.json()["settings"]["idle_minutes"] == 10
    sup = login(client, "supervisor")
    clock.advance(minutes=10)
    assert client.get("/api/v1/auth/me", headers=sup).status_code == 401


def test_the_security_administrator_sets_the_sign_in_throttle(client):
    security = login(client, "security")
    r = client.put(
        "/api/v1/halls/demo/security-settings",
        json={"settings": {"login_free_failures": 2}},
        headers=security,
    )
    assert r.status_code == 200
    wrong = {"username": "clerk05", "password": "nope"}
    codes = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_a_pages_automatic_refresh_does_not_keep_a_session_from_going_idle(client, clock):
    sup = login(client, "supervisor")
    background = {**sup, "X-Background-Refresh": "1"}
    for _ in range(2):
        clock.advance(minutes=14)
        assert client.get("/api/v1/halls/demo/overview", headers=background).status_code == 200
    clock.advance(minutes=2)  # 30 minutes without the person doing anything
    assert client.get("/api/v1/halls/demo/overview", headers=background).status_code == 401
