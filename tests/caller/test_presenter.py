"""The clerk pad's presenter, driven without widgets against the in-process demo hall."""

from __future__ import annotations

import httpx

from caller.presenter import CallerPresenter
from server.client import HallClient
from tests.helpers import EVALUATOR, issue, login, valid_id, window


def test_signing_in_at_the_preset_window_opens_it_and_loads_the_context(client, make_pad):
    issue(client, queue="A")
    pad = make_pad()
    view = pad.view()
    assert view.phase == "working"
    assert view.title == "S01 1号窗口" and view.status == "服务中"
    assert view.clerk == "李明（clerk01）"
    assert view.queues == ("A 无差别综合受理 · 等候 1 人",)
    assert [n for n, _ in view.next_numbers] == ["A001"]
    assert view.enabled["call_next"] and not view.enabled["accepted"]
    assert "申请材料不齐全或不符合法定形式" in view.reasons


def test_without_a_preset_window_the_clerk_chooses_one(make_pad):
    pad = make_pad(window=None)
    view = pad.view()
    assert view.phase == "choose_window"
    assert ("S01", "S01 1号窗口", "空闲，可签到") in view.windows
    assert pad.choose_window("S13")
    assert pad.view().title == "S13 13号窗口"


def test_a_wrong_password_keeps_the_sign_in_screen_with_the_reason(make_pad):
    pad = make_pad(signed_in=False)
    assert not pad.login("clerk01", "wrong")
    assert pad.view().phase == "login"
    assert pad.view().message == "用户名或密码错误"
    assert not pad.login("", "")
    assert pad.view().message == "请输入工号和密码"


def test_calling_shows_the_ticket_and_an_outcome_is_required_before_the_next(client, make_pad):
    issue(client, queue="A", applicant_name="张三丰", id_number=valid_id())
    issue(client, queue="A")
    pad = make_pad()
    assert pad.call_next()
    view = pad.view()
    assert view.number == "A001"
    assert view.message == "请 A001 号到 S01 办理"
    assert "申请人 张**" in view.ticket_lines[1]
    assert not view.enabled["call_next"] and view.enabled["accepted"]
    assert [n for n, _ in view.next_numbers] == ["A002"]
    assert not pad.call_next()  # the server refuses too
    assert pad.view().message == "请先登记当前号码的办理结果，再叫下一号"
    assert pad.outcome("accepted")
    assert pad.view().number == "—" and pad.view().message == "A001 已登记受理"
    assert dict(pad.view().today)["受理"] == "1"


def test_an_empty_line_says_so(make_pad):
    pad = make_pad()
    assert not pad.call_next()
    assert pad.view().message == "当前没有等候的号码" and pad.view().level == "warn"


def test_recalls_are_counted_and_suggest_no_show_after_the_limit(client, make_pad):
    issue(client, queue="A")
    pad = make_pad()
    pad.call_next()
    for _ in range(2):
        pad.recall()
    assert pad.view().recall_hint == "已重呼 2 次"
    pad.recall()
    assert pad.view().recall_hint == "已重呼 3 次仍未到，建议登记过号（F8）"
    assert pad.outcome("no_show")
    assert dict(pad.view().today)["过号"] == "1"


def test_rejection_needs_a_reason_and_then_waits_for_the_rating(client, make_pad):
    ticket = issue(client, queue="A")
    pad = make_pad()
    pad.call_next()
    assert not pad.outcome("rejected", "  ")
    assert pad.view().message == "不予受理须选择或填写原因"
    assert pad.outcome("rejected", "申请人不具备申请资格")
    assert pad.view().evaluation == "A001 好差评：等待评价…"
    rated = client.post(
        f"/api/v1/tickets/{ticket['id']}/evaluation", json={"level": 5}, headers=EVALUATOR
    ).json()
    pad.on_live(
        {
            "type": "evaluation.recorded",
            "seq": 99,
            "ticket": {"id": ticket["id"], "queue": "A"},
            "window": {"code": "S01"},
            "level": rated["evaluation_level"],
            "level_label": "非常满意",
        }
    )
    assert pad.view().evaluation == "A001 已评价：非常满意"


