"""The station file and the command line."""

from __future__ import annotations

import pytest

from kiosk.__main__ import main
from kiosk.config import KioskConfigError, config_from_dict, demo_config, load_config

STATION = """
[server]
url = "http://10.0.0.5:8000"
token = "a-long-secret-token"
hall = "city"
device_id = "kiosk-2"

[printer]
profile = "xprinter-xp58"
url = "/dev/usb/lp0"

[idcard]
profile = "ga467-sam-reader"
url = "/dev/ttyUSB1"

[screen]
width = 1080
height = 1920
fullscreen = true

[behaviour]
idle_timeout_s = 45
ticket_timeout_s = 15
green_age = 65
home_queues = ["A", "B"]
"""


def test_a_station_file_sets_everything(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(STATION, encoding="utf-8")
    cfg = load_config(path)
    assert (cfg.server_url, cfg.hall, cfg.device_id) == ("http://10.0.0.5:8000", "city", "kiosk-2")
    assert (cfg.printer_profile, cfg.printer_url) == ("xprinter-xp58", "/dev/usb/lp0")
    assert (cfg.width, cfg.height, cfg.idle_timeout_s) == (1080, 1920, 45)
    assert cfg.home_queues == ("A", "B")
    assert (cfg.printer_device, cfg.idcard_device) == ("kiosk-2.printer", "kiosk-2.idcard")


SERVER = {"server": {"url": "http://x", "token": "t"}}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"server": {"url": "http://x", "token": "t", "idle_timout_s": 3}}, "unknown key"),
        ({"server": {"url": "http://x", "token": "t"}, "sound": {}}, "sound: unknown table"),
        ({"server": {"url": "http://x"}}, "server.token: is required"),
        ({"server": {"url": "http://x", "token": "t"}, "screen": {"width": True}}, "wrong type"),
        (
            {"server": {"url": "http://x", "token": "t"}, "behaviour": {"idle_timeout_s": 1}},
            "between",
        ),
        (
            {"server": {"url": "http://x", "token": "t"}, "behaviour": {"language": "fr"}},
            "zh or en",
        ),
    ],
)
def test_mistakes_in_the_station_file_are_named(data, problem):
    with pytest.raises(KioskConfigError, match=problem):
        config_from_dict(data)


def test_the_demo_kiosk_uses_the_demo_token_and_simulated_devices():
    cfg = demo_config("http://127.0.0.1:8000")
    assert (cfg.token, cfg.device_id, cfg.hall) == ("demo-kiosk", "kiosk-1", "demo")
    assert cfg.printer_url == "sim://xprinter-xp80c?name=kiosk-1"
    assert cfg.idcard_url.startswith("sim://") and not cfg.fullscreen


def test_the_command_needs_a_config_or_the_demo(capsys):
    assert main([]) == 2
    assert "--config" in capsys.readouterr().err


def test_an_unreadable_station_file_is_reported(tmp_path, capsys):
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err
