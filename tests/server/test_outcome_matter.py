"""受理 / 不予受理 name the actual matter, not the queue (issue 12.7)."""

import csv
import io
import re

from tests.helpers import issue, login, window

NOTICE = "/api/v1/halls/demo/tickets/{id}/notice"
CONTEXT = "/api/v1/halls/demo/windows/S01/context"
HALF_WIDTH = re.compile(r"[\u4e00-\u9fff“”][,?!:;]|[,?!:;][\u4e00-\u9fff“”]")


def error(r) -> str:
    return r.json()["error"]["code"]


def called(client, clerk: dict) -> dict:
    t = issue(client, queue="A", applicant_name="王小明")
    window(client, clerk, "S01", "call-next")
    return t


def test_a_rejection_notice_for_a_queue_ticket_names_the_matter_the_clerk_picked(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    t = called(client, clerk)
    r = window(
        client, clerk, "S01", "outcome", outcome="rejected", reason="材料不齐", matter="qy-sl"
    )
    assert r.status_code == 200, r.text
    assert r.json()["matter"] == "qy-sl" and r.json()["matter_name"] == "企业设立登记"
    doc = client.get(NOTICE.format(id=t["id"]), params={"kind": "rejected"}, headers=clerk).json()
    assert doc["matter"] == "企业设立登记"
    assert {"label": "承办部门", "value": "市场监管局"} in doc["fields"]
    assert "“企业设立登记”事项" in doc["paragraphs"][0]
    assert "无差别综合受理" not in "".join(doc["paragraphs"])


def test_the_notices_legal_text_uses_full_width_punctuation(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    for outcome, kinds in (("accepted", ("accepted", "missing")), ("rejected", ("rejected",))):
        t = called(client, clerk)
        window(client, clerk, "S01", "outcome", outcome=outcome, reason="材料不齐", matter="qy-bg")
        for kind in kinds:
            params = {"kind": kind, "materials": ["身份证复印件"]}
            doc = client.get(NOTICE.format(id=t["id"]), params=params, headers=clerk).json()
            for text in [*doc["paragraphs"], *doc["receipt_body"]]:
                assert not HALF_WIDTH.search(text), (kind, text)


def test_the_matter_must_exist_and_belong_to_a_queue_of_the_window(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    called(client, clerk)
    unknown = window(client, clerk, "S01", "outcome", outcome="accepted", matter="nope")
    assert unknown.status_code == 404 and error(unknown) == "unknown_matter"
    b_matter = next(
        m["code"]
        for m in client.get("/api/v1/halls/demo", headers=clerk).json()["matters"]
        if m["queue"] == "B"
    )
    other = window(client, clerk, "S01", "outcome", outcome="accepted", matter=b_matter)
    assert other.status_code == 422 and error(other) == "matter_not_served"
    assert window(client, clerk, "S01", "outcome", outcome="accepted").status_code == 200


def test_the_pad_offers_the_matters_of_its_queues_recent_ones_first(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    ctx = client.get(CONTEXT, headers=clerk).json()
    codes = [m["code"] for m in ctx["matters"]]
    assert "qy-sl" in codes and "qy-bg" in codes
    assert {m["queue"] for m in ctx["matters"]} <= set(ctx["window"]["queues"])
    called(client, clerk)
    window(client, clerk, "S01", "outcome", outcome="accepted", matter="qy-bg")
    ctx = client.get(CONTEXT, headers=clerk).json()
    assert ctx["matters"][0]["code"] == "qy-bg" and ctx["matters"][0]["recent"] is True
    assert ctx["matters"][1]["recent"] is False


def test_the_calls_export_carries_the_matter_recorded_at_the_outcome(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    called(client, clerk)
    window(client, clerk, "S01", "outcome", outcome="accepted", matter="qy-sl")
    boss = login(client, "supervisor")
    r = client.get("/api/v1/halls/demo/stats/export.csv", params={"rows": "calls"}, headers=boss)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    col = rows[0].index("办理事项")
    assert rows[1][col] == "企业设立登记"


def test_statistics_group_the_services_by_the_matter_recorded(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    for matter in ("qy-sl", "qy-sl", "qy-bg"):
        called(client, clerk)
        window(client, clerk, "S01", "outcome", outcome="accepted", matter=matter)
    called(client, clerk)
    window(client, clerk, "S01", "outcome", outcome="consulted")
    boss = login(client, "supervisor")
    r = client.get("/api/v1/halls/demo/stats", params={"by": "matter"}, headers=boss)
    assert r.status_code == 200, r.text
    rows = {row["label"]: row for row in r.json()["rows"]}
    assert rows["企业设立登记"]["accepted"] == 2 and rows["企业设立登记"]["issued"] == 2
    assert rows["企业变更登记"]["accepted"] == 1
    assert rows["（未记录）"]["consulted"] == 1
    assert r.json()["by_label"] == "办理事项"