def test_transfer_moves_the_ticket_away_with_a_note(client, make_pad):
    issue(client, queue="A")
    pad = make_pad()
    pad.call_next()
    assert not pad.transfer()
    assert pad.transfer(queue="B", note="需不动产专窗办理")
    assert pad.view().number == "—" and pad.view().message == "A001 已转移至「不动产登记」"
    other = make_pad(window="S13", user="clerk13")
    other.call_next()
    assert other.view().number == "A001"
    assert "转入" in other.view().ticket_lines[1]
    assert other.view().transfer_note == "转入备注：需不动产专窗办理"
    assert pad.view().transfer_note == ""  # the sending pad shows no current ticket


def test_a_transfer_to_a_window_that_does_not_serve_the_queue_is_refused(client, make_pad):
    issue(client, queue="A")
    pad = make_pad()
    pad.call_next()
    assert not pad.transfer(queue="G", window="S13")
    assert pad.view().message == "S13 13号窗口 不办理 G 公积金 业务（该窗口办理：B 不动产登记）"
    assert pad.view().number == "A001"


def test_pause_and_resume_change_the_status_and_the_buttons(make_pad):
    pad = make_pad()
    assert "午休" in pad.view().pause_reasons
    assert pad.pause("午休")
    view = pad.view()
    assert view.status == "暂停服务：午休" and view.pause_label == "恢复服务"
    assert not view.enabled["call_next"]
    assert pad.resume()
    assert pad.view().status == "服务中"


def test_picking_a_number_calls_it_out_of_order(client, make_pad):
    for _ in range(3):
        issue(client, queue="A")
    pad = make_pad()
    assert pad.call_number("a003")
    assert pad.view().number == "A003"
    assert "不按顺序" in pad.view().message
    pad.outcome("consulted")
    assert not pad.call_number("Z999")
    assert "Z999" in pad.view().message


def test_a_ticket_another_window_called_leaves_the_list_at_once(client, make_pad):
    first = issue(client, queue="A")
    issue(client, queue="A")
    pad = make_pad()
    pad.on_live({"type": "ticket.called", "seq": 50, "ticket": first, "window": {"code": "S02"}})
    assert [n for n, _ in pad.view().next_numbers] == ["A002"]
    assert pad.state.stale and pad.refresh_if_stale()
    assert not pad.refresh_if_stale()


def test_events_of_other_queues_do_not_make_the_pad_reload(client, make_pad):
    pad = make_pad()
    pad.on_live({"type": "ticket.issued", "seq": 9, "ticket": {"id": "x", "queue": "B"}})
    assert not pad.state.stale
    pad.on_live({"type": "ticket.issued", "seq": 10, "ticket": {"id": "y", "queue": "A"}})
    assert pad.state.stale


def test_a_network_drop_and_the_resync_are_said_on_screen(client, make_pad):
    pad = make_pad()
    pad.on_status("disconnected")
    assert pad.view().connection == "网络中断，正在重新连接…"
    assert pad.view().connection_level == "error"
    assert pad.refresh_if_stale()  # REST still answers, but the live feed is down
    assert pad.view().connection == "网络中断，正在重新连接…"
    pad.on_status("resynced")
    assert pad.view().connection == "已重新连接，数据已同步"
    assert pad.refresh_if_stale()
    issue(client, queue="A")
    pad.call_next()  # said once: the next action clears it
    assert pad.view().connection == ""


def test_an_unreachable_server_is_reported_and_nothing_is_pretended(make_pad):
    pad = make_pad()

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    pad.api = HallClient(
        "http://testserver", "demo", pad.api.token, transport=httpx.MockTransport(down)
    )
    assert not pad.call_next()
    assert pad.view().connection == "网络中断，正在重新连接…"
    assert "无法连接服务器" in pad.view().message
    assert pad.view().number == "—"


