"""Station files of the desktop pad and the `yichuang caller` command line."""

from __future__ import annotations

import pytest

from caller import config
from caller.__main__ import main
from caller.devices import notice_doc

GOOD = """
[server]
url = "http://10.0.0.5:8000/"
hall = "demo"

[station]
window = "S03"
user = "clerk03"

[printer]
profile = "xprinter-xp80c"
url = "socket://10.0.0.31:9100"

[evaluator]
profile = "yc485-evaluator"
url = "/dev/ttyUSB1"
address = 3
token = "evaluator-secret-1"
"""


def test_a_station_file_names_the_server_window_and_devices(tmp_path):
    path = tmp_path / "station.toml"
    path.write_text(GOOD, encoding="utf-8")
    cfg = config.load(path)
    assert (cfg.server, cfg.hall, cfg.window, cfg.user) == (
        "http://10.0.0.5:8000",
        "demo",
        "S03",
        "clerk03",
    )
    assert cfg.printer == config.DeviceConfig("xprinter-xp80c", "socket://10.0.0.31:9100")
    assert cfg.evaluator == config.DeviceConfig(
        "yc485-evaluator", "/dev/ttyUSB1", "evaluator-secret-1", 3
    )
    assert cfg.password is None  # a password never comes from a file


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[server]\nurl = "http://x"\n', "server.hall: is required"),
        ('[server]\nurl = "http://x"\nhall = "demo"\nport = 1\n', "server.port: unknown key"),
        ('[server]\nurl = "http://x"\nhall = "demo"\n[printr]\n', "printr: unknown table"),
        ('[server]\nurl = "http://x"\nhall = ""\n', "server.hall: must be a non-empty string"),
        ('[server]\nurl = "http://x"\nhall = "d"\n[printer]\nurl = "x"\n', "printer.profile"),
        ("[server\n", "station.toml"),
        (
            '[server]\nurl = "x"\nhall = "d"\n'
            '[evaluator]\nprofile = "p"\nurl = "u"\naddress = 300\n',
            "evaluator.address: must be a whole number between 0 and 255",
        ),
    ],
)
def test_a_wrong_station_file_names_the_key_and_the_problem(tmp_path, text, problem):
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(config.ConfigError, match=problem.replace("[", r"\[")):
        config.load(path)


def test_demo_mode_uses_the_demo_hall_user_and_a_simulated_printer():
    cfg = config.demo("http://127.0.0.1:8000/", user="clerk05", window="S05")
    assert (cfg.hall, cfg.user, cfg.password, cfg.window) == ("demo", "clerk05", "demo1234", "S05")
    assert cfg.printer is not None and cfg.printer.url.startswith("sim://xprinter-xp80c")
    assert cfg.evaluator is not None and cfg.evaluator.token == "demo-evaluator"
    assert cfg.evaluator.url == "sim://yc485-evaluator?name=S05"


def test_the_command_refuses_to_start_without_a_configuration(capsys, tmp_path):
    assert main([]) == 2
    assert "--config FILE" in capsys.readouterr().err
    assert main(["--config", str(tmp_path / "missing.toml")]) == 2


def test_a_notice_becomes_the_printer_drivers_document():
    notice = {
        "kind": "missing",
        "title": "一次性告知书",
        "hall_name": "示例市政务服务中心",
        "serial": "DEMO-GZ-20261124-A001",
        "receipt_body": ["您申请办理的事项尚需补正以下 2 项材料：", "1. 身份证复印件"],
        "progress_url": "http://x/t/1?s=2",
        "fields": [
            {"label": "文书编号", "value": "DEMO-GZ-20261124-A001"},
            {"label": "申请人", "value": "赵六"},
        ],
    }
    doc = notice_doc(notice, dict)
    assert doc["fields"] == [("申请人", "赵六")]
    assert doc["body"] == ["您申请办理的事项尚需补正以下 2 项材料：", "1. 身份证复印件"]
    assert doc["serial"] == "DEMO-GZ-20261124-A001" and doc["qr_url"] == "http://x/t/1?s=2"
