"""长辈优先: the hall's age rules give priority from the ID number's birth date, on its today."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from server.domain.priority import PriorityRule, automatic_priority, rules_from
from tests.helpers import valid_id

TODAY = dt.date(2026, 11, 24)
RULES = (PriorityRule(70, ("A", "B")),)


def test_a_citizen_turns_seventy_on_the_birthday_itself():
    assert automatic_priority(RULES, "A", valid_id("19561124"), TODAY) == RULES[0]
    assert automatic_priority(RULES, "A", valid_id("19561125"), TODAY) is None
    assert automatic_priority(RULES, "A", valid_id("19300101"), TODAY) == RULES[0]


def test_a_rule_covers_only_its_queues_and_an_empty_list_covers_all():
    old = valid_id("19500101")
    assert automatic_priority(RULES, "G", old, TODAY) is None
    assert automatic_priority((PriorityRule(70),), "G", old, TODAY) == PriorityRule(70)


def test_a_legacy_fifteen_digit_number_counts_too():
    assert automatic_priority(RULES, "B", "110105500101123", TODAY) == RULES[0]


def test_the_first_matching_rule_wins_and_rules_come_from_the_layout():
    rules = rules_from(
        [
            {"min_age": 80, "queues": [], "label": "高龄优先"},
            {"min_age": 70, "queues": ["A"], "label": "长辈优先"},
        ]
    )
    assert automatic_priority(rules, "A", valid_id("19400101"), TODAY).label == "高龄优先"
    assert automatic_priority(rules, "A", valid_id("19500101"), TODAY).label == "长辈优先"
    assert rules_from(None) == ()


@given(st.dates(dt.date(1900, 1, 1), TODAY), st.integers(1, 120))
def test_priority_is_exactly_age_at_least_min_age(born, min_age):
    id_number = valid_id(born.strftime("%Y%m%d"))
    got = automatic_priority((PriorityRule(min_age),), "A", id_number, TODAY)
    age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
    assert (got is not None) == (age >= min_age)