def test_an_expired_session_returns_to_the_sign_in_screen(client, make_pad):
    pad = make_pad()
    client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {pad.api.token}"})
    signed_out: list[bool] = []
    pad.on_signed_out = lambda: signed_out.append(True)
    assert not pad.call_next()
    assert pad.view().phase == "login" and signed_out == [True]


def test_signing_out_with_a_ticket_pending_pauses_until_its_outcome(client, make_pad):
    issue(client, queue="A")
    pad = make_pad()
    pad.call_next()
    assert not pad.sign_out()
    assert pad.view().phase == "working" and pad.view().status.startswith("暂停服务")
    pad.outcome("accepted")
    assert pad.sign_out()
    assert pad.view().phase == "login"


def test_a_double_press_runs_one_intent(make_pad):
    pad = make_pad()
    assert pad.try_begin()
    assert not pad.try_begin()
    assert pad.view().busy and not pad.view().enabled["call_next"]
    pad.end()
    assert pad.try_begin()


def test_the_pad_offers_the_notices_that_fit_the_outcome(client, make_pad, tmp_path):
    issue(client, queue="A", applicant_name="王五")
    pad = make_pad()
    assert not pad.view().enabled["notice"]
    pad.call_next()
    assert pad.view().notice_kinds == (("missing", "一次性告知书"),)
    pad.outcome("accepted")
    assert pad.view().notice_kinds == (("accepted", "受理通知书"), ("missing", "一次性告知书"))
    target = tmp_path / "notice.pdf"
    assert pad.save_notice_pdf("accepted", target)
    assert target.read_bytes().startswith(b"%PDF")


def test_printing_a_notice_hands_the_filled_document_to_the_printer(client, make_pad):
    class Printer:
        def __init__(self) -> None:
            self.printed: list[dict] = []

        def print_notice(self, notice: dict) -> None:
            self.printed.append(notice)

    printer = Printer()
    issue(client, queue="A", applicant_name="王五")
    pad = make_pad(printer=printer)
    pad.call_next()
    pad.outcome("rejected", "超过法定申请期限")
    assert pad.print_notice("rejected")
    assert printer.printed[0]["title"] == "不予受理凭证"
    assert printer.printed[0]["reason"] == "超过法定申请期限"
    assert pad.view().message == "不予受理凭证 已送打印机"
    assert not pad.print_notice("missing")  # a one-time notice lists the missing materials
    assert pad.view().message == "一次性告知书须列明需要补正的材料"


def test_without_a_printer_the_pad_says_to_use_the_pdf(client, make_pad):
    pad = make_pad()
    assert not pad.print_notice("accepted")
    assert "PDF" in pad.view().message


def test_evaluation_requests_of_this_window_reach_the_evaluator_hook(client, make_pad):
    pad = make_pad()
    seen: list[str] = []
    pad.on_evaluation_requested = lambda t: seen.append(t["number"])
    other = {"code": "S02"}
    mine = {"code": "S01"}
    pad.on_live(
        {"type": "evaluation.requested", "seq": 5, "ticket": {"number": "A9"}, "window": other}
    )
    pad.on_live(
        {"type": "evaluation.requested", "seq": 6, "ticket": {"number": "A1"}, "window": mine}
    )
    assert seen == ["A1"]


def test_a_clerk_may_only_open_windows_the_hall_lets_them_serve(client, make_pad):
    clerk = login(client, "clerk02")
    window(client, clerk, "S01", "sign-in")
    pad = make_pad(signed_in=False)
    assert not pad.login("clerk01", "demo1234")
    assert "已由其他工作人员签到" in pad.view().message
    assert pad.view().phase == "login"
    assert isinstance(pad, CallerPresenter)
