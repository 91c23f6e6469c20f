"""The `yichuang devices …` and `yichuang voice …` commands, called as drivers.cli.main([...])."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.cli import main
from drivers.printer import TicketPrinter, decode
from drivers.printer.samples import standard_ticket
from drivers.sim import get_simulator
from drivers.voice import read_wav


def test_devices_list_shows_every_shipped_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "list"]) == 0
    out = capsys.readouterr().out
    for profile_id in (
        "xprinter-xp58",
        "xprinter-xp80c",
        "snbc-btp-r880np",
        "cpower",
        "onbon-bx5",
        "plain-rs485-strip",
        "yc485-evaluator",
        "ga467-sam-reader",
    ):
        assert profile_id in out
    assert "unverified: media.dpi, media.dots, media.columns" in out  # epson-tm-t82iii
    assert main(["devices", "list", "--kind", "led"]) == 0
    assert "xprinter" not in capsys.readouterr().out


def test_test_print_prints_the_standard_ticket_and_saves_the_receipt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "ticket.png"
    url = "sim://xprinter-xp80c?name=cli"
    assert (
        main(
            [
                "devices",
                "test-print",
                "--profile",
                "xprinter-xp80c",
                "--url",
                url,
                "--png",
                str(png),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "status: ok" in out and png.stat().st_size > 10_000
    assert "A012" in get_simulator(url).text  # type: ignore[attr-defined]


def test_test_print_of_a_notice(capsys: pytest.CaptureFixture[str]) -> None:
    url = "sim://xprinter-xp58?name=cli-notice"
    assert (
        main(
            [
                "devices",
                "test-print",
                "--profile",
                "xprinter-xp58",
                "--url",
                url,
                "--doc",
                "rejected",
            ]
        )
        == 0
    )
    assert "不予受理凭证" in get_simulator(url).text  # type: ignore[attr-defined]


def test_test_print_to_a_file_without_asking_for_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = tmp_path / "job.bin"
    args = ["devices", "test-print", "--profile", "xprinter-xp58", "--url", f"file://{job}"]
    assert main([*args, "--no-status"]) == 0
    assert "status:" not in capsys.readouterr().out
    assert "A012" in decode(job.read_bytes())


def test_test_print_on_an_empty_printer_fails_with_the_chinese_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "sim://xprinter-xp80c?name=cli-out"
    get_simulator(url).set_paper("out")  # type: ignore[attr-defined]
    assert main(["devices", "test-print", "--profile", "xprinter-xp80c", "--url", url]) == 1
    captured = capsys.readouterr()
    assert "status: paper_out" in captured.out and "缺纸" in captured.err


def test_status_reports_printer_and_sign_health(capsys: pytest.CaptureFixture[str]) -> None:
    url = "sim://snbc-btp-r880np?name=cli"
    get_simulator(url).set_cover_open()  # type: ignore[attr-defined]
    assert main(["devices", "status", "--profile", "snbc-btp-r880np", "--url", url]) == 1
    assert "cover_open" in capsys.readouterr().out
    assert main(["devices", "status", "--profile", "onbon-bx5", "--url", "sim://onbon-bx5"]) == 0
    assert capsys.readouterr().out.startswith("ok")


def test_status_of_a_plain_strip_opens_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    strip = ["devices", "status", "--profile", "plain-rs485-strip", "--url"]
    assert main([*strip, "sim://plain-rs485-strip?name=cli"]) == 0
    assert capsys.readouterr().out.startswith("unconfirmed")
    assert main([*strip, "socket://127.0.0.1:9"]) == 1
    assert capsys.readouterr().out.startswith("offline")


def test_status_of_the_small_serial_devices(capsys: pytest.CaptureFixture[str]) -> None:
    for profile in ("yc485-evaluator", "yc485-wireless-keypad", "ga467-sam-reader"):
        assert main(["devices", "status", "--profile", profile, "--url", f"sim://{profile}"]) == 0
    assert "no card" in capsys.readouterr().out


def test_sign_command_shows_a_call_and_draws_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "sign.png"
    assert (
        main(
            [
                "devices",
                "sign",
                "--profile",
                "cpower",
                "--url",
                "sim://cpower?name=cli",
                "A012 → S03",
                "--png",
                str(png),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "请 A012 号\n到 S03 窗口" in out and "ok" in out and png.exists()
    assert (
        main(
            [
                "devices",
                "sign",
                "--profile",
                "cpower",
                "--url",
                "sim://cpower?name=cli",
                "暂停服务|请稍候",
            ]
        )
        == 0
    )
    assert "暂停服务\n请稍候" in capsys.readouterr().out


def test_voice_say_writes_a_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "call.wav"
    assert main(["voice", "say", "A012", "S03", "--engine", "espeak", "--out", str(out)]) == 0
    assert "请 A零一二 号到 S零三 号窗口办理" in capsys.readouterr().out
    assert read_wav(out).duration > 2.5


def test_voice_build_clips_then_say_with_clips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clips = tmp_path / "clips"
    assert main(["voice", "build-clips", "--out", str(clips)]) == 0
    out = tmp_path / "recall.wav"
    assert (
        main(["voice", "say", "B7", "S16", "--recall", "--clips", str(clips), "--out", str(out)])
        == 0
    )
    assert "重呼 请 B七 号到 S一六 号窗口办理" in capsys.readouterr().out
    assert read_wav(out).rate == 22050


def test_usage_errors_return_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "status", "--profile", "nope", "--url", "sim://nope"]) == 2
    assert main(["devices"]) == 2
    assert main(["voice", "say", "A#1", "S01", "--out", "x.wav"]) == 2


def test_simulate_serves_a_printer_on_tcp_that_a_real_client_can_use(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "drivers.cli",
        "devices",
        "simulate",
        "--profile",
        "xprinter-xp80c",
        "--png-dir",
        str(tmp_path),
        "--seconds",
        "20",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            url = re.search(r"socket://\S+", proc.stdout.readline())
            assert url is not None
            printer = TicketPrinter("xprinter-xp80c", url.group(0))
            assert printer.status() == "ok"
            printer.print_ticket(standard_ticket())
            printer.print_bytes(b"\x1b@")  # the next job: the first one is complete
            printer.close()
            assert "printed:" in proc.stdout.readline()
            assert list(tmp_path.glob("job-*.png"))
        finally:
            proc.terminate()


@pytest.mark.parametrize(
    "query",
    ["framing=serial", "framing=network", "firmware=3.2", "framing=network&firmware=3.2"],
)
def test_sign_and_status_work_in_both_cpower_framings_and_with_old_firmware(
    query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sim://cpower?name=cli-{query}&{query}"
    assert main(["devices", "sign", "--profile", "cpower", "--url", url, "A012 → S03"]) == 0
    out = capsys.readouterr().out
    assert "请 A012 号\n到 S03 窗口" in out and ": ok" in out
    assert main(["devices", "status", "--profile", "cpower", "--url", url]) == 0
    assert capsys.readouterr().out.startswith("ok")
    assert len(get_simulator(url).frames) == 2  # type: ignore[attr-defined]  # no retries


def test_simulate_serves_a_cpower_card_on_its_network_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    command = [sys.executable, "-m", "drivers.cli", "devices", "simulate", "--profile", "cpower"]
    command += ["--framing", "network", "--firmware", "3.2", "--seconds", "20"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            found = re.search(r"socket://\S+", proc.stdout.readline())
            assert found is not None
            url = found.group(0) + "?framing=network"  # not 5200, so the URL says it
            assert main(["devices", "sign", "--profile", "cpower", "--url", url, "A012 → S03"]) == 0
            assert ": ok" in capsys.readouterr().out
            assert main(["devices", "status", "--profile", "cpower", "--url", url]) == 0
        finally:
            proc.terminate()
