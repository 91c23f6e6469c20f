"""Helpers shared by the tests: a hand-moved clock, demo credentials, small API calls."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
# Screenshots for people to look at go to var/screens; `make screens` refreshes the committed
# ones in docs/screens (YICHUANG_SCREENS_DIR=docs/screens), so a test run leaves git clean.
SCREENS = ROOT / os.environ.get("YICHUANG_SCREENS_DIR", "var/screens")
SCREENS.mkdir(parents=True, exist_ok=True)

TZ = dt.timezone(dt.timedelta(hours=8))
KIOSK = {"Authorization": "Bearer demo-kiosk"}
DISPLAY = {"Authorization": "Bearer demo-display"}
EVALUATOR = {"Authorization": "Bearer demo-evaluator"}


class FakeClock:
    """A clock tests move by hand; starts on a Tuesday morning in Beijing time."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def login(client: TestClient, username: str = "clerk01") -> dict[str, str]:
    """Sign a demo user in; returns the Authorization header."""
    r = client.post("/api/v1/auth/login", json={"username": username, "password": "demo1234"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def issue(client: TestClient, **body: object) -> dict:
    """Take a number at the demo kiosk; asserts 201."""
    r = client.post("/api/v1/halls/demo/tickets", json=body, headers=KIOSK)
    assert r.status_code == 201, r.text
    return r.json()


def window(client: TestClient, headers: dict, code: str, action: str, **body: object):
    """POST a window action; returns the response."""
    return client.post(
        f"/api/v1/halls/demo/windows/{code}/{action}", json=body or None, headers=headers
    )


def valid_id(birth: str = "19800101", seq: str = "123") -> str:
    """A valid 18-digit ID number (check digit computed)."""
    from server.domain.identity import check_digit

    first17 = "110105" + birth + seq
    return first17 + check_digit(first17)


def second_hall(folder: Path) -> Path:
    """A hall file for a second hall, `east`: the demo layout, one kiosk, no users."""
    from server.config import DEMO_HALL_FILE

    layout = DEMO_HALL_FILE.read_text(encoding="utf-8").split("# Demo users")[0]
    text = layout.replace('code = "demo"', 'code = "east"', 1) + (
        '\n[[devices]]\nid = "kiosk-1"\nkind = "kiosk"\ntoken = "east-kiosk"\n'
    )
    path = folder / "east.toml"
    path.write_text(text, encoding="utf-8")
    return path


def api_operations(app) -> set[tuple[str, str]]:
    """Every (METHOD, path template) under /api of the app, from its OpenAPI document.

    FastAPI nests included routers, so `app.routes` does not list the routes flat; the
    OpenAPI document does.
    """
    paths = app.openapi()["paths"]
    return {
        (method.upper(), path)
        for path, ops in paths.items()
        if path.startswith("/api/")
        for method in ops
    }


def api_routes(app) -> list:
    """Every APIRoute of the app, flat (FastAPI keeps included routers nested)."""
    from server.api.hot import api_routes as walk

    return walk(app)
