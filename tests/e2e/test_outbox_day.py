"""A hall day through the API reaches a flaky webhook and two flaky 好差评 provinces exactly.

Every endpoint fails 30 % of requests at random and is down for a while (a minute in the
issue, scaled down here with the backoff so the test stays short); the server is killed
with -9 while events are owed. Afterwards the webhook holds every event of the log exactly
as logged, each signature verified, and each province holds exactly the ratings the test
gave (first ratings and 追评，through the window's evaluator and the citizen's phone),
field by field, computed here from what the test drove and the hall file's codes; every
subscriber's status shows zero lag.

More endpoints: serve each with `serving()`, add its `[[subscribers]]` lines in
`subscriber_lines`, wait for its zero lag and check what it holds beside the checks below.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import tomllib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from server.store.db import Database
from server.store.unit import SqlStore
from tests.integrations.fake_province import FakeProvince
from tests.integrations.fake_sms import FakeSmsGateway
from tests.integrations.serve import serving
from tests.integrations.webhook_receiver import FakeWebhook
from tests.live_server import PASSWORD, ServerProcess, password_hash
from tests.pgschema import PG_URL, fresh_schema

DEMO = Path(__file__).resolve().parents[2] / "server" / "halls" / "demo.toml"
HALL = "demo"
SECRET = "e2e-webhook-secret-42"
DOWN_SECONDS = 3.0  # "down for a minute" (after the restart), at the test's backoff scale
SUBSCRIBERS = ("webhook", "prov-form", "prov-json", "sms")
OUTBOX_ENV = {
    "YICHUANG_OUTBOX_BACKOFF_BASE_S": "0.05",
    "YICHUANG_OUTBOX_BACKOFF_CAP_S": "0.5",
    "YICHUANG_OUTBOX_POLL_SECONDS": "0.1",
    "YICHUANG_OUTBOX_LEASE_SECONDS": "3",
}
TOKENS = {  # the demo hall's published tokens, replaced: a real server refuses them
    "demo-kiosk": "e2e-kiosk-secret-1",
    "demo-display": "e2e-display-secret-1",
    "demo-evaluator": "e2e-evaluator-secret-1",
    "demo-online": "e2e-online-secret-1",
    "demo-integration": "e2e-integration-secret-1",
}
KIOSK = {"Authorization": f"Bearer {TOKENS['demo-kiosk']}"}
EVALUATOR = {"Authorization": f"Bearer {TOKENS['demo-evaluator']}"}
CLERKS = {"clerk01": "S01", "clerk02": "S02", "clerk03": "S03"}  # windows serving queue A
MATTERS = ["qy-sl", "qy-bg", "qy-zx", "gt-dj"]  # matters of queue A，市场监管局
APPLICANTS = ["张三丰", "欧阳娜娜", None, "李四"]
MASKED = {"张三丰": "张**", "欧阳娜娜": "欧阳**", None: "", "李四": "李*"}
OUTCOMES = [
    {"outcome": "accepted"},
    {"outcome": "consulted"},
    {"outcome": "rejected", "reason": "材料不齐"},
    {"outcome": "no_show"},
]
PRO_STATUS = {"accepted": "1", "consulted": "2", "rejected": "3"}
# The form province names two reasons by its own codes; the rest go by list position.
FORM_REASON_CODES = {"等候时间长": "W01", "服务态度差": "W02"}


@dataclass(frozen=True)
class Rate:
    """One rating the test gives: through which channel, level, reasons, comment."""

    channel: str  # "evaluator" (the window's device) or "phone" (owner secret)
    level: int
    reasons: tuple[str, ...] = ()
    comment: str = ""


# What each served ticket gets, in turn: a first rating and maybe a 追评；None is unrated.
PLANS: list[tuple[Rate, Rate | None] | None] = [
    (Rate("evaluator", 5), None),
    (Rate("phone", 2, ("等候时间长", "服务态度差"), "等了很久，态度也不好"), None),
    (Rate("phone", 3, ("一次性告知不清",)), Rate("phone", 5, (), "后来一次办好了")),
    (Rate("evaluator", 1, ("办事效率低",)), None),
    None,
    (Rate("phone", 4), Rate("evaluator", 2, ("材料要求反复", "等候时间长"), "又让补材料")),
]


@dataclass
class Given:
    """A rating the test gave, with all it needs to foresee the provinces' records."""

    ticket: dict[str, Any]
    clerk: str
    matter: str
    outcome: str
    applicant: str | None
    first: Rate
    second: Rate | None = None
    case: str | None = None  # the 办件编号 its 受理 opened (typed, or numbered by the hall)


