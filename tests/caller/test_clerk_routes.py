"""The clerk-pad routes: window context, rejection reasons, and the three notices."""

from __future__ import annotations

import io

import pypdf
import pytest

from drivers.printer import decode
from tests.helpers import EVALUATOR, KIOSK, issue, login, valid_id, window

CONTEXT = "/api/v1/halls/demo/windows/{code}/context"
NOTICE = "/api/v1/halls/demo/tickets/{id}/notice"


def context(client, headers, code="S01") -> dict:
    r = client.get(CONTEXT.format(code=code), headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def served(client, clerk, outcome, reason=None, **ticket) -> dict:
    """Issue a ticket, call it at S01 and record `outcome`; returns the ticket."""
    t = issue(client, queue="A", **ticket)
    assert window(client, clerk, "S01", "call-next").json()["id"] == t["id"]
    r = window(client, clerk, "S01", "outcome", outcome=outcome, reason=reason)
    assert r.status_code == 200, r.text
    return t


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def clerk(client):
    headers = login(client)
    window(client, headers, "S01", "sign-in")
    return headers


def test_context_shows_the_current_ticket_queues_next_numbers_and_my_day(client, clerk, clock):
    first = issue(
        client, queue="A", applicant_name="张三丰", id_number=valid_id(), phone="13812345678"
    )
    issue(client, queue="A")
    green = issue(client, queue="A", priority="green")
    issue(client, queue="A")
    clock.advance(minutes=7)
    window(client, clerk, "S01", "call-next")  # the green ticket goes first
    clock.advance(minutes=3)
    ctx = context(client, clerk)
    assert ctx["window"]["current_number"] == green["number"]
    assert ctx["current"]["number"] == green["number"]
    assert ctx["current"]["waited_seconds"] == 7 * 60
    assert ctx["current"]["serving_seconds"] == 3 * 60
    assert ctx["queues"] == [{"code": "A", "name": "无差别综合受理", "waiting": 3}]
    assert [t["number"] for t in ctx["next"]] == [first["number"], "A002", "A004"]
    assert ctx["next"][0]["applicant_masked"] == "张**"
    assert "phone" not in ctx["next"][0] and "id_masked" not in ctx["next"][0]
    assert ctx["me"] == {"username": "clerk01", "name": "李明", "signed_in_here": True}
    assert ctx["today"]["calls"] == 1 and ctx["today"]["avg_service_min"] is None
    assert "午休" in ctx["pause_reasons"] and "签退待处理" not in ctx["pause_reasons"]
    assert "S01" not in [w["code"] for w in ctx["transfer_targets"]["windows"]]


def test_context_counts_outcomes_and_the_average_service_time(client, clerk, clock):
    for outcome, minutes in (("accepted", 4), ("consulted", 2), ("rejected", 6), ("no_show", 1)):
        issue(client, queue="A")
        window(client, clerk, "S01", "call-next")
        clock.advance(minutes=minutes)
        reason = "超过法定申请期限" if outcome == "rejected" else None
        window(client, clerk, "S01", "outcome", outcome=outcome, reason=reason)
    issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "recall")
    window(client, clerk, "S01", "transfer", queue="B")
    issue(client, queue="A")
    issue(client, queue="A")
    window(client, clerk, "S01", "call", ticket="A007")
    day = context(client, clerk)["today"]
    assert (day["calls"], day["accepted"], day["consulted"], day["rejected"]) == (6, 1, 1, 1)
    assert (day["no_show"], day["transferred"], day["recalls"], day["out_of_order"]) == (1, 1, 1, 1)
    assert day["avg_service_seconds"] == 4 * 60  # (4 + 2 + 6) / 3 minutes; 过号 is no service
    assert day["avg_service_min"] == 4.0


def test_the_last_service_shows_whether_it_was_rated(client, clerk):
    t = served(client, clerk, "accepted")
    last = context(client, clerk)["last_service"]
    assert last["number"] == t["number"] and last["evaluation_requested"]
    assert last["evaluation_level"] is None
    client.post(f"/api/v1/tickets/{t['id']}/evaluation", json={"level": 2}, headers=EVALUATOR)
    last = context(client, clerk)["last_service"]
    assert (last["evaluation_level"], last["evaluation_label"]) == (2, "不满意")


def test_another_clerks_context_is_readable_but_their_counts_stay_theirs(client, clerk):
    served(client, clerk, "accepted")
    other = login(client, "clerk02")
    ctx = context(client, other)
    assert ctx["clerk"]["username"] == "clerk01" and not ctx["me"]["signed_in_here"]
    assert ctx["today"]["calls"] == 0


def test_context_refuses_devices_strangers_and_unknown_windows(client, clerk):
    assert client.get(CONTEXT.format(code="S01"), headers=KIOSK).status_code == 403
    assert client.get(CONTEXT.format(code="S01")).status_code == 401
    r = client.get(CONTEXT.format(code="S99"), headers=clerk)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_window"


def test_rejection_reasons_are_offered_with_free_text(client, clerk):
    body = client.get("/api/v1/halls/demo/rejection-reasons", headers=clerk).json()
    assert "申请材料不齐全或不符合法定形式" in body["reasons"] and body["free_text"]


