"""The provincial 好差评 adapters, field by field, and delivered to the fake provinces."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qsl

import pytest
from starlette.testclient import TestClient

from server.config import DEMO_HALL_FILE
from server.domain.codes import uscc_problem
from server.hallfile import load_hall_file
from server.outbox import provinces
from server.outbox.formats import FORMATS, LoggedEvent, Target
from tests.helpers import EVALUATOR, issue, login, valid_id, window
from tests.integrations.fake_province import FakeProvince

pytestmark = pytest.mark.db

DEPT = {m.code: m for m in load_hall_file(DEMO_HALL_FILE).matters}


def served(client, name="张三丰", matter="qy-sl") -> dict:
    """A ticket for a matter, called and accepted at S01 by clerk01 (工号 ZW0101)."""
    ticket = issue(
        client, matter=matter, applicant_name=name, id_number=valid_id(seq=f"{len(name)}12")
    )
    headers = login(client, "clerk01")
    window(client, headers, "S01", "sign-in")
    assert window(client, headers, "S01", "call", ticket=ticket["id"]).status_code == 200
    assert window(client, headers, "S01", "outcome", outcome="accepted").status_code == 200
    # 受理 opened a case: its 办件编号 keys the upload (the hall numbers it: none was typed)
    case = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=headers)
    return {**ticket, "case_no": case.json()["case_no"]}


def secret(ticket: dict) -> dict:
    return {"s": ticket["progress_url"].split("s=")[1]}


def logged(client) -> list[LoggedEvent]:
    body = client.get("/api/v1/halls/demo/events?since=0", headers=EVALUATOR).json()
    return [
        LoggedEvent("demo", e["seq"], e["type"], dt.datetime.fromisoformat(e["at"]), e)
        for e in body["events"]
    ]


def render(client, fmt: str, **options: str) -> list:
    target = Target("province", "http://province.test/upload", "s3cret", fmt, options)
    ctx = client.app.state.services.ctx
    with ctx.units.read() as repos:
        return [out for event in logged(client) for out in FORMATS[fmt](event, target, repos)]


@pytest.fixture
def day(client, clock):
    """Two services: one rated 5 on the window's tablet, one rated 1 on the phone then 追评 3."""
    good = served(client)
    url = f"/api/v1/tickets/{good['id']}/evaluation"
    assert client.post(url, json={"level": 5}, headers=EVALUATOR).is_success
    clock.advance(minutes=10)
    poor = served(client, name="欧阳娜娜", matter="qy-bg")
    url = f"/api/v1/tickets/{poor['id']}/evaluation"
    body = {"level": 1, "reasons": ["服务态度差", "办事效率低"], "comment": "材料退回两次"}
    assert client.post(url, json=body, params=secret(poor)).is_success
    clock.advance(days=2)
    again = {"level": 3, "reasons": [], "comment": "后来解决了"}
    assert client.post(url + "/followup", json=again, params=secret(poor)).is_success
    return good, poor


def test_every_adapter_is_registered_by_name():
    assert set(provinces.ADAPTERS) <= set(FORMATS)


def test_the_form_adapter_maps_every_field(client, day):
    good, _ = day
    outs = render(client, "province_form")
    assert len(outs) == 3  # two first ratings and one 追评；no other event is sent
    forms = [dict(parse_qsl(o.body.decode(), keep_blank_values=True)) for o in outs]
    assert all(
        o.headers["Content-Type"].startswith("application/x-www-form-urlencoded") for o in outs
    )
    assert [o.key for o in outs] == [o.headers["Idempotency-Key"] for o in outs]
    first, bad, second = forms
    assert first == {
        "areaCode": "141000",
        "areaName": "示例市",
        "deptCode": DEPT["qy-sl"].department_code,
        "taskCode": DEPT["qy-sl"].catalog_code,
        "taskName": "企业设立登记",
        "projectNo": good["case_no"],
        "proStatus": "1",
        "proDepart": "市场监管局",
        "proManager": "ZW0101",
        "pf": "4",  # the window's tablet
        "userName": "张**",
        "userProp": "1",
        "satisfaction": "5",
        "evalDetail": "",
        "writingEvaluation": "",
        "assessTime": "2026-11-24 09:00:00",
        "assessNumber": "1",
        "promiseTime": "3",  # 企业设立登记: limit_days = 3 in the demo hall
        "dataSource": "1",
    }
    assert (bad["pf"], bad["userName"], bad["satisfaction"]) == ("3", "欧阳**", "1")
    assert bad["evalDetail"] == "2,4"  # positions in the hall's rating_reasons
    assert bad["writingEvaluation"] == "材料退回两次" and bad["assessTime"] == "2026-11-24 09:10:00"
    assert (second["assessNumber"], second["satisfaction"], second["projectNo"]) == (
        "2",
        "3",
        bad["projectNo"],
    )
    assert (
        second["assessTime"] == "2026-11-26 09:10:00"
        and second["writingEvaluation"] == "后来解决了"
    )
    assert uscc_problem(first["deptCode"]) is None


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_each_level_is_sent_as_it_was_given(client, level):
    ticket = served(client)
    body = {"level": level, "reasons": ["系统故障"] if level <= 2 else []}
    assert client.post(
        f"/api/v1/tickets/{ticket['id']}/evaluation", json=body, params=secret(ticket)
    ).is_success
    (form,) = render(client, "province_form")
    (doc,) = render(client, "province_json")
    (generic,) = render(client, "province_generic")
    assert dict(parse_qsl(form.body.decode()))["satisfaction"] == str(level)
    assert json.loads(doc.body)["score"] == level
    assert json.loads(generic.body)["level"] == level