@dataclass
class Day:
    """What the test drove: tickets issued and the ratings given."""

    rated: list[Given] = field(default_factory=list)
    served: int = 0
    tickets: int = 0
    phones: dict[str, str] = field(default_factory=dict)  # ticket id -> the number it opted in
    called: set[str] = field(default_factory=set)  # tickets called at a window


def backends():
    yield "sqlite"
    yield pytest.param(
        "pg",
        marks=pytest.mark.skipif(
            not PG_URL,
            reason="set YICHUANG_TEST_PG_URL=postgresql+psycopg://… to run on PostgreSQL",
        ),
    )


@pytest.mark.parametrize("backend", list(backends()))
def test_a_hall_day_reaches_flaky_webhook_and_provinces_exactly(tmp_path, backend):
    receiver = FakeWebhook(SECRET, fail_rate=0.3)
    form, jsonp = FakeProvince.form(fail_share=0.3, seed=1), FakeProvince.json(fail_share=0.3)
    gateway = FakeSmsGateway(fail_share=0.3)
    started = dt.datetime.now(dt.UTC)
    day = Day()
    with ExitStack() as stack:
        hook = stack.enter_context(serving(receiver.app))
        form_url = stack.enter_context(serving(form))
        json_url = stack.enter_context(serving(jsonp))
        sms_url = stack.enter_context(serving(gateway))
        env, workers = dict(OUTBOX_ENV), 1
        if backend == "pg":
            env["YICHUANG_DATABASE_URL"] = stack.enter_context(fresh_schema())
            workers = 2
        hall = write_demo_hall(tmp_path / "demo.toml")
        with hall.open("a", encoding="utf-8") as f:
            f.write(subscriber_lines("webhook", f"{hook}/hook", SECRET))
            f.write(
                subscriber_lines("prov-form", f"{form_url}/hcp", SECRET, "province_form")
                + "[subscribers.options]\nreason_codes = "
                + json.dumps(",".join(f"{t}:{c}" for t, c in FORM_REASON_CODES.items()))
                + "\n"
            )
            f.write(subscriber_lines("prov-json", f"{json_url}/hcp", SECRET, "province_json"))
            f.write(subscriber_lines("sms", f"{sms_url}/send", SECRET, "sms"))
        server = ServerProcess(tmp_path / "data", [hall], env=env, workers=workers).start()
        stack.callback(server.stop)
        http = stack.enter_context(httpx.Client(base_url=server.url, timeout=10))
        tokens = sign_in(http)
        work_a_while(http, tokens, day, rounds=2)
        endpoints = (receiver, form, jsonp, gateway)
        for endpoint in endpoints:
            endpoint.down_for(600)  # until back up after the restart, below
        work_a_while(http, tokens, day, rounds=2)
        for name in SUBSCRIBERS:  # events are owed: the endpoints are down
            assert status_of(http, tokens["supervisor"], name)["lag_events"] > 0
        server.kill9()
        server.start()
        for endpoint in endpoints:
            endpoint.down_for(DOWN_SECONDS)
        work_a_while(http, tokens, day, rounds=2)
        follow_up(http, day)  # the 追评，after the restart
        waiting = post(  # a citizen still at the café when called: the SMS is due
            http,
            f"/api/v1/halls/{HALL}/tickets",
            json={"matter": MATTERS[0], "phone": "13900000999"},
            headers=KIOSK,
        )
        window, clerk = CLERKS["clerk01"], "clerk01"
        post(http, f"/api/v1/halls/{HALL}/windows/{window}/call-next", tokens[clerk])
        wait_for_zero_lag(http, tokens["supervisor"], "sms")
        post(
            http,
            f"/api/v1/halls/{HALL}/windows/{window}/outcome",
            tokens[clerk],
            json={"outcome": "consulted", "matter": MATTERS[0]},
        )
        for clerk, window in CLERKS.items():
            post(http, f"/api/v1/halls/{HALL}/windows/{window}/sign-out", tokens[clerk])
        statuses = {
            name: wait_for_zero_lag(http, tokens["supervisor"], name) for name in SUBSCRIBERS
        }
        server.stop()
        logged = read_log(env.get("YICHUANG_DATABASE_URL") or server_db(tmp_path))
    ended = dt.datetime.now(dt.UTC)

    for status in statuses.values():
        assert status["last_seq"] == len(logged) and status["dead_letters"] == 0
    assert receiver.problems == []  # every field valid, every signature verified
    assert receiver.seqs(HALL) == sorted(logged)  # each event once, first arrivals in order
    for seq, payload in logged.items():
        assert receiver.events[f"{HALL}:{seq}"]["data"] == payload
    assert receiver.failed > 0 and receiver.requests > len(logged)  # it really was flaky
    # None twice: the kill falls while every endpoint is down, so nothing an endpoint
    # accepted went unrecorded by the server (a resend would carry the same key again).
    assert receiver.duplicates == form.duplicates == jsonp.duplicates == 0

    # SMS through the same outbox: each message once, at the number its ticket opted in with,
    # never to anyone else; the citizen called while away got the call message. (Tickets served
    # before the outbox rendered their call were no longer due one: never after the service.)
    ids = [d.message_id for d in gateway.delivered]
    assert len(ids) == len(set(ids))
    numbers = {**day.phones, waiting["id"]: "13900000999"}
    for message in gateway.delivered:
        ticket = message.message_id.split(":")[1]
        assert message.phone == numbers[ticket], message
    assert f"sms:{waiting['id']}:called" in ids
    assert gateway.failures > 0

    codes = hall_codes()
    assert any(g.second for g in day.rated) and any(g.first.reasons for g in day.rated)
    assert {g.first.channel for g in day.rated} == {"evaluator", "phone"}
    assert {g.outcome for g in day.rated} == set(PRO_STATUS)
    for province, expect in ((form, form_records), (jsonp, json_records)):
        assert province.refused == []  # every field of every request valid
        wanted = [r for g in day.rated for r in expect(g, codes)]
        got = province.records()
        assert len(got) == len(wanted) == sum(1 + bool(g.second) for g in day.rated)
        by_key = {province.key(r): r for r in got}
        for record in wanted:
            held = dict(by_key[province.key(record)])
            rated_at(held, province.kind, started, ended)  # hall-local, during the test
            assert held == record
        assert province.requests > len(got)  # it really was flaky (and down)


