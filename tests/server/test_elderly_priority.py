"""长辈优先: the hall file's age rule gives priority on the server, from the ID number."""

from __future__ import annotations

import pytest

from server.config import DEMO_HALL_FILE
from tests.helpers import KIOSK, issue, login, valid_id, window

SEVENTY_TODAY = valid_id("19561124")  # the demo clock's today is 2026-11-24
SIXTY_NINE = valid_id("19561125")


def test_a_citizen_of_seventy_is_called_first_without_asking(client):
    ahead = [issue(client, queue="A") for _ in range(3)]
    elder = issue(client, queue="A", id_number=SEVENTY_TODAY)
    assert elder["priority"] == "green" and elder["priority_reason"] == "长辈优先"
    assert elder["waiting_ahead"] == 0
    younger = issue(client, queue="A", id_number=SIXTY_NINE)
    assert younger["priority"] == "normal" and "priority_reason" not in younger
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    assert window(client, clerk, "S01", "call-next").json()["number"] == elder["number"]
    assert window(client, clerk, "S01", "outcome", outcome="accepted").status_code == 200
    assert window(client, clerk, "S01", "call-next").json()["number"] == ahead[0]["number"]


def test_the_legacy_fifteen_digit_number_counts_and_no_id_gets_no_priority(client):
    assert issue(client, queue="B", id_number="110105500101123")["priority"] == "green"
    assert issue(client, queue="B", applicant_name="张大爷")["priority"] == "normal"


@pytest.fixture
def only_b(make_client, clock, tmp_path):
    """The demo hall whose rule covers queue B only, from 80."""
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    text = text.replace("min_age = 70\n", 'min_age = 80\nqueues = ["B"]\n', 1)
    path = tmp_path / "only-b.toml"
    path.write_text(text, encoding="utf-8")
    return make_client(clock, halls=[path])


def test_a_rule_applies_to_its_queues_and_age_only(only_b):
    octogenarian = valid_id("19400101")
    assert issue(only_b, queue="A", id_number=octogenarian)["priority"] == "normal"
    assert issue(only_b, queue="B", id_number=octogenarian)["priority"] == "green"
    assert issue(only_b, queue="B", id_number=valid_id("19500101"))["priority"] == "normal"


def test_the_rule_is_in_the_hall_layout(client):
    settings = client.get("/api/v1/halls/demo", headers=KIOSK).json()["settings"]
    assert settings["priority_rules"] == [{"min_age": 70, "queues": [], "label": "长辈优先"}]


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ("min_age = 20", "min_age"),
        ('min_age = 70\nqueues = ["NOPE"]', "queues"),
        ("min_age = 70\nage = 3", "age"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_key(tmp_path, rule, problem):
    from server.hallfile import load_hall_file
    from server.tomlreader import ConfigError

    text = DEMO_HALL_FILE.read_text(encoding="utf-8").replace("min_age = 70", rule, 1)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_hall_file(path)
