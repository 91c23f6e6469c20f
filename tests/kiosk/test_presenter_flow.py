"""The citizen's main path through the presenter: home，智能导办，identify, issue, print."""

from __future__ import annotations

from kiosk.state import Field, Screen
from tests.helpers import login, valid_id
from tests.kiosk.conftest import issued_numbers, take, walk

OLD = valid_id("19500101")  # born 1950: 76 on the test day
YOUNG = valid_id("19900315", "456")


def test_home_lists_the_halls_queues_and_waiting_counts_once_started(kiosk):
    s = kiosk.s
    assert s.screen is Screen.HOME and s.server_ok
    assert s.hall_name == "示例市政务服务中心"
    assert [q.code for q in s.queues][:3] == ["A", "C", "Z"]
    assert s.queue("B").windows == ("S13", "S14", "S15")
    assert s.counts["B"] == 0


def test_live_feed_counts_update_the_home_page(kiosk):
    kiosk.p.on_live({"seq": 9, "type": "ticket.issued", "queue_counts": {"A": 4, "B": 2}})
    assert kiosk.s.counts == {"A": 4, "B": 2}


def test_guide_leads_from_real_estate_to_second_hand_house_then_asks_for_the_id(kiosk):
    kiosk.p.open_guide()
    assert kiosk.s.guide.question is None and "不动产" in kiosk.s.guide.options
    walk(kiosk, "不动产")
    assert kiosk.s.guide.question == "您要办理哪类不动产业务？"
    walk(kiosk, "不动产", "买卖过户")
    assert kiosk.s.guide.options == ("二手房", "新建商品房")
    walk(kiosk, "不动产", "买卖过户", "二手房")
    s = kiosk.s
    assert s.screen is Screen.IDENTIFY
    assert (s.selection.queue, s.selection.matter) == ("B", "bdc-mmgh")
    assert s.selection.label == "二手房买卖转移登记"


def test_back_steps_through_the_questions_then_home(kiosk):
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.back()
    assert kiosk.s.screen is Screen.GUIDE and kiosk.s.guide.labels == ("不动产", "买卖过户")
    kiosk.p.back()
    kiosk.p.back()
    assert kiosk.s.guide.path == ()
    kiosk.p.back()
    assert kiosk.s.screen is Screen.HOME


def test_online_only_leaf_needs_no_number_and_prints_where_to_do_it(kiosk):
    walk(kiosk, "不动产", "查询")
    step = kiosk.s.guide
    assert kiosk.s.screen is Screen.GUIDE and step.online
    assert step.leaf["online"] == "可全程网办，无需取号"
    kiosk.p.print_advice()
    (slip,) = kiosk.printer.advice
    assert slip.advice == "可全程网办，无需取号" and "微信小程序" in slip.where[0]
    assert kiosk.s.message.text == "办理指引已打印，请取走" and not kiosk.s.message.error
    assert issued_numbers(kiosk.client) == []


def test_card_read_then_take_number_prints_the_stub_and_shows_the_same_ticket(kiosk):
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("张三丰", OLD)
    assert kiosk.s.entry(Field.ID) == OLD and kiosk.s.focus is Field.PHONE
    kiosk.p.take_number()
    (stub,) = kiosk.printer.tickets
    assert stub.number == "B001" and stub.matter == "二手房买卖转移登记"
    assert tuple(stub.windows) == ("S13", "S14", "S15")
    assert (stub.applicant_masked, stub.id_masked) == ("张**", "110105****1234")
    assert stub.waiting_ahead == 0 and stub.variant == "green"  # 76: the hall's 长辈优先 rule
    assert stub.notes[0] == "长辈优先：将为您优先叫号"
    assert stub.qr_url.startswith("http") and "/t/" in stub.qr_url
    s = kiosk.s
    assert s.screen is Screen.TICKET and s.ticket_printed
    assert s.ticket["number"] == "B001" and s.ticket["windows"] == ["S13", "S14", "S15"]
    assert s.entries == {} and s.name is None  # the citizen's data is gone once printed