def test_the_subscribers_reason_codes_replace_the_positions(client, day):
    outs = render(client, "province_form", reason_codes="服务态度差:A02,办事效率低:A07")
    assert dict(parse_qsl(outs[1].body.decode()))["evalDetail"] == "A02,A07"


def test_the_json_adapter_sends_the_second_rating_as_a_child_of_the_first(client, day):
    good, _ = day
    first, bad, second = (
        json.loads(o.body) for o in render(client, "province_json", publish="true")
    )
    assert first == {
        "busiCode": good["case_no"],
        "evalChannel": "pad",
        "evalSource": "hall",
        "objType": "2",
        "objCode": "ZW0101",
        "score": 5,
        "praise": [],
        "evaluationChildren": [],
        "anonymous": False,
        "publish": True,
    }
    assert bad["evalChannel"] == "h5" and bad["score"] == 1
    assert bad["praise"] == [
        {"code": "2", "name": "服务态度差"},
        {"code": "4", "name": "办事效率低"},
    ]
    assert second["busiCode"] == bad["busiCode"] and second["score"] == 1
    assert second["evaluationChildren"] == [
        {
            "score": 3,
            "praise": [],
            "content": "后来解决了",
            "evalTime": "2026-11-26 09:10:00",
            "evalChannel": "h5",
        }
    ]


def test_the_generic_json_names_codes_department_clerk_and_masked_applicant(client, day):
    assert len(day) == 2
    doc = json.loads(render(client, "province_generic")[1].body)
    assert doc["matter"] == {
        "code": "qy-bg",
        "name": "企业变更登记",
        "catalog_code": DEPT["qy-bg"].catalog_code,
    }
    assert doc["department"] == {"name": "市场监管局", "code": DEPT["qy-bg"].department_code}
    assert (doc["staff_no"], doc["staff_name"], doc["applicant_masked"]) == (
        "ZW0101",
        "李明",
        "欧阳**",
    )
    assert (doc["level_label"], doc["channel"], doc["assess_number"]) == ("非常不满意", "phone", 1)
    assert doc["reasons"] == [
        {"code": "2", "text": "服务态度差"},
        {"code": "4", "text": "办事效率低"},
    ]
    assert doc["rated_local"] == "2026-11-24 09:10:00" and doc["region_code"] == "141000"
    assert "欧阳娜娜" not in json.dumps(doc, ensure_ascii=False)


@pytest.mark.parametrize(("fmt", "kind"), [("province_form", "form"), ("province_json", "json")])
def test_the_fake_provinces_accept_every_record_once_through_faults(client, day, fmt, kind):
    now = [dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)]
    fake = FakeProvince(kind, fail_share=0.3, clock=lambda: now[0])
    fake.down_for(60)
    outs = render(client, fmt)
    with TestClient(fake) as http:
        assert (
            http.post("/", content=outs[0].body, headers=dict(outs[0].headers)).status_code == 503
        )
        now[0] += dt.timedelta(seconds=61)
        for out in outs + outs:  # every record twice: a retry after a lost reply
            while http.post("/", content=out.body, headers=dict(out.headers)).status_code == 503:
                pass
    assert len(fake.records()) == 3 and fake.duplicates == 3 and fake.refused == []


def test_the_fake_province_names_the_fields_it_refuses():
    fake = FakeProvince.form()
    status, reply = fake.handle(b"areaCode=1410&userName=%E5%BC%A0%E4%B8%89&extra=1")
    assert status == 400
    assert {"areaCode", "userName", "extra", "deptCode"} <= set(reply["fields"])
    status, reply = FakeProvince.json().handle(b'{"score": 6, "anonymous": "no"}')
    assert status == 400 and {"score", "anonymous", "busiCode"} <= set(reply["fields"])