def write_demo_hall(path: Path) -> Path:
    """The demo hall file with its published password and tokens replaced by the test's."""
    text = DEMO.read_text(encoding="utf-8")
    demo_hash = tomllib.loads(text)["users"][0]["password_hash"]
    text = text.replace(demo_hash, password_hash())
    for demo, token in TOKENS.items():
        text = text.replace(f'"{demo}"', f'"{token}"')
    path.write_text(text, encoding="utf-8")
    return path


def hall_codes() -> dict[str, Any]:
    """The codes the demo hall file gives, read independently of the server."""
    spec = tomllib.loads(DEMO.read_text(encoding="utf-8"))
    departments = {d["name"]: d["department_code"] for d in spec["departments"]}
    return {
        "region_code": spec["hall"]["region_code"],
        "region_name": spec["hall"]["region_name"],
        "reasons": spec["hall"]["rating_reasons"],
        "matters": {
            m["code"]: (m["name"], m["catalog_code"], m["department"], departments[m["department"]])
            for m in spec["matters"]
        },
        "staff_no": {u["username"]: u.get("staff_no", "") for u in spec["users"]},
        # 承诺时限：an instant matter (即办件) 0, a promised one its limit_days (default 20)
        "promise": {
            m["code"]: m.get("limit_days", 0 if m.get("kind") == "instant" else 20)
            for m in spec["matters"]
        },
    }


