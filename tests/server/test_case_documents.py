"""Case documents：申请材料交接确认单、审查意见一次性告知单、办结通知书，checked field by field."""

from __future__ import annotations

import io

import pypdf

from drivers.printer import decode
from tests.helpers import login
from tests.server.test_cases import accepted, refused, step

DOCS = "/api/v1/halls/demo/cases/{no}/documents/{kind}"
MATERIALS = ["不动产权证书原件", "买卖合同", "完税证明"]


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages)


def test_the_handover_sheet_lists_the_case_and_its_materials_in_json_pdf_and_receipt(client):
    _, case = accepted(client)
    clerk = login(client, "clerk13")
    url = DOCS.format(no=case["case_no"], kind="handover")
    doc = client.get(url, params={"materials": MATERIALS}, headers=clerk).json()
    fields = {f["label"]: f["value"] for f in doc["fields"]}
    assert doc["title"] == "申请材料交接确认单" and doc["case_no"] == case["case_no"]
    assert fields == {
        "办件编号": case["case_no"],
        "办理事项": "二手房买卖转移登记",
        "承办部门": "不动产登记中心",
        "申请人": "张**",
        "办件类型": "承诺件（5 个工作日）",
        "承诺办结日": "2026年12月1日",
        "受理窗口": "S13",
        "受理人": fields["受理人"],
        "受理时间": "2026-11-24 09:00",
    }
    assert fields["受理人"] and doc["materials"] == MATERIALS
    assert doc["paragraphs"][0].startswith("以下申请材料共 3 项")
    pdf = client.get(url, params={"materials": MATERIALS, "format": "pdf"}, headers=clerk)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for value in [
        doc["title"],
        case["case_no"],
        "二手房买卖转移登记",
        "不动产登记中心",
        *MATERIALS,
    ]:
        assert value in text, value
    receipt = client.get(url, params={"materials": MATERIALS, "format": "escpos"}, headers=clerk)
    assert receipt.status_code == 200
    # GS k 73: the 办件编号 as a native CODE128 symbol (code set B) the department scans
    number = case["case_no"].encode()
    assert b"\x1dk\x49" + bytes((len(number) + 2,)) + b"{B" + number in receipt.content
    printed = decode(receipt.content)
    assert "申请材料交接确认单" in printed and "完税证明" in printed


def test_the_opinion_notice_and_the_result_notice_follow_the_decision(client):
    _, case = accepted(client)
    no, dept = case["case_no"], login(client, "dept-bdc")
    refused(client.get(DOCS.format(no=no, kind="result"), headers=dept), 409,
            "document_not_applicable")  # fmt: skip
    step(client, no, dept, step="sign")
    step(client, no, dept, step="correct", opinion="请补充完税证明原件")
    opinion = client.get(DOCS.format(no=no, kind="opinion"), headers=dept).json()
    assert opinion["title"] == "审查意见一次性告知单"
    assert "尚需补正下列材料" in opinion["paragraphs"][0]
    assert opinion["paragraphs"][1] == "请补充完税证明原件"
    step(client, no, dept, step="resubmit")
    step(client, no, dept, step="deny", opinion="房屋已被查封，不符合转移登记条件")
    pdf = client.get(DOCS.format(no=no, kind="result"), params={"format": "pdf"}, headers=dept)
    text = pdf_text(pdf.content)
    assert "办结通知书" in text and no in text and "不予许可" in text
    result = client.get(DOCS.format(no=no, kind="result"), headers=dept).json()
    fields = {f["label"]: f["value"] for f in result["fields"]}
    assert fields["申请人"] == "张三丰" and fields["办件编号"] == no
    assert fields["办结时间"].startswith("2026-11-24")
    other = login(client, "dept-scjg")
    refused(client.get(DOCS.format(no=no, kind="result"), headers=other), 403, "other_department")


def test_the_acceptance_notice_carries_the_case_number(client):
    ticket, case = accepted(client)
    clerk = login(client, "clerk13")
    url = f"/api/v1/halls/demo/tickets/{ticket['id']}/notice"
    doc = client.get(url, params={"kind": "accepted"}, headers=clerk).json()
    assert {"label": "办件编号", "value": case["case_no"]} in doc["fields"]
    pdf = client.get(url, params={"kind": "accepted", "format": "pdf"}, headers=clerk)
    assert case["case_no"] in pdf_text(pdf.content)


def test_the_call_detail_export_names_the_case_of_each_acceptance(client):
    _, case = accepted(client)
    supervisor = login(client, "supervisor")
    day = {"from": "2026-11-24", "to": "2026-11-24", "rows": "calls"}
    r = client.get("/api/v1/halls/demo/stats/export.csv", params=day, headers=supervisor)
    lines = r.content.decode("utf-8-sig").splitlines()
    header = lines.index(next(line for line in lines if "办件编号" in line))
    assert lines[header].split(",")[-1] == "办件编号"
    assert any(line.endswith("," + case["case_no"]) for line in lines[header + 1 :])


def test_materials_recorded_with_the_handover_fill_the_sheet(client):
    _, case = accepted(client)
    clerk = login(client, "clerk13")
    r = step(client, case["case_no"], clerk, step="hand_over", materials=MATERIALS)
    assert r.status_code == 200 and r.json()["materials"] == MATERIALS
    doc = client.get(DOCS.format(no=case["case_no"], kind="handover"), headers=clerk).json()
    assert doc["materials"] == MATERIALS
