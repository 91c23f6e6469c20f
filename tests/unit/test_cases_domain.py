"""The case state machine (pure) and the hall-file keys of cases."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from server.domain.cases import (
    TRANSITIONS,
    Case,
    CaseKind,
    CaseState,
    Step,
    apply_step,
    format_case_no,
)
from server.domain.errors import Conflict, Invalid
from server.hallfile import parse_hall
from server.tomlreader import ConfigError
from tests.unit.test_hallfile import demo_data

AT = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
DETAIL = {"opinion": "意见", "tracking_no": "SF1"}


def case(state: CaseState = CaseState.OPENED) -> Case:
    return Case("demo", "DEMO-1", None, "m", "bdc", CaseKind.PROMISED, 5, "张*", None, None,
                state, AT)  # fmt: skip


@pytest.mark.parametrize("state, step", list(itertools.product(CaseState, Step)))
def test_every_step_either_follows_the_table_or_is_out_of_order(state, step):
    target = TRANSITIONS.get((state, step))
    if target is None:
        with pytest.raises(Conflict) as err:
            apply_step(case(state), step, AT, DETAIL)
        assert err.value.code == "case_step_out_of_order"
    else:
        assert apply_step(case(state), step, AT, DETAIL).state is target


def test_a_case_is_timed_at_each_step_and_remembers_the_decision():
    later = [AT + dt.timedelta(hours=h) for h in range(1, 5)]
    c = apply_step(case(), Step.HAND_OVER, later[0], {})
    c = apply_step(c, Step.SIGN, later[1], {})
    c = apply_step(c, Step.DENY, later[2], {"opinion": "不符合条件"})
    c = apply_step(c, Step.MAIL, later[3], {"tracking_no": "EMS123"})
    assert (c.handed_at, c.signed_at, c.decided_at, c.delivered_at) == tuple(later)
    assert c.decision == "deny" and c.note == "不符合条件" and c.tracking_no == "EMS123"
    assert c.state is CaseState.DELIVERED and c.delivery == "mail"


def test_a_step_before_the_case_was_opened_is_refused():
    with pytest.raises(Invalid):
        apply_step(case(), Step.SIGN, AT - dt.timedelta(minutes=1), {})


def test_the_hall_numbers_cases_in_its_format():
    assert format_case_no("{hall}{date:%Y%m%d}{seq:04d}", "demo", dt.date(2026, 12, 3), 7) == (
        "DEMO202612030007"
    )


def test_the_demo_hall_declares_departments_kinds_limits_and_a_delivery_queue():
    spec = parse_hall(demo_data(), "demo.toml")
    cases = spec.settings["cases"]
    assert cases["departments"]["bdc"] == "不动产登记中心"
    assert cases["matters"]["bdc-mmgh"] == {"department": "bdc", "kind": "promised",
                                            "limit_days": 5}  # fmt: skip
    assert cases["matters"]["gt-dj"]["kind"] == "instant"
    assert cases["users"] == {"dept-bdc": ["bdc"], "dept-scjg": ["scjg"]}
    assert next(q for q in spec.queues if q.code == "C").kind.value == "delivery"


@pytest.mark.parametrize(
    "mutate, key, problem",
    [
        (lambda d: d["matters"][0].update(kind="someday"), "matters[0].kind", "must be one of"),
        (lambda d: d["matters"][0].update(kind="instant", limit_days=3), "matters[0].limit_days",
         "instant"),
        (lambda d: d["departments"][1].update(id="scjg"), "departments[1].id", "duplicate"),
        (lambda d: next(u for u in d["users"] if u["username"] == "dept-bdc").update(
            departments=["nope"]), "departments", "unknown department"),
        (lambda d: d["users"][0].update(departments=["bdc"]), "users[0].departments",
         "only users of role department"),
        (lambda d: d["hall"].update(case_no_format="{nope}"), "hall.case_no_format", "fields"),
    ],
)  # fmt: skip
def test_bad_case_keys_name_the_key_and_the_problem(mutate, key, problem):
    data = demo_data()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "halls/test.toml")
    assert err.value.key.endswith(key) and problem in err.value.problem
