"""Cases (办件): opened by 受理，numbered, moved step by step; bad steps refused."""

from __future__ import annotations

import datetime as dt
import re

from tests.helpers import issue, login, window

INTEGRATION = {"Authorization": "Bearer demo-integration"}
CASES = "/api/v1/halls/demo/cases"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def accepted(client, matter: str = "bdc-mmgh", **extra: object) -> tuple[dict, dict]:
    """受理 of a fresh ticket with `matter` at S13 (不动产); returns (ticket, case)."""
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    ticket = issue(client, queue="B", applicant_name="张三丰")
    window(client, clerk, "S13", "call-next")
    r = window(client, clerk, "S13", "outcome", outcome="accepted", matter=matter, **extra)
    assert r.status_code == 200, r.text
    case = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=clerk).json()
    return ticket, case


def step(client, case_no: str, headers: dict, **body: object):
    return client.post(f"{CASES}/{case_no}/steps", json=body, headers=headers)


def refused(r, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["code"] == code and CHINESE.search(error["message"])


def test_accepting_a_ticket_opens_a_case_numbered_by_the_hall(client):
    _, case = accepted(client)
    assert re.fullmatch(r"DEMO20261124\d{4}", case["case_no"])
    assert case["department"] == "bdc" and case["department_name"] == "不动产登记中心"
    assert case["kind"] == "promised" and case["limit_days"] == 5
    assert case["due_date"] == "2026-12-01" and case["window"] == "S13"
    assert "张三丰" not in str(case) and case["applicant_masked"] == "张**"


def test_a_case_number_typed_at_accepting_is_kept(client):
    _, case = accepted(client, case_no="BDC-2026-000123")
    assert case["case_no"] == "BDC-2026-000123"


def test_approving_before_signing_is_out_of_order_and_changes_nothing(client):
    _, case = accepted(client)
    dept = login(client, "dept-bdc")
    refused(step(client, case["case_no"], dept, step="approve"), 409, "case_step_out_of_order")
    after = client.get(f"{CASES}/{case['case_no']}", headers=dept).json()
    assert after["state"] == "opened" and after["steps"] == []


def test_an_unknown_case_number_is_404(client):
    dept = login(client, "dept-bdc")
    refused(step(client, "NO-SUCH-0001", dept, step="sign"), 404, "unknown_case")
    refused(client.get(f"{CASES}/NO-SUCH-0001", headers=dept), 404, "unknown_case")


def test_a_department_user_may_not_act_on_another_departments_case(client):
    _, case = accepted(client)
    other = login(client, "dept-scjg")
    refused(step(client, case["case_no"], other, step="sign"), 403, "other_department")
    refused(client.get(f"{CASES}/{case['case_no']}", headers=other), 403, "other_department")
    mine = login(client, "dept-bdc")
    assert client.get(f"{CASES}/{case['case_no']}", headers=mine).json()["state"] == "opened"


def test_a_department_user_cannot_call_at_a_window(client):
    dept = login(client, "dept-bdc")
    r = window(client, dept, "S13", "sign-in")
    assert r.status_code == 403


def test_a_step_pushed_twice_answers_as_the_first_time(client, clock):
    _, case = accepted(client)
    body = {"step": "sign", "step_id": "ext-1", "at": clock.now.isoformat()}
    first = step(client, case["case_no"], INTEGRATION, **body)
    assert first.status_code == 200, first.text
    again = step(client, case["case_no"], INTEGRATION, **body)
    assert again.status_code == 200 and again.json() == first.json()
    supervisor = login(client, "supervisor")
    steps = client.get(f"{CASES}/{case['case_no']}", headers=supervisor).json()["steps"]
    assert [s["step"] for s in steps] == ["sign"] and steps[0]["step_id"] == "ext-1"


def test_only_integrations_give_step_times_or_ids(client, clock):
    _, case = accepted(client)
    dept = login(client, "dept-bdc")
    r = step(client, case["case_no"], dept, step="sign", step_id="x")
    refused(r, 403, "integration_only")


def test_denying_needs_an_opinion_and_mailing_a_tracking_number(client):
    _, case = accepted(client)
    dept = login(client, "dept-bdc")
    assert step(client, case["case_no"], dept, step="sign").status_code == 200
    refused(step(client, case["case_no"], dept, step="deny"), 422, "missing_opinion")
    assert (
        step(client, case["case_no"], dept, step="deny", opinion="权属来源不清").status_code == 200
    )
    clerk = login(client, "clerk09")
    refused(step(client, case["case_no"], clerk, step="mail"), 422, "missing_tracking_no")
    refused(step(client, case["case_no"], clerk, step="fly"), 422, "invalid_step")


def test_correction_goes_back_to_signed_once_materials_come(client):
    _, case = accepted(client)
    dept = login(client, "dept-bdc")
    no = case["case_no"]
    assert step(client, no, dept, step="sign").status_code == 200
    assert step(client, no, dept, step="correct", opinion="补充完税证明").json()["state"] == (
        "correction"
    )
    refused(step(client, no, dept, step="approve"), 409, "case_step_out_of_order")
    assert step(client, no, dept, step="resubmit").json()["state"] == "signed"
    assert step(client, no, dept, step="approve").json()["state"] == "approved"
    clerk = login(client, "clerk09")
    done = step(client, no, clerk, step="collect").json()
    assert done["state"] == "delivered" and done["delivery"] == "collect"


def test_the_clerk_who_served_a_ticket_types_its_case_number(client):
    ticket, case = accepted(client)
    url = f"/api/v1/tickets/{ticket['id']}/case"
    other = login(client, "clerk01")
    refused(client.put(url, json={"case_no": "BDC-1234"}, headers=other), 403, "not_your_ticket")
    clerk = login(client, "clerk13")
    r = client.put(url, json={"case_no": "BDC-1234"}, headers=clerk)
    assert r.status_code == 200 and r.json()["case_no"] == "BDC-1234"
    refused(client.get(f"{CASES}/{case['case_no']}", headers=clerk), 404, "unknown_case")
    refused(client.put(url, json={"case_no": "坏编号"}, headers=clerk), 422, "invalid_case_no")


def test_a_ticket_not_served_cannot_get_a_case_number(client):
    waiting = issue(client, queue="B", applicant_name="李四")
    supervisor = login(client, "supervisor")
    r = client.put(
        f"/api/v1/tickets/{waiting['id']}/case", json={"case_no": "BDC-9"}, headers=supervisor
    )
    refused(r, 409, "ticket_not_served")


def test_case_events_carry_no_names_beyond_the_masked_one(client):
    _, case = accepted(client)
    supervisor = login(client, "supervisor")
    feed = client.get("/api/v1/halls/demo/events", params={"since": 0}, headers=supervisor)
    events = [e for e in feed.json()["events"] if e["type"].startswith("case.")]
    assert [e["type"] for e in events] == ["case.opened"]
    assert events[0]["case"]["case_no"] == case["case_no"]
    assert "张三丰" not in str(events)


def test_the_pad_context_names_the_case_of_the_last_acceptance(client):
    _, case = accepted(client)
    clerk = login(client, "clerk13")
    ctx = client.get("/api/v1/halls/demo/windows/S13/context", headers=clerk).json()
    assert ctx["last_service"]["case_no"] == case["case_no"]


def test_a_case_number_already_used_refuses_the_acceptance_and_records_nothing(client):
    accepted(client, case_no="BDC-2026-7")
    clerk = login(client, "clerk13")
    issue(client, queue="B", applicant_name="李四")
    window(client, clerk, "S13", "call-next")
    r = window(client, clerk, "S13", "outcome", outcome="accepted", matter="bdc-dy",
               case_no="BDC-2026-7")  # fmt: skip
    refused(r, 409, "case_no_taken")
    ctx = client.get("/api/v1/halls/demo/windows/S13/context", headers=clerk).json()
    assert ctx["current"] is not None  # the ticket still awaits its outcome


def test_a_pushed_step_may_not_go_back_in_time(client, clock):
    _, case = accepted(client)
    at = clock.now.isoformat()
    first = step(client, case["case_no"], INTEGRATION, step="sign", step_id="a", at=at)
    assert first.status_code == 200
    earlier = (clock.now - dt.timedelta(hours=1)).isoformat()
    r = step(client, case["case_no"], INTEGRATION, step="approve", step_id="b", at=earlier)
    refused(r, 422, "invalid_step_time")


def test_the_clerk_may_type_the_case_number_only_on_the_day_of_service(client, clock):
    ticket, _ = accepted(client)
    clock.advance(days=1)
    clerk = login(client, "clerk13")
    url = f"/api/v1/tickets/{ticket['id']}/case"
    r = client.put(url, json={"case_no": "BDC-55"}, headers=clerk)
    refused(r, 409, "case_no_too_late")
    supervisor = login(client, "supervisor")
    r = client.put(
        f"/api/v1/tickets/{ticket['id']}/case", json={"case_no": "BDC-55"}, headers=supervisor
    )
    assert r.status_code == 200 and r.json()["case_no"] == "BDC-55"


def test_the_delivery_ticket_of_the_same_citizen_finds_the_decided_case(client):
    from tests.helpers import valid_id

    citizen = valid_id(seq="555")
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    first = issue(client, queue="B", applicant_name="张三丰", id_number=citizen)
    window(client, clerk, "S13", "call-next")
    window(client, clerk, "S13", "outcome", outcome="accepted", matter="bdc-dy")
    case = client.get(f"/api/v1/halls/demo/tickets/{first['id']}/case", headers=clerk).json()
    back = issue(client, queue="C", applicant_name="张三丰", id_number=citizen)
    desk = login(client, "clerk09")
    url = f"/api/v1/halls/demo/tickets/{back['id']}/case"
    refused(client.get(url, headers=desk), 404, "unknown_case")  # not decided yet
    dept = login(client, "dept-bdc")
    for name in ("sign", "approve"):
        assert step(client, case["case_no"], dept, step=name).status_code == 200
    assert client.get(url, headers=desk).json()["case_no"] == case["case_no"]
