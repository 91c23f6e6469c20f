import tomllib

import pytest

from server.config import DEMO_HALL_FILE
from server.hallfile import load_hall_file, parse_hall
from server.tomlreader import ConfigError


def demo_data() -> dict:
    return tomllib.loads(DEMO_HALL_FILE.read_text(encoding="utf-8"))


def test_the_demo_hall_matches_design_section_8():
    spec = load_hall_file(DEMO_HALL_FILE)
    assert spec.code == "demo" and spec.name == "示例市政务服务中心"
    queues = {q.code: q for q in spec.queues}
    assert set(queues) == set("ACZDFBGJRYTPQ")
    windows = {w.code: w for w in spec.windows}
    assert [f"S{i:02d}" for i in range(1, 27)] == list(windows)
    assert all(windows[f"S{i:02d}"].queues == ("A",) for i in range(1, 9))
    assert windows["S13"].queues == windows["S15"].queues == ("B",)
    assert [qs for _, qs in windows["S26"].schedule] == [("A",), ("B",)]
    assert all(q.green_channel for q in queues.values())
    assert {
        (q.requeue.after, q.requeue.max_times, q.requeue.within_minutes) for q in queues.values()
    } == {(3, 2, 60)}
    assert len(spec.matters) >= 38
    users = {u.username for u in spec.users}
    assert {f"clerk{i:02d}" for i in range(1, 27)} | {"supervisor", "admin"} <= users
    tokens = {d.kind: d.token for d in spec.devices}
    assert tokens["kiosk"] == "demo-kiosk" and tokens["display"] == "demo-display"
    assert tokens["evaluator"] == "demo-evaluator"


def test_the_demo_guide_tree_is_three_levels_deep_with_online_leaves():
    spec = load_hall_file(DEMO_HALL_FILE)

    def depth(node):
        return 1 + max((depth(c) for c in node.get("options", [])), default=0)

    def leaves(node):
        if "options" not in node:
            yield node
        for c in node.get("options", []):
            yield from leaves(c)

    assert max(depth(n) for n in spec.guide) == 3
    all_leaves = [leaf for n in spec.guide for leaf in leaves(n)]
    assert any("online" in leaf for leaf in all_leaves)
    bdc = next(n for n in spec.guide if n["label"] == "不动产")
    sale = next(o for o in bdc["options"] if o["label"] == "买卖过户")
    assert sale["options"][0]["matter"] == "bdc-mmgh"


@pytest.mark.parametrize(
    "mutate, key, problem",
    [
        (lambda d: d["queues"][0].update(colour="red"), "queues[0].colour", "unknown key"),
        (lambda d: d["queues"][1].update(prefix="A"), "queues", "duplicate prefix"),
        (lambda d: d["windows"][0].update(queues=["NOPE"]), "windows[0].queues", "unknown"),
        (lambda d: d["queues"][0].update(daily_cap=-1), "queues[0].daily_cap", "between"),
        (lambda d: d["hall"].update(timezone="Mars/Base"), "hall.timezone", "unknown timezone"),
        (lambda d: d["queues"][0].update(hours=["12:00-09:00"]), "queues[0].hours", "ends"),
        (lambda d: d["matters"][0].pop("queue"), "matters[0].queue", "required"),
    ],
)
def test_a_broken_hall_file_names_the_file_the_key_and_the_problem(mutate, key, problem):
    data = demo_data()
    mutate(data)
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "halls/test.toml")
    assert err.value.file == "halls/test.toml"
    assert err.value.key == key
    assert problem in err.value.problem


def test_a_missing_or_unparsable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load_hall_file(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[hall\ncode=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_hall_file(bad)


def test_holidays_are_dates_and_anything_else_is_refused():
    data = demo_data()
    data["hall"]["holidays"] = ["2026-10-02", "2026-10-01"]
    assert parse_hall(data, "h.toml").settings["holidays"] == ["2026-10-01", "2026-10-02"]
    data["hall"]["holidays"] = ["National Day"]
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "h.toml")
    assert err.value.key == "hall.holidays"


@pytest.mark.parametrize(
    ("workdays", "problem"),
    [
        (["2026-10-12"], "2026-10-12 is a weekday"),  # a Monday
        (["2026-10-10"], "2026-10-10 is also listed in holidays"),
        (["10月10日"], "is not a date"),
    ],
)
def test_make_up_working_days_are_weekend_dates_that_are_not_holidays(workdays, problem):
    data = demo_data()
    data["hall"]["holidays"] = ["2026-10-01", "2026-10-10"]
    data["hall"]["workdays"] = ["2026-10-11", "2026-09-27"]  # 调休: two Sundays
    assert parse_hall(data, "h.toml").settings["workdays"] == ["2026-09-27", "2026-10-11"]
    data["hall"]["workdays"] = workdays
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "h.toml")
    assert err.value.key == "hall.workdays" and problem in err.value.problem


def test_rating_reasons_and_the_unrated_threshold_have_defaults_and_are_checked():
    data = demo_data()
    settings = parse_hall(data, "h.toml").settings
    assert settings["rating_reasons"][:2] == ["等候时间长", "服务态度差"]
    assert settings["unrated_rate_threshold"] == 0.15
    del data["hall"]["rating_reasons"], data["hall"]["unrated_rate_threshold"]
    settings = parse_hall(data, "h.toml").settings
    assert settings["rating_reasons"] == [
        "等候时间长",
        "服务态度差",
        "一次性告知不清",
        "办事效率低",
        "系统故障",
    ]
    assert settings["unrated_rate_threshold"] == 0.2
    for key, value, problem in (
        ("rating_reasons", ["等候时间长", "等候时间长"], "must not repeat"),
        ("rating_reasons", [""], "non-empty strings"),
        ("rating_reasons", ["一" * 21], "1 to 20 characters"),
        ("rating_reasons", "等候时间长", "must be a list of strings"),
        ("unrated_rate_threshold", 20, "between 0 and 1"),
    ):
        broken = demo_data()
        broken["hall"][key] = value
        with pytest.raises(ConfigError) as err:
            parse_hall(broken, "h.toml")
        assert err.value.key == f"hall.{key}" and problem in err.value.problem, err.value


def test_a_staff_number_is_optional_and_plain():
    data = demo_data()
    users = {u.username: u for u in parse_hall(data, "h.toml").users}
    assert users["clerk01"].staff_no == "ZW0101" and users["supervisor"].staff_no is None
    data["users"][0]["staff_no"] = "ZW 01<b>"
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "h.toml")
    assert err.value.key == "users[0].staff_no"


def test_the_transfer_fallback_is_ten_minutes_unless_the_hall_file_says_otherwise():
    data = demo_data()
    assert parse_hall(data, "h.toml").settings["transfer_fallback_minutes"] == 10
    data["hall"]["transfer_fallback_minutes"] = 25
    assert parse_hall(data, "h.toml").settings["transfer_fallback_minutes"] == 25
    data["hall"]["transfer_fallback_minutes"] = 0
    with pytest.raises(ConfigError) as err:
        parse_hall(data, "h.toml")
    assert err.value.key == "hall.transfer_fallback_minutes"
