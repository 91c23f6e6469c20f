"""Window signs on a bus: calls never wait, dead signs are marked, several signs share a port."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from drivers.led import Bus, WindowSign, call_lines, open_sign
from drivers.profiles import Profile, load_profile
from drivers.sim import get_simulator
from drivers.sim.serve import SimServer
from drivers.sim.sign import SignSimulator


@pytest.fixture(autouse=True)
def stop_buses() -> Iterator[None]:
    yield
    Bus.close_all()


def sim_at(url: str) -> SignSimulator:
    sim = get_simulator(url)
    assert isinstance(sim, SignSimulator)
    return sim


def quick_sign(url: str, address: int, profile_id: str = "cpower") -> WindowSign:
    """A sign whose acknowledgement timeout is short, so dead-sign tests stay fast."""
    profile = load_profile(profile_id)
    fast = dataclasses.replace(profile.sign_spec, ack_timeout_ms=40)
    return WindowSign(dataclasses.replace(profile, sign=fast), Bus.for_url(url), address)


def test_a_call_appears_on_the_sign_and_it_acknowledges() -> None:
    sign = open_sign("cpower", "sim://cpower?name=s1")
    sign.show_call("A012", "S03")
    assert sign.bus.wait_idle()
    assert sim_at("sim://cpower?name=s1").screen == "请 A012 号\n到 S03 窗口"
    assert sign.health().state == "ok" and sign.health().ok


def test_call_text_adapts_to_the_sign_size() -> None:
    assert call_lines("A012", "S03", 2, 12) == ("请 A012 号", "到 S03 窗口")
    assert call_lines("A012", "S03", 2, 8) == ("A012", "S03窗口")
    assert call_lines("A012", "S03", 1, 20) == ("请A012号到S03窗口",)
    assert call_lines("A012", "S03", 1, 16) == ("A012→S03",)


def test_signs_at_different_addresses_share_one_port() -> None:
    url = "sim://onbon-bx6?name=hall"
    sim = sim_at(url)
    sim.set_addresses({1, 2, 3})
    signs = {a: open_sign("onbon-bx6", url, a) for a in (1, 2, 3)}
    assert len({id(s.bus) for s in signs.values()}) == 1
    signs[1].show_call("A012", "S01")
    signs[3].show_text(["暂停服务"])
    assert signs[1].bus.wait_idle()
    assert sim.screen_of(1) == "请 A012 号\n到 S01 窗口"
    assert sim.screen_of(2) == "" and sim.screen_of(3) == "暂停服务"


def test_a_sign_that_stops_answering_is_marked_unhealthy_without_blocking_the_caller() -> None:
    url = "sim://cpower?name=dead"
    sim = sim_at(url)
    sim.set_addresses({1, 2})
    dead, alive = quick_sign(url, 1), quick_sign(url, 2)
    dead.show_call("A001", "S01")
    assert dead.bus.wait_idle() and dead.health().state == "ok"
    sim.set_addresses({2})  # sign 1 loses power
    started = time.monotonic()
    for n in range(20):
        dead.show_call(f"A{n:03d}", "S01")
        alive.show_call(f"B{n:03d}", "S02")
    assert time.monotonic() - started < 0.05  # the caller never waits for the bus
    assert dead.bus.wait_idle()
    assert dead.health().state == "no_reply" and not dead.health().ok
    assert dead.health().failures >= 1
    assert sim.screen_of(2) == "请 B019 号\n到 S02 窗口"  # the newest call, the others coalesced


def test_an_unhealthy_sign_gets_one_attempt_per_frame_not_all_retries() -> None:
    url = "sim://cpower?name=once"
    sim = sim_at(url)
    sign = quick_sign(url, 5)  # nobody at address 5
    sign.show_call("A001", "S01")
    assert sign.bus.wait_idle()
    first = len(sim.received)  # 1 + retries attempts
    sign.show_call("A002", "S01")
    assert sign.bus.wait_idle()
    assert len(sim.received) - first == first // (1 + sign.spec.retries)


def test_a_sign_that_comes_back_is_healthy_again() -> None:
    url = "sim://cpower?name=back"
    sim = sim_at(url)
    sign = quick_sign(url, 1)
    sim.set_silent()
    sign.show_call("A001", "S01")
    assert sign.bus.wait_idle() and sign.health().state == "no_reply"
    sim.set_silent(False)
    sign.show_call("A002", "S01")
    assert sign.bus.wait_idle() and sign.health().state == "ok"
    assert sim.screen == "请 A002 号\n到 S01 窗口"


def test_replies_with_a_bad_checksum_do_not_count_as_acknowledgements() -> None:
    url = "sim://onbon-bx5?name=noisy"
    sim = sim_at(url)
    sign = quick_sign(url, 1, "onbon-bx5")
    sim.set_corrupt_replies()
    sign.show_text(["A012"])
    assert sign.bus.wait_idle()
    assert sign.health().state == "no_reply" and sim.screen == "A012"


def test_an_unplugged_bus_is_offline() -> None:
    url = "sim://cpower?name=unplugged"
    sim_at(url).set_connected(False)
    sign = quick_sign(url, 1)
    sign.show_idle()
    assert sign.bus.wait_idle()
    assert sign.health().state == "offline"


def test_a_strip_that_never_answers_is_unconfirmed_not_failed() -> None:
    sign = open_sign("plain-rs485-strip", "sim://plain-rs485-strip")
    sign.show_call("A012", "S03")
    sign.check()  # no ping on this model: the line is only opened
    assert sign.bus.wait_idle()
    assert sign.health().state == "unconfirmed" and sign.health().ok
    assert sim_at("sim://plain-rs485-strip").screen == "A012→S03"


def test_checking_a_strip_on_a_dead_port_says_offline() -> None:
    sign = open_sign("plain-rs485-strip", "socket://127.0.0.1:9")
    assert sign.health().state == "unknown"
    sign.check()
    assert sign.bus.wait_idle() and sign.health().state == "offline"
    sign.bus.close()


def test_a_ping_learns_the_health_of_an_idle_sign() -> None:
    sign = open_sign("onbon-bx5", "sim://onbon-bx5?name=ping")
    assert sign.health().state == "unknown"
    sign.check()
    assert sign.bus.wait_idle() and sign.health().state == "ok"


def test_broadcast_reaches_every_sign_and_expects_no_answer() -> None:
    url = "sim://cpower?name=group"
    sim = sim_at(url)
    sim.set_addresses({1, 2})
    open_sign("cpower", url, 0xFF).show_text(["暂停服务"])
    assert Bus.for_url(url).wait_idle()
    assert sim.screen_of(1) == sim.screen_of(2) == "暂停服务"
    assert sim.pending_output() == b""


def test_clear_blanks_the_sign() -> None:
    sign = open_sign("cpower", "sim://cpower?name=clear")
    sign.show_call("A012", "S03")
    sign.clear()
    assert sign.bus.wait_idle() and sim_at("sim://cpower?name=clear").screen == ""


def test_a_sign_over_tcp_uses_the_socket_transport() -> None:
    sim = sim_at("sim://onbon-bx6?name=tcp")
    server = SimServer(sim)
    try:
        sign = open_sign("onbon-bx6", server.url)
        sign.show_call("A012", "S03")
        assert sign.bus.wait_idle() and sign.health().state == "ok"
        assert sim.screen == "请 A012 号\n到 S03 窗口"
    finally:
        Bus.close_all()
        server.close()


def test_the_sign_simulator_draws_its_screen(tmp_path) -> None:
    sign = open_sign("cpower", "sim://cpower?name=png")
    sign.show_call("A012", "S03")
    assert sign.bus.wait_idle()
    path = sim_at("sim://cpower?name=png").render_png(tmp_path / "sign.png")
    from PIL import Image

    image = Image.open(path)
    assert image.size == (96 * 8, 32 * 8)
    red = sum(
        1
        for x in range(0, image.width, 8)
        for y in range(0, image.height, 8)
        if image.getpixel((x + 4, y + 4))[0] > 200
    )
    assert 150 < red < 1500  # lit LEDs that form text, not a blank or full board


def _with_tcp_port(profile_id: str, port: int) -> Profile:
    """The profile as if the card's own network port were `port` (a free local port)."""
    profile = load_profile(profile_id)
    return dataclasses.replace(
        profile, transport=dataclasses.replace(profile.transport, tcp_port=port)
    )