def test_the_acceptance_notice_pdf_carries_the_ticket_matter_and_clerk(client, clerk, clock):
    t = served(
        client, clerk, "accepted", matter="qy-sl", applicant_name="王小明", id_number=valid_id()
    )
    r = client.get(
        NOTICE.format(id=t["id"]), params={"kind": "accepted", "format": "pdf"}, headers=clerk
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert 'filename="A001-accepted.pdf"' in r.headers["content-disposition"]
    text = pdf_text(r.content)
    for expected in (
        "受理通知书",
        "示例市政务服务中心",
        "DEMO-SL-20261124-A001",
        "王小明",
        "110105****" + valid_id()[-4:],
        "A001",
        "企业设立登记",
        "市场监管局",
        "S01 1号窗口",
        "李明",
        "2026年11月24日 09:00",
        "决定予以受理",
    ):
        assert expected in text.replace("\n", ""), expected
    assert valid_id() not in text  # never the ID number in clear


def test_the_rejection_notice_states_the_reason_and_the_appeal_rights(client, clerk):
    t = served(
        client, clerk, "rejected", reason="申请人不具备申请资格；非本市户籍", applicant_name="李四"
    )
    r = client.get(
        NOTICE.format(id=t["id"]), params={"kind": "rejected", "format": "pdf"}, headers=clerk
    )
    text = pdf_text(r.content).replace("\n", "")
    for expected in (
        "不予受理凭证",
        "DEMO-BYSL-20261124-A001",
        "李四",
        "申请人不具备申请资格；非本市户籍",
        "行政复议",
    ):
        assert expected in text, expected


def test_the_one_time_notice_lists_the_missing_materials(client, clerk):
    t = issue(client, queue="A", applicant_name="赵六")
    window(client, clerk, "S01", "call-next")  # may be printed while the citizen is there
    materials = ["身份证复印件", "不动产权证书原件", "<b>婚姻关系证明</b>"]
    params = {"kind": "missing", "format": "pdf", "materials": materials, "note": "补齐后优先办理"}
    r = client.get(NOTICE.format(id=t["id"]), params=params, headers=clerk)
    assert r.status_code == 200, r.text
    text = pdf_text(r.content).replace("\n", "")
    for expected in (
        "一次性告知书",
        "尚需补正以下 3 项材料",
        "1. 身份证复印件",
        "2. 不动产权证书原件",
    ):
        assert expected in text, expected
    assert "3. <b>婚姻关系证明</b>" in text and "补齐后优先办理" in text
    missing = client.get(NOTICE.format(id=t["id"]), params={"kind": "missing"}, headers=clerk)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "materials_required"


def test_a_ticket_taken_by_queue_alone_names_its_queues_department(client, clerk):
    t = served(client, clerk, "accepted")  # queue A, no matter: several departments
    doc = client.get(NOTICE.format(id=t["id"]), params={"kind": "accepted"}, headers=clerk).json()
    assert {"label": "承办部门", "value": "无差别综合受理"} in doc["fields"]
    b = login(client, "clerk13")
    window(client, b, "S13", "sign-in")
    ticket = issue(client, queue="B")
    window(client, b, "S13", "call-next")
    window(client, b, "S13", "outcome", outcome="rejected", reason="材料不齐")
    params = {"kind": "rejected", "format": "pdf"}
    r = client.get(NOTICE.format(id=ticket["id"]), params=params, headers=b)
    text = pdf_text(r.content).replace("\n", "").replace(" ", "")
    assert "承办部门不动产登记中心" in text and "承办部门—" not in text


def test_the_notice_as_json_and_as_a_thermal_receipt(client, clerk):
    t = served(client, clerk, "accepted", applicant_name="钱七")
    doc = client.get(NOTICE.format(id=t["id"]), params={"kind": "accepted"}, headers=clerk).json()
    assert doc["title"] == "受理通知书" and doc["serial"] == "DEMO-SL-20261124-A001"
    assert {"label": "经办人", "value": "李明"} in doc["fields"]
    assert doc["progress_url"].startswith("http://") and "/t/" in doc["progress_url"]
    for profile in ("xprinter-xp58", "epson-tm-t88v-sc"):
        params = {"kind": "accepted", "format": "escpos", "profile": profile}
        r = client.get(NOTICE.format(id=t["id"]), params=params, headers=clerk)
        assert r.status_code == 200 and r.headers["content-type"] == "application/octet-stream"
        paper = decode(r.content)
        for expected in ("受理通知书", "DEMO-SL-20261124-A001", "钱七", "李明", "决定予以受理"):
            assert expected in paper.replace("\n", ""), (profile, expected)


@pytest.mark.parametrize(
    ("kind", "params", "status", "code"),
    [
        ("rejected", {}, 409, "notice_not_applicable"),
        (
            "accepted",
            {"format": "escpos", "profile": "no-such-printer"},
            404,
            "unknown_printer_profile",
        ),
        ("accepted", {"format": "escpos", "profile": "../../etc"}, 422, "invalid_request"),
        ("accepted", {"format": "docx"}, 422, "invalid_request"),
        ("sorry", {}, 422, "invalid_request"),
    ],
)
def test_notices_refuse_what_does_not_fit(client, clerk, kind, params, status, code):
    t = served(client, clerk, "accepted")
    r = client.get(NOTICE.format(id=t["id"]), params={"kind": kind, **params}, headers=clerk)
    assert r.status_code == status and r.json()["error"]["code"] == code


def test_no_notice_for_a_waiting_ticket_another_hall_or_a_device(client, clerk):
    t = issue(client, queue="A")
    r = client.get(
        NOTICE.format(id=t["id"]), params={"kind": "missing", "materials": "x"}, headers=clerk
    )
    assert r.status_code == 409 and "不能出具一次性告知书" in r.json()["error"]["message"]
    r = client.get(NOTICE.format(id="nope"), params={"kind": "accepted"}, headers=clerk)
    assert r.status_code == 404
    r = client.get(NOTICE.format(id=t["id"]), params={"kind": "accepted"}, headers=EVALUATOR)
    assert r.status_code == 403
