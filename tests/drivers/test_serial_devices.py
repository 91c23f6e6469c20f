"""Evaluators, caller keypads and ID-card readers against their simulators."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.checksums import crc16_arc, crc16_modbus
from drivers.errors import DeviceNotFound, DeviceOffline
from drivers.evaluator import Evaluator, RatingEvent
from drivers.idcard import IdCardReader
from drivers.idcard.ga467 import FIND, READ_BASE, SELECT, Ga467Decoder, request, response
from drivers.keypad import KeyEvent, Keypad
from drivers.led import Bus
from drivers.profiles import load_profile
from drivers.serial_link import YcLink
from drivers.sim import get_simulator
from drivers.sim.idcard import IdCardSimulator
from drivers.sim.serial_devices import INVITE, EvaluatorSimulator, KeypadSimulator
from drivers.sim.serve import SimPty
from drivers.yc485 import YcDecoder, YcFrame, encode

EVAL_URL = "sim://yc485-evaluator?name=hall"
KEYPAD_URL = "sim://yc485-wireless-keypad?name=hall"
CARD_URL = "sim://ga467-sam-reader?name=kiosk"


@pytest.fixture(autouse=True)
def stop_links() -> Iterator[None]:
    yield
    YcLink.close_all()


def evaluator_sim() -> EvaluatorSimulator:
    sim = get_simulator(EVAL_URL)
    assert isinstance(sim, EvaluatorSimulator)
    return sim


# --- YC-485 frames ---------------------------------------------------------------------


def test_checksums_match_the_standard_check_values() -> None:
    # the catalogue check value of each CRC over "123456789"
    assert crc16_modbus(b"123456789") == 0x4B37
    assert crc16_arc(b"123456789") == 0xBB3D


def test_a_yc485_frame_is_header_address_function_length_data_crc() -> None:
    crc = crc16_modbus(b"\x01\x10\x02S3")
    assert encode(1, 0x10, b"S3") == b"\x5a\x01\x10\x02S3" + crc.to_bytes(2, "little")
    with pytest.raises(ValueError):
        encode(1, 0x10, bytes(65))


@given(st.integers(0, 255), st.integers(0, 255), st.binary(max_size=64), st.binary(max_size=10))
def test_yc485_round_trips_after_noise(
    address: int, function: int, data: bytes, noise: bytes
) -> None:
    frames = YcDecoder().feed(noise + encode(address, function, data))
    assert frames[-1] == YcFrame(address, function, data)


def test_yc485_rejects_a_bad_crc_and_finds_the_next_frame() -> None:
    bad = bytearray(encode(1, 0x40, b"\x05A012"))
    bad[-1] ^= 0x01
    decoder = YcDecoder()
    assert decoder.feed(bytes(bad) + encode(2, 0x40, b"\x04")) == [YcFrame(2, 0x40, b"\x04")]
    assert decoder.errors >= 1


# --- evaluator -------------------------------------------------------------------------


def test_an_invited_rating_comes_back_with_the_ticket() -> None:
    sim = evaluator_sim()
    evaluator = Evaluator("yc485-evaluator", EVAL_URL)
    evaluator.request_rating("S03", "A012")
    assert sim.screen == INVITE and sim.pending[1] == ("S03", "A012")
    assert evaluator.poll() == []
    sim.press_rating(5)
    assert evaluator.poll() == [RatingEvent(1, "S03", "A012", 5)]
    assert evaluator.poll() == []  # delivered once
    assert RatingEvent(1, "S03", "A012", 1).label == "非常不满意"


def test_evaluators_of_several_windows_share_a_line() -> None:
    sim = evaluator_sim()
    sim.set_addresses({1, 2})
    first = Evaluator("yc485-evaluator", EVAL_URL, 1)
    second = Evaluator("yc485-evaluator", EVAL_URL, 2)
    first.request_rating("S01", "A001")
    second.request_rating("S02", "B001")
    sim.press_rating(3, address=2)
    assert first.poll() == [] and second.poll() == [RatingEvent(2, "S02", "B001", 3)]


def test_ratings_arrive_through_a_callback_from_the_reader_thread() -> None:
    sim = evaluator_sim()
    got: list[RatingEvent] = []
    arrived = threading.Event()
    evaluator = Evaluator("yc485-evaluator", EVAL_URL)
    evaluator.request_rating("S03", "A012")
    evaluator.on_rating(lambda e: (got.append(e), arrived.set()))
    sim.press_rating(4)
    assert arrived.wait(2)
    assert got == [RatingEvent(1, "S03", "A012", 4)]


def test_a_silent_evaluator_raises_device_offline() -> None:
    evaluator_sim().set_silent()
    with pytest.raises(DeviceOffline, match="无应答"):
        Evaluator("yc485-evaluator", EVAL_URL).request_rating("S03", "A012")


def test_replies_with_a_bad_crc_are_not_acknowledgements() -> None:
    evaluator_sim().set_corrupt_replies()
    with pytest.raises(DeviceOffline):
        Evaluator("yc485-evaluator", EVAL_URL).ping()


def test_cancel_withdraws_the_invitation() -> None:
    sim = evaluator_sim()
    evaluator = Evaluator("yc485-evaluator", EVAL_URL)
    evaluator.request_rating("S03", "A012")
    evaluator.cancel()
    assert sim.screen == "" and 1 not in sim.pending


# --- keypad ----------------------------------------------------------------------------


def keypad_sim() -> KeypadSimulator:
    sim = get_simulator(KEYPAD_URL)
    assert isinstance(sim, KeypadSimulator)
    return sim


def test_keypad_keys_become_caller_actions_from_the_profile() -> None:
    sim = keypad_sim()
    keypad = Keypad("yc485-wireless-keypad", KEYPAD_URL)
    sim.press_key("next")
    sim.press_key("recall")
    sim.press_key("transfer", digits="26")
    sim.press_key(0x7E)  # not in [keys]: ignored, never guessed
    assert keypad.poll() == [
        KeyEvent(1, "next", 0x01),
        KeyEvent(1, "recall", 0x02),
        KeyEvent(1, "transfer", 0x05, "26"),
    ]


def test_keypad_presses_reach_a_callback_and_the_keypad_shows_text() -> None:
    sim = keypad_sim()
    keypad = Keypad("yc485-wireless-keypad", KEYPAD_URL)
    keypad.show("A012")
    assert sim.screens[1] == "A012"
    got: list[KeyEvent] = []
    arrived = threading.Event()
    keypad.on_key(lambda e: (got.append(e), arrived.set()))
    sim.press_key("pause")
    assert arrived.wait(2) and got[0].action == "pause"


# --- ID card reader --------------------------------------------------------------------


def card_reader(url: str = CARD_URL) -> tuple[IdCardReader, IdCardSimulator]:
    sim = get_simulator(CARD_URL)
    assert isinstance(sim, IdCardSimulator)
    reader = IdCardReader("ga467-sam-reader", url)
    reader.spec = dataclasses.replace(reader.spec, reply_timeout_ms=80)
    return reader, sim


def test_ga467_requests_match_the_bytes_public_drivers_send() -> None:
    assert request(FIND) == bytes.fromhex("AA AA AA 96 69 00 03 20 01 22")
    assert request(SELECT) == bytes.fromhex("AA AA AA 96 69 00 03 20 02 21")
    assert request(READ_BASE) == bytes.fromhex("AA AA AA 96 69 00 03 30 01 32")


def test_a_card_is_read_once_per_placement() -> None:
    reader, sim = card_reader()
    assert reader.read_card() is None
    sim.insert_card("张三", "14100219900101029X", gender="1", nation="01")
    card = reader.read_card()
    assert card is not None
    assert (card.name, card.id_number, card.gender) == ("张三", "14100219900101029X", "1")
    assert reader.read_card() is None  # still on the reader, already read
    sim.remove_card()
    sim.insert_card("李四", "110101198001010011")
    card = reader.read_card()
    assert card is not None and card.name == "李四"


def test_a_card_never_shows_its_number_in_logs() -> None:
    reader, sim = card_reader()
    sim.insert_card("张三", "14100219900101029X", address="某省某市某路1号")
    card = reader.read_card()
    assert card is not None
    assert "14100219900101029X" not in repr(card) and "某路" not in repr(card)
    assert card.id_masked == "141002********029X"


def test_a_reader_with_a_broken_check_byte_is_offline() -> None:
    reader, sim = card_reader()
    sim.set_corrupt_replies()
    with pytest.raises(DeviceOffline, match="身份证阅读器无应答"):
        reader.read_card()


@given(st.integers(0, 255), st.binary(max_size=300), st.binary(max_size=12))
def test_ga467_responses_round_trip_after_noise(sw3: int, data: bytes, noise: bytes) -> None:
    frames = Ga467Decoder(responses=True).feed(noise + response(sw3, data))
    assert (frames[-1].head, frames[-1].data) == (bytes((0, 0, sw3)), data)


def test_a_false_start_claiming_a_long_frame_does_not_hold_back_the_real_one() -> None:
    # noise "5A 00" reads as a header asking for 3 data bytes that never come
    assert YcDecoder().feed(b"\x5a\x00" + encode(3, 0x00)) == [YcFrame(3, 0x00, b"")]


def test_ga467_decoder_resyncs_after_garbage() -> None:
    decoder = Ga467Decoder(responses=True)
    frames = decoder.feed(b"\xaa\xaa\x00\x96" + response(0x9F) + b"\x01")
    assert [f.head for f in frames] == [b"\x00\x00\x9f"] and decoder.errors >= 1


def test_a_reader_on_a_serial_device_path_reads_cards_in_the_background() -> None:
    sim = get_simulator(CARD_URL)
    assert isinstance(sim, IdCardSimulator)
    pty = SimPty(sim)
    reader = IdCardReader("ga467-sam-reader", pty.path)
    reader.spec = dataclasses.replace(reader.spec, poll_interval_ms=20)
    seen: list[str] = []
    arrived = threading.Event()
    try:
        reader.on_card(lambda card: (seen.append(card.name), arrived.set()))
        sim.insert_card("王五", "420101199912310023")
        assert arrived.wait(3)
        assert seen == ["王五"]
    finally:
        reader.close()
        pty.close()


def test_a_sign_bus_and_an_evaluator_line_never_share_one_port() -> None:
    url = "socket://127.0.0.1:9?owner-test"
    Bus.for_url(url)
    with pytest.raises(DeviceNotFound) as info:
        YcLink.for_url(load_profile("yc485-evaluator"), url)
    assert "另一类设备" in info.value.message
    Bus.close_all()
    YcLink.for_url(load_profile("yc485-evaluator"), url)  # free again once the bus is gone
    YcLink.close_all()
