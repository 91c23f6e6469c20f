"""Fake provincial 好差评 endpoints: small ASGI apps that check every field like the real ones.

`FakeProvince.form()` takes the form POST (areaCode … dataSource), `FakeProvince.json()` the
JSON body (busiCode … publish). Each refuses a record with a missing, unknown or malformed
field (400 with the field named), can fail a share of requests at random (503) and be down
until a given time (503), and records what it accepted: `accepted` holds each record once,
`duplicates` counts the records it had already (a receiver that dedups by its own key).

Plug one into a test with httpx: `httpx.Client(transport=httpx.ASGITransport(app=...))`, or
serve it with uvicorn for a spawned server.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from server.domain.codes import uscc_problem

Check = Callable[[Any], bool]
TIME = "%Y-%m-%d %H:%M:%S"


def _time(value: Any) -> bool:
    try:
        dt.datetime.strptime(value, TIME)
    except (TypeError, ValueError):
        return False
    return True


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 200


def _masked(value: Any) -> bool:
    # A citizen's name leaves the hall masked (张*，欧阳**) or not at all.
    return isinstance(value, str) and (value == "" or "*" in value)


FORM_FIELDS: dict[str, Check] = {
    "areaCode": lambda v: bool(re.fullmatch(r"\d{6}|\d{12}", v)),
    "areaName": _text,
    "deptCode": lambda v: uscc_problem(v) is None,
    "taskCode": _text,
    "taskName": _text,
    "projectNo": _text,
    "proStatus": lambda v: v in {"1", "2", "3"},
    "proDepart": _text,
    "proManager": _text,
    "pf": lambda v: v in {"3", "4", "5"},
    "userName": _masked,
    "userProp": lambda v: v in {"1", "2"},
    "satisfaction": lambda v: v in {"1", "2", "3", "4", "5"},
    "evalDetail": lambda v: v == "" or bool(re.fullmatch(r"[0-9A-Za-z]+(,[0-9A-Za-z]+)*", v)),
    "writingEvaluation": lambda v: len(v) <= 500,
    "assessTime": _time,
    "assessNumber": lambda v: v in {"1", "2"},
    "promiseTime": lambda v: v.isdigit(),
    "dataSource": _text,
}


def _praise(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, dict) and set(p) == {"code", "name"} and _text(p["code"]) for p in value
    )


def _child(value: Any) -> bool:
    keys = {"score", "praise", "content", "evalTime", "evalChannel"}
    return (
        isinstance(value, dict)
        and set(value) == keys
        and value["score"] in range(1, 6)
        and _praise(value["praise"])
        and _time(value["evalTime"])
    )


JSON_FIELDS: dict[str, Check] = {
    "busiCode": _text,
    "evalChannel": lambda v: v in {"pad", "h5", "terminal"},
    "evalSource": _text,
    "objType": lambda v: v in {"1", "2"},
    "objCode": _text,
    "score": lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5,
    "praise": _praise,
    "evaluationChildren": lambda v: isinstance(v, list) and len(v) <= 1 and all(map(_child, v)),
    "anonymous": lambda v: isinstance(v, bool),
    "publish": lambda v: isinstance(v, bool),
}


@dataclass
class FakeProvince:
    """One fake endpoint: its checks, its faults and what it accepted."""

    kind: str  # "form" or "json"
    fail_share: float = 0.0  # share of requests answered 503 at random
    seed: int = 15
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    down_until: dt.datetime | None = None
    accepted: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    duplicates: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def form(cls, **kw: Any) -> FakeProvince:
        """The form-POST province."""
        return cls("form", **kw)

    @classmethod
    def json(cls, **kw: Any) -> FakeProvince:
        """The JSON province."""
        return cls("json", **kw)

    def down_for(self, seconds: float) -> None:
        """Answer 503 to everything for a while."""
        self.down_until = self.clock() + dt.timedelta(seconds=seconds)

    def records(self) -> list[dict[str, Any]]:
        """What was accepted, each record once, in the order first accepted."""
        return list(self.accepted.values())

    def check(self, record: dict[str, Any]) -> list[str]:
        """The fields that are missing, unknown or malformed."""
        fields = FORM_FIELDS if self.kind == "form" else JSON_FIELDS
        bad = [k for k in record if k not in fields]
        for name, ok in fields.items():
            try:
                good = name in record and ok(record[name])
            except (TypeError, AttributeError):
                good = False
            if not good:
                bad.append(name)
        return bad

    def key(self, record: dict[str, Any]) -> tuple[str, str]:
        """The receiver's own dedup key: the case and which rating of it."""
        if self.kind == "form":
            return (record["projectNo"], record["assessNumber"])
        return (record["busiCode"], str(len(record["evaluationChildren"])))

    def handle(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """Answer one request body: (status, JSON reply)."""
        self.requests += 1
        if self.down_until is not None and self.clock() < self.down_until:
            return 503, {"code": "503", "msg": "down"}
        if self._random.random() < self.fail_share:
            return 503, {"code": "503", "msg": "busy"}
        try:
            if self.kind == "form":
                record: Any = dict(parse_qsl(body.decode(), keep_blank_values=True))
            else:
                record = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            return 400, {"code": "400", "msg": "unreadable body"}
        if not isinstance(record, dict):
            return 400, {"code": "400", "msg": "not an object"}
        bad = self.check(record)
        if bad:
            self.refused.append({"record": record, "fields": bad})
            return 400, {"code": "400", "msg": "bad fields", "fields": bad}
        key = self.key(record)
        if key in self.accepted:
            self.duplicates += 1
        else:
            self.accepted[key] = record
        return 200, {"code": "0", "msg": "success"}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The ASGI app: POST anywhere."""
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status, reply = (405, {"msg": "POST only"})
        if scope["method"] == "POST":
            status, reply = self.handle(body)
        data = json.dumps(reply).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(data)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})
