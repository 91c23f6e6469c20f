"""`yichuang devices …` and `yichuang voice …`: list, test, simulate devices; speak a call.

server/cli.py forwards `yichuang devices …` as main(["devices", …]); run it directly with
`python -m drivers.cli devices list`.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.errors import DeviceError
from drivers.profiles import ProfileError, list_profiles, load_profile
from drivers.sim import Simulator, get_simulator

if TYPE_CHECKING:
    from drivers.sim.printer import PrinterSimulator
    from drivers.sim.sign import SignSimulator
    from drivers.voice import Engine

Handler = Callable[[argparse.Namespace], int]
_CALL = re.compile(r"^\s*(\S+)\s*(?:→|->|=>)\s*(\S+)\s*$")


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 on success, 1 when a device fails, 2 on a usage error."""
    parser = _parser()
    try:
        ns = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    run: Handler | None = getattr(ns, "run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        return run(ns)
    except DeviceError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except ProfileError as exc:
        print(f"profile error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yichuang", description="YiChuang 一窗 devices and voice")
    top = parser.add_subparsers(metavar="group")
    devices = top.add_parser("devices", help="printers, LED signs, evaluators, ID readers, keypads")
    sub = devices.add_subparsers(metavar="command")
    p = sub.add_parser("list", help="the shipped firmware profiles")
    p.add_argument("--kind", choices=["printer", "led", "evaluator", "idcard", "keypad"])
    p.set_defaults(run=_list)
    p = _device_command(sub, "test-print", "print the standard ticket (or another document)")
    p.add_argument(
        "--doc",
        default="ticket",
        choices=["ticket", "requeued", "green", "accepted", "rejected", "one-time", "advice"],
    )
    p.add_argument("--png", type=Path, help="sim:// only: save the printed receipt as PNG")
    p.add_argument(
        "--no-status",
        action="store_true",
        help="do not ask the printer first (one-way links: file://, a print server)",
    )
    p.set_defaults(run=_test_print)
    p = _device_command(sub, "sign", 'show "A012 → S03" (a call) or lines separated by |')
    p.add_argument("--address", type=int)
    p.add_argument("text")
    p.add_argument("--png", type=Path, help="sim:// only: save the sign's screen as PNG")
    p.set_defaults(run=_sign)
    p = _device_command(sub, "status", "ask a device how it is")
    p.add_argument("--address", type=int)
    p.set_defaults(run=_status)
    p = sub.add_parser("simulate", help="run a simulated device on TCP or a pseudo-terminal")
    p.add_argument("--profile", required=True)
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (default: a free port)")
    p.add_argument("--pty", action="store_true", help="serve on a pseudo-terminal instead")
    p.add_argument("--png-dir", type=Path, help="printers: save each job as PNG here")
    p.add_argument(
        "--framing",
        choices=["serial", "network"],
        help="C-Power: packets of the card's own TCP port or of its serial line "
        "(default: network when listening on the profile's tcp_port)",
    )
    p.add_argument("--firmware", help="C-Power: app version, 3.2 or older answers with 68")
    p.add_argument("--seconds", type=float, default=0, help="stop after this long (0: Ctrl-C)")
    p.set_defaults(run=_simulate)
    _voice_parser(top)
    return parser


def _voice_parser(top: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    voice = top.add_parser("voice", help="announcements")
    vsub = voice.add_subparsers(metavar="command")
    p = vsub.add_parser("say", help="speak a call: voice say A012 S03")
    p.add_argument("number")
    p.add_argument("window")
    p.add_argument("--recall", action="store_true")
    p.add_argument("--out", type=Path, help="write a WAV instead of playing it")
    p.add_argument("--engine", choices=["auto", "clips", "espeak"], default="auto")
    p.add_argument("--clips", type=Path, help="clip folder (default var/voice-clips)")
    p.add_argument("--volume", type=float, default=1.0)
    p.set_defaults(run=_say)
    p = vsub.add_parser("build-clips", help="generate the default clip set with espeak-ng")
    p.add_argument("--out", type=Path)
    p.set_defaults(run=_build_clips)


def _device_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text)
    p.add_argument("--profile", required=True)
    p.add_argument("--url", required=True, help="sim://…, socket://host:port, /dev/ttyUSB0, COM3 …")
    return p


def _list(ns: argparse.Namespace) -> int:
    for profile in list_profiles(ns.kind):
        features = ",".join(name for name, on in profile.features.items() if on) or "-"
        unverified = f"  unverified: {', '.join(profile.unverified)}" if profile.unverified else ""
        print(
            f"{profile.id:24} {profile.kind:9} {profile.vendor} {profile.name}  [{features}]"
            + unverified
        )
    return 0


def _test_print(ns: argparse.Namespace) -> int:
    from drivers.printer import NOTICE_ACCEPTED, NOTICE_ONE_TIME, NOTICE_REJECTED, TicketPrinter
    from drivers.printer.samples import sample_advice, sample_notice, standard_ticket

    printer = TicketPrinter(ns.profile, ns.url, check_status=not ns.no_status)
    if not ns.no_status:
        report = printer.status_report()
        print(f"status: {report.status}" + (f" ({report.detail})" if report.detail else ""))
    notices = {
        "accepted": NOTICE_ACCEPTED,
        "rejected": NOTICE_REJECTED,
        "one-time": NOTICE_ONE_TIME,
    }
    if ns.doc in notices:
        printer.print_notice(sample_notice(notices[ns.doc]))
    elif ns.doc == "advice":
        printer.print_advice(sample_advice())
    else:
        printer.print_ticket(standard_ticket("normal" if ns.doc == "ticket" else ns.doc))
    printer.close()
    print(f"printed {ns.doc} on {ns.profile} at {ns.url}")
    if ns.png:
        print(f"receipt: {_printer_sim(ns.url).render_png(ns.png)}")
    return 0


def _sign(ns: argparse.Namespace) -> int:
    from drivers.led import Bus, open_sign

    sign = open_sign(ns.profile, ns.url, ns.address)
    match = _CALL.match(ns.text)
    if match:
        sign.show_call(match.group(1), match.group(2))
    else:
        sign.show_text(ns.text.split("|"))
    sign.bus.wait_idle(10)
    health = sign.health()
    print(f"sign {ns.profile} @{sign.address}: {health.state} {health.detail}".rstrip())
    if ns.url.startswith("sim://"):
        sim = _sign_sim(ns.url)
        print("screen:\n" + sim.screen_of(sign.address))
        if ns.png:
            print(f"picture: {sim.render_png(ns.png, sign.address)}")
    Bus.close_all()
    return 0 if health.ok else 1


def _status(ns: argparse.Namespace) -> int:
    kind = load_profile(ns.profile).kind
    if kind == "printer":
        from drivers.printer import PrinterStatus, TicketPrinter

        report = TicketPrinter(ns.profile, ns.url).status_report()
        print(f"{report.status}" + (f" ({report.detail})" if report.detail else ""))
        return 0 if report.status in (PrinterStatus.OK, PrinterStatus.PAPER_LOW) else 1
    if kind == "led":
        from drivers.led import Bus, open_sign

        sign = open_sign(ns.profile, ns.url, ns.address)
        sign.check()
        sign.bus.wait_idle(10)
        health = sign.health()
        Bus.close_all()
        print(f"{health.state} {health.detail}".rstrip())
        return 0 if health.ok else 1
    return _status_serial(ns, kind)


def _status_serial(ns: argparse.Namespace, kind: str) -> int:
    if kind == "idcard":
        from drivers.idcard import IdCardReader

        reader = IdCardReader(ns.profile, ns.url)
        card = reader.read_card()
        reader.close()
        print(
            "ok: " + (f"card of {card.name} {card.id_masked}" if card else "no card on the reader")
        )
        return 0
    from drivers.evaluator import Evaluator
    from drivers.keypad import Keypad
    from drivers.serial_link import YcLink

    device = (
        Evaluator(ns.profile, ns.url, ns.address)
        if kind == "evaluator"
        else Keypad(ns.profile, ns.url, ns.address)
    )
    device.ping()
    YcLink.close_all()
    print("ok")
    return 0


def _simulate(ns: argparse.Namespace) -> int:
    from drivers.sim.serve import SimPty, SimServer

    sim = get_simulator(f"sim://{ns.profile}?name=served" + _sim_options(ns))
    if ns.pty:
        pty = SimPty(sim)
        print(f"simulating {ns.profile} on {pty.path}", flush=True)
        closer: Callable[[], None] = pty.close
    else:
        host, _, port = ns.listen.rpartition(":")
        server = SimServer(sim, host or "127.0.0.1", int(port or 0))
        print(f"simulating {ns.profile} on {server.url}", flush=True)
        closer = server.close
    try:
        _serve_until(sim, ns)
    except KeyboardInterrupt:
        pass
    finally:
        closer()
    return 0


def _sim_options(ns: argparse.Namespace) -> str:
    """The sim:// query for `devices simulate`: framing (by the port when not given), firmware."""
    framing = ns.framing
    if framing is None and not ns.pty:
        port = ns.listen.rpartition(":")[2]
        on_card_port = port.isdigit() and int(port) == load_profile(ns.profile).transport.tcp_port
        framing = "network" if on_card_port else None
    options = f"&framing={framing}" if framing else ""
    return options + (f"&firmware={ns.firmware}" if ns.firmware else "")


def _serve_until(sim: Simulator, ns: argparse.Namespace) -> None:
    from drivers.sim.printer import PrinterSimulator

    deadline = time.monotonic() + ns.seconds if ns.seconds else None
    saved = 0
    while deadline is None or time.monotonic() < deadline:
        time.sleep(0.1)
        if ns.png_dir and isinstance(sim, PrinterSimulator):
            while saved < len(sim.jobs) - 1:  # the newest job may still be arriving
                saved += 1
                path = sim.render_png(ns.png_dir / f"job-{saved:04d}.png", job=saved - 1)
                print(f"printed: {path}", flush=True)


def _printer_sim(url: str) -> PrinterSimulator:
    from drivers.sim.printer import PrinterSimulator

    sim = get_simulator(url)
    if not isinstance(sim, PrinterSimulator):
        raise ProfileError(url, "profile", "not a printer")
    return sim


def _sign_sim(url: str) -> SignSimulator:
    from drivers.sim.sign import SignSimulator

    sim = get_simulator(url)
    if not isinstance(sim, SignSimulator):
        raise ProfileError(url, "profile", "not an LED sign")
    return sim


def _say(ns: argparse.Namespace) -> int:
    from drivers.voice import AplaySink, WavFileSink, announcement_text, render_call

    try:
        text = announcement_text(ns.number, ns.window, recall=ns.recall)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    engine = _engine(ns.engine, ns.clips)
    audio = render_call(engine, ns.number, ns.window, recall=ns.recall, volume=ns.volume)
    sink = WavFileSink(ns.out) if ns.out else AplaySink()
    sink.play(audio, text)
    print(f"{text} ({audio.duration:.1f} s)" + (f" -> {ns.out}" if ns.out else ""))
    return 0


def _engine(choice: str, clips: Path | None) -> Engine:
    from drivers.voice import ClipEngine, EspeakEngine, default_clip_dir

    folder = clips or default_clip_dir()
    if choice == "clips" or (choice == "auto" and (folder / "请.wav").is_file()):
        return ClipEngine(folder)
    return EspeakEngine()


def _build_clips(ns: argparse.Namespace) -> int:
    from drivers.voice import build_clips, default_clip_dir

    files = build_clips(ns.out)
    print(f"wrote {len(files)} clips to {ns.out or default_clip_dir()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