def test_a_cpower_card_on_its_own_tcp_port_gets_network_packets_and_answers() -> None:
    # ExternalCallsCommunicationProtocol.md §2.2: ID code, length, 00 00, packet; no A5/AE
    sim = sim_at("sim://cpower?name=net&framing=network")
    server = SimServer(sim)
    try:
        sign = WindowSign(_with_tcp_port("cpower", server.port), Bus.for_url(server.url), 1)
        sign.show_call("A012", "S03")
        assert sign.bus.wait_idle() and sign.health().state == "ok"
        assert sim.screen == "请 A012 号\n到 S03 窗口"
        assert sim.received[:8] == bytes.fromhex("ff ff ff ff") + sim.received[4:6] + b"\0\0"
        assert sim.received[8] == 0x68 and sim.errors == 0
    finally:
        Bus.close_all()
        server.close()


def test_a_serial_to_tcp_converter_passes_the_serial_packets() -> None:
    sim = sim_at("sim://cpower?name=converter")
    server = SimServer(sim)
    try:
        sign = open_sign("cpower", server.url)  # any port but the card's 5200
        sign.show_call("A012", "S03")
        assert sign.bus.wait_idle() and sign.health().state == "ok"
        assert sim.received[:2] == b"\xa5\x68" and sim.received[-1] == 0xAE
    finally:
        Bus.close_all()
        server.close()


@pytest.mark.parametrize("framing", ["serial", "network"])
def test_a_card_with_app_3_2_answers_68_and_the_call_is_confirmed_at_once(framing: str) -> None:
    # §2.1.2: app 3.2 and older reply with packet type 68; before, every call went out three
    # times and the sign was reported 屏幕无应答
    url = f"sim://cpower?name=old-{framing}&framing={framing}&firmware=3.2"
    sim = sim_at(url)
    sign = open_sign("cpower", url)
    sign.show_call("A012", "S03")
    assert sign.bus.wait_idle()
    assert sign.health().state == "ok"
    assert len(sim.frames) == 1  # no retries
    reply = sim.codec.encode_reply(sim.frames[0])
    assert (reply[1] if framing == "serial" else reply[8]) == 0x68


def test_an_echoing_rs485_adapter_does_not_confirm_a_call_to_an_old_card() -> None:
    url = "sim://cpower?name=echo&firmware=3.2"
    sim = sim_at(url)
    sim.set_echo()
    sim.set_silent()  # the card is dead: only the echo comes back, with packet type 68
    sign = quick_sign(url, 1)
    sign.show_text(["A012"])
    assert sign.bus.wait_idle()
    assert sign.health().state == "no_reply"
    sim.set_silent(False)  # alive again: echo first, then its 68 reply
    sign.show_text(["A013"])
    assert sign.bus.wait_idle()
    assert sign.health().state == "ok"
