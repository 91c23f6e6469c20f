"""`[hall.notify]`: SMS alert and 暂离 / 延后 keys, templates checked when the file loads."""

from __future__ import annotations

import datetime as dt
import tomllib

import pytest

from server.config import DEMO_HALL_FILE
from server.domain import notify, stepback
from server.domain.layout import Layout
from server.domain.model import Queue, Ticket, TicketStatus
from server.hallfile import parse_hall
from server.tomlreader import ConfigError


def hall_with(notify_table: dict) -> dict:
    data = tomllib.loads(DEMO_HALL_FILE.read_text(encoding="utf-8"))
    data["hall"]["notify"] = notify_table
    return data


def test_the_hall_sets_its_alert_and_step_back_limits_and_texts():
    table = {
        "ahead": 2,
        "phone_tickets": 1,
        "step_back_max": 3,
        "step_back_times": 1,
        "away_max_minutes": 15,
        "templates": {"near": "{hall}提醒：{number} 号前还有 {ahead} 人。"},
    }
    settings = parse_hall(hall_with(table), "h.toml").settings
    rule = notify.rule_from(settings)
    assert (rule.ahead, rule.phone_tickets) == (2, 1)
    assert rule.templates["near"] == "{hall}提醒：{number} 号前还有 {ahead} 人。"
    assert rule.templates["called"] == notify.DEFAULT_TEMPLATES["called"]
    assert stepback.rule_from(settings) == stepback.StepBackRule(3, 1, 15)


def test_without_the_table_the_defaults_hold():
    settings = parse_hall(hall_with({}), "h.toml").settings
    assert notify.rule_from(settings).ahead == 3
    assert stepback.rule_from(settings) == stepback.StepBackRule()


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"templates": {"near": "{number} 号，{phone}"}}, "unknown placeholders"),
        ({"templates": {"later": "x"}}, "unknown"),
        ({"ahaed": 3}, "unknown"),
        ({"step_back_max": 0}, "step_back_max"),
    ],
)
def test_a_bad_notify_table_is_refused_with_the_key_named(table, problem):
    with pytest.raises(ConfigError) as refused:
        parse_hall(hall_with(table), "h.toml")
    assert problem in str(refused.value)


def test_the_no_show_text_says_until_when_in_hall_time_and_where():
    layout = Layout(
        code="h",
        name="示例中心",
        timezone="Asia/Shanghai",
        settings={},
        guide=[],
        areas=(("zh", "综合窗口区"),),
        queues={"A": Queue(code="A", name="综合", prefix="A", area="zh")},
        matters={},
    )
    at = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
    ticket = Ticket(
        id="t", hall="h", business_date=at.date(), queue="A", number="A007", rank=1,
        issued_at=at, status=TicketStatus.NO_SHOW, no_show_at=at, window="S01",
    )  # fmt: skip
    rule = notify.rule_from({})
    text = notify.render(ticket, "no_show", None, layout, rule)
    assert (
        text
        == "示例中心：您的 A007 号已过号。请于 10:30 前到综合窗口区的自助取号机选择【过号取号】。"
    )
    spent = Ticket(**{**ticket.__dict__, "requeue_count": 2})
    assert "请重新取号" in notify.render(spent, "no_show", None, layout, rule)