def case_no(g: Given) -> str:
    """The case's 办件编号，or the adapters' key for a service with no case: hall, date, number."""
    if g.case is not None:
        return g.case
    return f"{HALL}-{g.ticket['business_date'].replace('-', '')}-{g.ticket['number']}"


def form_records(g: Given, codes: dict[str, Any]) -> list[dict[str, str]]:
    """The form province's records of one rated ticket (assessTime left out)."""
    name, catalog, department, department_code = codes["matters"][g.matter]

    def one(rate: Rate, number: int) -> dict[str, str]:
        position = {t: str(i) for i, t in enumerate(codes["reasons"], start=1)}
        return {
            "areaCode": codes["region_code"],
            "areaName": codes["region_name"],
            "deptCode": department_code,
            "taskCode": catalog,
            "taskName": name,
            "projectNo": case_no(g),
            "proStatus": PRO_STATUS[g.outcome],
            "proDepart": department,
            "proManager": codes["staff_no"][g.clerk],
            "pf": {"evaluator": "4", "phone": "3"}[rate.channel],
            "userName": MASKED[g.applicant],
            "userProp": "1",
            "satisfaction": str(rate.level),
            "evalDetail": ",".join(FORM_REASON_CODES.get(r, position[r]) for r in rate.reasons),
            "writingEvaluation": rate.comment,
            "assessNumber": str(number),
            "promiseTime": str(codes["promise"][g.matter]),
            "dataSource": "1",
        }

    return [one(g.first, 1)] + ([one(g.second, 2)] if g.second else [])


