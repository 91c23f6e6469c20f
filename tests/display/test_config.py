"""The display TOML: what a hall's operator writes, and the mistakes it refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from display.__main__ import demo_config, main
from display.config import DisplayConfigError, load_config, parse_config, parse_hours

EXAMPLE = """
[server]
url = "http://10.0.0.5:8000/"
hall = "demo"
token = "demo-display"

[screen]
areas = ["zh"]
layout = "portrait"
recent = 6

[led]
idle_text = "欢迎光临"

[[led.signs]]
window = "S01"
url = "/dev/ttyUSB0"
profile = "cpower"
address = 1

[[led.signs]]
window = "S13"
url = "socket://10.0.0.31:5005"
profile = "onbon-bx5"

[announcer]
enabled = true
on_conflict = "refuse"
volume = 0.6
hours = ["08:30-12:00", "13:30-17:30"]
max_age_seconds = 90
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "display.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_display_file_reads_as_written(tmp_path):
    cfg = load_config(write(tmp_path, EXAMPLE))
    assert cfg.server.url == "http://10.0.0.5:8000" and cfg.server.token == "demo-display"
    assert cfg.screen.areas == ("zh",) and cfg.screen.layout == "portrait"
    assert [(s.window, s.profile, s.address) for s in cfg.led.signs] == [
        ("S01", "cpower", 1),
        ("S13", "onbon-bx5", 1),
    ]
    a = cfg.announcer
    assert a.enabled and a.on_conflict == "refuse" and a.volume == 0.6
    assert a.max_age_seconds == 90
    assert a.in_hours(dt.datetime(2026, 11, 24, 9, 0)) and not a.in_hours(
        dt.datetime(2026, 11, 24, 12, 30)
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (('layout = "portrait"', 'layout = "sideways"'), "screen.layout: must be one of"),
        (("recent = 6", "recent = 60"), "screen.recent: must be a whole number"),
        (("volume = 0.6", "volume = 2"), "announcer.volume: must be a number"),
        (("max_age_seconds = 90", "max_age_seconds = 1"), "announcer.max_age_seconds"),
        (("08:30-12:00", "12:00-08:30"), "ends before it starts"),
        (("idle_text", "idel_text"), "led.idel_text: unknown key"),
        (('on_conflict = "refuse"', 'on_conflict = "shout"'), "announcer.on_conflict"),
        (('token = "demo-display"', ""), "server.token: is required"),
        (('window = "S13"', 'window = "S01"'), "a window may have one sign only"),
    ],
)
def test_mistakes_are_refused_with_the_key_that_is_wrong(tmp_path, change, problem):
    with pytest.raises(DisplayConfigError) as err:
        load_config(write(tmp_path, EXAMPLE.replace(*change)))
    assert problem in str(err.value) and "display.toml" in str(err.value)


def test_the_token_may_come_from_a_file_kept_out_of_the_config(tmp_path):
    (tmp_path / "token").write_text("tv-secret-123\n", encoding="utf-8")
    cfg = parse_config(
        {"server": {"url": "http://h", "hall": "demo", "token_file": str(tmp_path / "token")}}
    )
    assert cfg.server.token == "tv-secret-123"


def test_hours_may_run_to_midnight():
    ((start, end),) = parse_hours(["18:00-24:00"])
    assert start == dt.time(18, 0) and end == dt.time.max


def test_the_demo_display_has_a_simulated_sign_per_window_and_the_announcer():
    cfg = demo_config("http://127.0.0.1:8000", voice_dir=Path("/tmp/voice"))
    signs = {s.window: s for s in cfg.led.signs}
    assert len(signs) == 26
    assert signs["S01"].url == "sim://cpower?name=S01" and signs["S01"].profile == "cpower"
    assert signs["S13"].url == "sim://onbon-bx5?name=S13"
    assert cfg.server.token == "demo-display" and cfg.announcer.enabled
    assert cfg.announcer.sink in ("aplay", "wav:/tmp/voice/announcements")


def test_the_command_says_what_is_wrong_and_exits_2(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "missing.toml"), "--headless"]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["--headless"]) == 2
