"""The `sms` outbox format: which messages an event makes due, and the gateway requests."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import parse_qs

from server.outbox import sms
from server.outbox.formats import FORMATS, Target
from tests.helpers import issue, login, window
from tests.integrations.fake_sms import FakeSmsGateway
from tests.notify.outbox_driver import OutboxDriver
from tests.notify.test_citizen_routes import act

TARGET = Target(
    name="gateway", url="http://sms.test/send", secret="s3cret", format="sms", options={}
)


def driver(client, **options: str) -> tuple[OutboxDriver, FakeSmsGateway]:
    gateway = FakeSmsGateway()
    target = Target(TARGET.name, TARGET.url, TARGET.secret, "sms", options)
    return OutboxDriver(client.app.state.services.ctx, "demo", target, gateway), gateway


def test_the_sms_format_is_registered_under_its_name():
    assert FORMATS["sms"] is sms.render_sms


def test_a_ticket_gets_its_near_turn_message_once_when_n_or_fewer_are_ahead(client):
    ahead = [issue(client, queue="A") for _ in range(4)]
    mine = issue(client, queue="A", phone="13912345678")
    run, gateway = driver(client)
    run.run()
    assert gateway.delivered == []  # 4 ahead: not yet (the demo hall says 3)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    run.run()
    window(client, clerk, "S01", "outcome", outcome="accepted")
    window(client, clerk, "S01", "call-next")
    run.run()
    assert [d.message_id for d in gateway.delivered] == [f"sms:{mine['id']}:near"]
    near = gateway.delivered[0]
    assert near.phone == "13912345678"
    number = mine["number"]
    assert near.text == f"示例市政务服务中心：您的 {number} 号前面还有 3 人，请回到大厅留意叫号。"
    del ahead


def test_the_call_message_names_the_window_and_comes_once_despite_recalls(client):
    mine = issue(client, queue="A", phone="13912345678")
    run, gateway = driver(client)
    clerk = login(client)
    window(client, clerk, "S03", "sign-in")
    window(client, clerk, "S03", "call-next")
    window(client, clerk, "S03", "recall")
    run.run()
    texts = {d.message_id: d.text for d in gateway.delivered}
    assert texts[f"sms:{mine['id']}:called"].endswith(f"请 {mine['number']} 号到 S03 号窗口办理。")
    # Rendered after the call: the near-turn message is no longer due, the call once.
    assert list(texts) == [f"sms:{mine['id']}:called"]


def test_the_no_show_message_says_until_when_and_where_to_requeue(client):
    mine = issue(client, queue="A", phone="13912345678")
    run, gateway = driver(client)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="no_show")
    run.run()
    text = {d.message_id: d.text for d in gateway.delivered}[f"sms:{mine['id']}:no_show"]
    # 过号 at 09:00 hall time; the demo hall's 过号重排 allows 60 minutes
    assert "请于 10:00 前到综合窗口区的自助取号机选择【过号取号】" in text


def test_a_cancelled_ticket_is_due_nothing(client):
    [issue(client, queue="A") for _ in range(5)]
    mine = issue(client, queue="A", phone="13912345678")
    act(client, mine, "cancel")
    run, gateway = driver(client)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    for _ in range(5):
        window(client, clerk, "S01", "call-next")
        window(client, clerk, "S01", "outcome", outcome="accepted")
    run.run()
    assert gateway.delivered == []


def test_the_hall_file_templates_and_form_bodies_reach_the_gateway(client):
    mine = issue(client, queue="A", phone="13912345678")
    run, gateway = driver(
        client, body="form", template="mobile={phone}&content={signed_text}", sign="示例政务"
    )
    run.run()
    assert gateway.delivered[0].headers["content-type"].startswith("application/x-www-form")
    request = sms.build_request("k", "13912345678", "文本", run.target)
    assert parse_qs(request.body.decode()) == {
        "mobile": ["13912345678"],
        "content": ["【示例政务】文本"],
    }
    del mine


def test_an_hmac_gateway_gets_the_body_signed_with_the_subscribers_secret():
    target = Target("g", "http://sms.test/send", "s3cret", "sms", {"auth": "hmac"})
    request = sms.build_request("sms:t:near", "13912345678", "请到 S01", target)
    expected = hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Signature"] == f"sha256={expected}"
    assert request.headers["X-Message-Id"] == "sms:t:near"
    assert json.loads(request.body) == {"phone": "13912345678", "text": "请到 S01", "sign": ""}
    bearer = Target("g", "http://x", "tok", "sms", {"auth": "bearer", "method": "put"})
    request = sms.build_request("k", "13912345678", "t", bearer)
    assert request.headers["Authorization"] == "Bearer tok" and request.method == "PUT"


def test_subscriber_options_are_checked_before_the_first_message():
    assert sms.check_options({}) is None
    assert sms.check_options({"body": "form", "template": "m={phone}&c={signed_text}"}) is None
    assert "unknown options" in (sms.check_options({"sigh": "x"}) or "")
    assert "method" in (sms.check_options({"method": "GET"}) or "")
    assert "render" in (sms.check_options({"template": '{"to": "{mobile}"}'}) or "")
    assert "render" in (sms.check_options({"template": "not json"}) or "")


def test_a_correction_tells_the_citizen_once_and_the_number_waits_for_the_decision(
    make_client, clock
):
    from server.services import dayend
    from tests.server.test_cases import step

    client = make_client(clock)
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    ticket = issue(client, queue="B", phone="13912345678")
    window(client, clerk, "S13", "call-next")
    r = window(client, clerk, "S13", "outcome", outcome="accepted", matter="bdc-mmgh")
    assert r.status_code == 200, r.text
    case = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=clerk).json()
    no = case["case_no"]
    ctx = client.app.state.services.ctx
    clock.advance(days=1)
    dayend.close_day(ctx, "demo")  # the day end: the number stays, the case is undecided
    run, gateway = driver(client)
    dept = login(client, "dept-bdc")
    assert step(client, no, dept, step="sign").status_code == 200
    assert step(client, no, dept, step="correct", opinion="补充完税证明").status_code == 200
    run.run()
    run.run()  # a second pass sends nothing again
    corrections = [d for d in gateway.delivered if ":correct:" in d.message_id]
    assert len(corrections) == 1 and corrections[0].phone == "13912345678"
    assert no in corrections[0].text and "补正" in corrections[0].text
    assert "补充完税证明" not in corrections[0].text  # what is missing stays on the notice
    assert step(client, no, dept, step="resubmit").status_code == 200
    assert step(client, no, dept, step="approve").status_code == 200
    clock.advance(days=1)
    dayend.close_day(ctx, "demo")  # decided: the number goes at this day end
    with ctx.units.read() as repos:
        assert repos.notify.phone_of(ticket["id"]) is None