def test_people_ahead_are_shown_and_printed(kiosk):
    for birth in ("19800101", "19810101"):
        take(kiosk, "B", valid_id(birth))
        kiosk.p.home()
    take(kiosk, "B", YOUNG)
    assert kiosk.s.ticket["number"] == "B003" and kiosk.s.ticket["waiting_ahead"] == 2
    assert kiosk.printer.tickets[-1].waiting_ahead == 2


def test_a_typed_id_with_a_wrong_check_digit_is_refused_on_screen(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.type(OLD[:17] + ("0" if OLD[17] != "0" else "1"))
    calls = len(kiosk.net.calls)
    kiosk.p.take_number()
    assert kiosk.s.message.text == "身份证号码校验位不正确，请核对后重新输入"
    assert kiosk.s.screen is Screen.IDENTIFY and len(kiosk.net.calls) == calls
    assert kiosk.printer.tickets == []


def test_a_number_needs_an_id_card_or_a_typed_id(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.p.take_number()
    assert kiosk.s.message.text == "请先刷身份证或输入身份证号码"
    kiosk.type(YOUNG[:10])
    kiosk.p.take_number()
    assert kiosk.s.message.text == "身份证号码无效"
    assert issued_numbers(kiosk.client) == []


def test_the_daily_limit_is_explained_without_telling_the_number_held(kiosk):
    for _ in range(2):
        take(kiosk, "B", YOUNG)
        kiosk.p.home()
    take(kiosk, "B", YOUNG)
    assert kiosk.s.screen is Screen.IDENTIFY
    # not B001: the ID may be someone else's
    assert kiosk.s.message.text == "该证件今日已取过本业务的号，请凭原小票等候叫号"
    assert len(kiosk.printer.tickets) == 1


def test_in_english_refusals_are_explained_and_the_chinese_kept(kiosk):
    take(kiosk, "B", YOUNG)
    kiosk.p.home()
    kiosk.p.toggle_language()
    take(kiosk, "B", YOUNG)
    first, second = kiosk.s.message.text.split("\n")
    assert first == "You already hold a number for this service today."
    assert second.startswith("该证件今日已取过本业务的号")


def test_the_optional_phone_reaches_the_server(kiosk, client):
    kiosk.p.choose_queue("G")
    kiosk.type(YOUNG)
    assert kiosk.s.focus is Field.ID
    kiosk.p.focus(Field.PHONE)
    kiosk.type("13812345678")
    kiosk.p.take_number()
    ticket_id = kiosk.s.ticket["id"]
    staff = client.get(f"/api/v1/tickets/{ticket_id}", headers=login(client, "supervisor"))
    assert staff.json()["phone_masked"] == "138****5678"
    assert kiosk.s.ticket["sms"] is True  # the ticket page says 已开启短信提醒


def test_the_keypad_only_takes_what_the_field_accepts(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.type("11a0x")
    assert kiosk.s.entry(Field.ID) == "110X"
    kiosk.type("1" * 30)
    assert len(kiosk.s.entry(Field.ID)) == 18
    kiosk.p.delete_key()
    assert len(kiosk.s.entry(Field.ID)) == 17
    kiosk.p.clear_field()
    assert kiosk.s.entry(Field.ID) == ""
    kiosk.p.focus(Field.PHONE)
    kiosk.type("138-abc")
    assert kiosk.s.entry(Field.PHONE) == "138"


def test_a_bad_card_read_is_explained_and_fills_nothing(kiosk):
    kiosk.p.choose_queue("A")
    kiosk.p.card_read("王五", "110105199001011230")
    assert kiosk.s.entry(Field.ID) == "" and kiosk.s.message.error
    assert "校验位" in kiosk.s.message.text


def test_a_card_on_the_home_page_is_ignored(kiosk):
    kiosk.p.card_read("张三丰", OLD)
    assert kiosk.s.entries == {} and kiosk.s.name is None