def json_records(g: Given, codes: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON province's records of one rated ticket (evalTime left out)."""
    position = {t: str(i) for i, t in enumerate(codes["reasons"], start=1)}
    channel = {"evaluator": "pad", "phone": "h5"}

    def praise(rate: Rate) -> list[dict[str, str]]:
        return [{"code": position[r], "name": r} for r in rate.reasons]

    first = {
        "busiCode": case_no(g),
        "evalChannel": channel[g.first.channel],
        "evalSource": "hall",
        "objType": "2",
        "objCode": codes["staff_no"][g.clerk],
        "score": g.first.level,
        "praise": praise(g.first),
        "evaluationChildren": [],
        "anonymous": g.applicant is None,
        "publish": False,
    }
    if g.second is None:
        return [first]
    child = {
        "score": g.second.level,
        "praise": praise(g.second),
        "content": g.second.comment,
        "evalChannel": channel[g.second.channel],
    }
    second = {
        **first,
        "evalChannel": channel[g.second.channel],
        "praise": [],
        "evaluationChildren": [child],
    }
    return [first, second]


def rated_at(record: dict[str, Any], kind: str, started: dt.datetime, ended: dt.datetime) -> None:
    """Pop the rating time from a held record and check it is hall-local and in the test."""
    if kind == "form":
        text = record.pop("assessTime")
    else:
        text = (
            record["evaluationChildren"][0].pop("evalTime")
            if record["evaluationChildren"]
            else None
        )
    if text is None:
        return
    local = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert started - dt.timedelta(seconds=1) <= local <= ended + dt.timedelta(seconds=1), text


def subscriber_lines(name: str, url: str, secret: str, fmt: str = "cloudevents") -> str:
    """A `[[subscribers]]` table for the hall file."""
    return (
        f'[[subscribers]]\nname = "{name}"\nurl = "{url}"\nsecret = "{secret}"\nformat = "{fmt}"\n'
    )


def sign_in(http: httpx.Client) -> dict[str, str]:
    tokens = {}
    for user in (*CLERKS, "supervisor"):
        r = http.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        tokens[user] = r.json()["token"]
    for clerk, window in CLERKS.items():
        post(http, f"/api/v1/halls/{HALL}/windows/{window}/sign-in", tokens[clerk])
    return tokens


def post(http: httpx.Client, path: str, token: str | None = None, **kw) -> dict:
    headers = kw.pop("headers", None) or ({"Authorization": f"Bearer {token}"} if token else {})
    r = http.post(path, headers=headers, **kw)
    assert r.status_code < 300, (path, r.status_code, r.text)
    return r.json()


def work_a_while(http: httpx.Client, tokens: dict[str, str], day: Day, rounds: int) -> None:
    """Each round: a ticket per clerk, called, ended with the next outcome, rated by plan."""
    for n in range(rounds):
        for clerk, window in CLERKS.items():
            matter = MATTERS[day.tickets % len(MATTERS)]
            applicant = APPLICANTS[day.tickets % len(APPLICANTS)]
            body: dict[str, Any] = {"matter": matter}
            if applicant:
                body["applicant_name"] = applicant
            if day.tickets % 3 == 0:  # a third of the citizens want SMS alerts
                body["phone"] = f"139{day.tickets:08d}"
            ticket = post(http, f"/api/v1/halls/{HALL}/tickets", json=body, headers=KIOSK)
            if "phone" in body:
                day.phones[ticket["id"]] = body["phone"]
            day.tickets += 1
            path = f"/api/v1/halls/{HALL}/windows/{window}"
            auth = {"Authorization": f"Bearer {tokens[clerk]}"}
            called = post(http, f"{path}/call-next", tokens[clerk])
            day.called.add((called.get("ticket") or called)["id"])
            outcome = OUTCOMES[(n + len(day.rated) + day.tickets) % len(OUTCOMES)]
            typed = f"SX{day.tickets:04d}-2026" if day.tickets % 2 else None  # scanned at 受理
            extra = {"case_no": typed} if typed and outcome["outcome"] == "accepted" else {}
            body = {**outcome, "matter": matter, **extra}
            post(http, f"{path}/outcome", tokens[clerk], json=body)
            if outcome["outcome"] == "no_show":
                continue
            case = None
            if outcome["outcome"] == "accepted":  # 受理 opened a case: typed, or the hall's number
                r = http.get(f"/api/v1/halls/{HALL}/tickets/{ticket['id']}/case", headers=auth)
                assert r.status_code == 200, r.text
                case = r.json()["case_no"]
                assert case == typed if typed else case.startswith(HALL.upper())
            plan = PLANS[day.served % len(PLANS)]
            day.served += 1
            if plan is None:
                continue  # a served ticket nobody rated sends nothing
            given = Given(
                ticket, clerk, matter, outcome["outcome"], applicant, plan[0], plan[1], case
            )
            rate(http, ticket, "evaluation", plan[0])
            day.rated.append(given)


def follow_up(http: httpx.Client, day: Day) -> None:
    """The 追评 of the tickets whose plan has one."""
    for given in day.rated:
        if given.second is not None:
            rate(http, given.ticket, "evaluation/followup", given.second)


def rate(http: httpx.Client, ticket: dict[str, Any], route: str, r: Rate) -> None:
    body: dict[str, Any] = {"level": r.level, "reasons": list(r.reasons)}
    if r.comment:
        body["comment"] = r.comment
    path = f"/api/v1/tickets/{ticket['id']}/{route}"
    if r.channel == "evaluator":
        post(http, path, json=body, headers=EVALUATOR)
    else:
        post(http, path, json=body, params={"s": ticket["progress_url"].split("s=")[1]})


def status_of(http: httpx.Client, token: str, name: str) -> dict:
    """A subscriber's status, as the 对接 tab of /admin shows it."""
    r = http.get(
        f"/api/v1/halls/{HALL}/subscribers/{name}/status",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def wait_for_zero_lag(http: httpx.Client, token: str, name: str, timeout: float = 40.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = status_of(http, token, name)
        if status["lag_events"] == 0 and status["cursor"] == status["last_seq"]:
            assert status["lag_seconds"] == 0
            return status
        assert time.monotonic() < deadline, status
        time.sleep(0.2)


def server_db(tmp_path) -> str:
    return f"sqlite:///{(tmp_path / 'data' / 'yichuang.db').resolve()}"


def read_log(url: str) -> dict[int, dict]:
    db = Database(url)
    try:
        with SqlStore(db).read() as repos:
            rows = repos.outbox.events_after(HALL, 0, 100_000)
    finally:
        db.dispose()
    return {seq: json.loads(payload) for seq, _, _, payload in rows}
