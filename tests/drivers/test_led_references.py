"""LED frames against the public references (issue 17), one fixture per fact, source named."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.led import CPowerCodec, OnbonCodec, StripCodec, cpower, onbon
from drivers.profiles import load_profile

CPOWER = CPowerCodec(load_profile("cpower"))
CPOWER_NET = CPowerCodec(load_profile("cpower"), network=True)
ONBON_MODELS = ("onbon-bx5", "onbon-bx6")

# arturas88/led-controller-sdk docs/ExternalCallsCommunicationProtocol.md, CC = 0x12, example 2
# ("abc" CR "cba", card 1, window 0, centred, speed 0, stay 3 s, 16 px, red).
SERIAL_EXAMPLE_2 = bytes.fromhex(
    "A5 68 32 01 7B 01 13 00 00 00 12 00 00 01 00 00 03 02 FF 00 00"
    " 61 62 63 0D 63 62 61 00 9A 04 AE"
)
# The same packet in the network format of §2.2.1: ID code (4 bytes, high byte first), network
# data length (2 bytes, from packet type through checksum: here 0x1E), reserved 00 00, then the
# packet from the packet type on, without A5/AE and without transcoding. The document does not
# give the byte order of the length; low byte first is what the same repository's
# src/Communication/NetworkCommunication.php sends (pack('v')). ID code FFFFFFFF here.
NETWORK_EXAMPLE_2 = bytes.fromhex(
    "FF FF FF FF 1E 00 00 00 68 32 01 7B 01 13 00 00 00 12 00 00 01 00 00 03 02 FF 00 00"
    " 61 62 63 0D 63 62 61 00 9A 04"
)


def _onbon_area(frame: bytes) -> bytes:
    """The first area of an A3 06 frame: type, X, Y, W, H …"""
    body = onbon.unescape(frame[8:-1])
    return body[14 + 9 : -2]


# --- item 1: Onbon pixel flag ------------------------------------------------------------


def test_onbon_sets_the_pixel_flag_on_x_and_width_only() -> None:
    # strongercjd/Onbon-Protocol-Analysis Form1.cs, Font_Card_Area_Data_Protocol: X and width
    # carry bit 15 (1 = pixels, 0 = units of 8 pixels); Y and height are plain pixels.
    # BX-5, 64x32, address 1: area type 00 | X 8000 | Y 0000 | W 8040 | H 0020 (LE).
    frame = OnbonCodec(load_profile("onbon-bx5")).encode_text(1, ["A012"])
    assert _onbon_area(frame)[:9] == bytes.fromhex("00 00 80 00 00 40 80 20 00")


def test_onbon_decoder_reads_the_area_as_form1_does() -> None:
    frame = OnbonCodec(load_profile("onbon-bx6")).encode_text(1, ["A012"])
    area = _onbon_area(frame)
    x, y, w, h = (int.from_bytes(area[1 + 2 * i : 3 + 2 * i], "little") for i in range(4))
    assert (x & 0x8000, w & 0x8000) == (0x8000, 0x8000)
    assert (x & 0x7FFF, y, w & 0x7FFF, h) == (0, 0, 128, 32)


# --- item 5: Onbon display mode ------------------------------------------------------------


@pytest.mark.parametrize("profile_id", ONBON_MODELS)
def test_onbon_header_asks_for_dynamic_priority_display_mode(profile_id: str) -> None:
    # Form1.cs Font_Card_Protocol_header_string_init: dst 2, src 2, reserved 3, option 1,
    # checksum mode 1, display mode 1 … so the display mode is body byte 9. Mode 01 (dynamic
    # area has priority over stored programs) is the reading of Onbon's BX-5K/6K
    # protocol (doc.onbonbx.com/zh/k/potocol, whose header table our search tool could not
    # retrieve); Form1.cs names the field only, so the value is marked unverified.
    codec = OnbonCodec(load_profile(profile_id))
    assert onbon.unescape(codec.encode_text(1, ["A012"])[8:-1])[9] == 0x01


# --- item 6 and issue 13 item 6: in-text codes ---------------------------------------------


@pytest.mark.parametrize("profile_id", ONBON_MODELS)
def test_a_backslash_in_free_text_shows_as_text_on_every_onbon_model(profile_id: str) -> None:
    codec = OnbonCodec(load_profile(profile_id))
    frame = codec.encode_text(1, ["\\C2暂停\\F", "a\\b"])
    area = _onbon_area(frame)
    text = area[27 : 27 + int.from_bytes(area[23:27], "little")].decode(codec.spec.encoding)
    assert text.count("\\") == 1 and text.startswith(("\\C1", "\\C2", "\\C3"))  # our colour only
    assert "＼C2暂停＼F" in text and "a＼b" in text
    (decoded,) = codec.decoder().feed(frame)
    assert decoded.lines == ("＼C2暂停＼F", "a＼b")


_CODECS = {
    "cpower": CPOWER,
    "cpower-network": CPOWER_NET,
    "onbon-bx5": OnbonCodec(load_profile("onbon-bx5")),
    "onbon-bx6": OnbonCodec(load_profile("onbon-bx6")),
    "plain-rs485-strip": StripCodec(load_profile("plain-rs485-strip")),
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(_CODECS)), st.text(max_size=20))
def test_any_free_text_reaches_every_sign_as_plain_text(name: str, text: str) -> None:
    codec = _CODECS[name]
    plain = codec.sanitize(text)
    assert not any(seq in plain for seq in codec.control_sequences)
    (frame,) = codec.decoder().feed(codec.encode_text(7, [text]))
    assert frame.address == 7 and "\n".join(frame.lines) == plain


# --- item 2: C-Power framing by transport ---------------------------------------------------


def test_cpower_serial_packet_is_the_published_example() -> None:
    data = cpower.pure_text_data("abc\rcba", encoding="gb2312", align=1, speed=0, stay=3)
    assert CPOWER.packet(1, 0x7B, 0x01, data) == SERIAL_EXAMPLE_2


def test_cpower_network_packet_has_id_code_length_and_no_delimiters() -> None:
    data = cpower.pure_text_data("abc\rcba", encoding="gb2312", align=1, speed=0, stay=3)
    assert CPOWER_NET.packet(1, 0x7B, 0x01, data) == NETWORK_EXAMPLE_2
    (frame,) = CPOWER_NET.decoder().feed(NETWORK_EXAMPLE_2)
    assert (frame.address, frame.command, frame.lines) == (1, "text", ("abc", "cba"))


def test_cpower_network_bytes_are_not_transcoded() -> None:
    # §2.2.1 "The network packet data does not need to do transcoding processing."
    packet = CPOWER_NET.packet(0xA5, 0x2E, 0x01, b"\xae")
    assert packet[8:11] == bytes((0x68, 0x32, 0xA5)) and b"\xaa" not in packet


def test_the_framing_follows_the_transport() -> None:
    profile = load_profile("cpower")
    assert cpower.framing_for("socket://10.1.2.3:5200", profile) == "network"  # card's port
    assert cpower.framing_for("socket://10.1.2.3:4001", profile) == "serial"  # converter
    assert cpower.framing_for("/dev/ttyUSB0", profile) == "serial"
    assert cpower.framing_for("sim://cpower?framing=network", profile) == "network"
    assert cpower.framing_for("sim://cpower", profile) == "serial"


# --- item 3: C-Power replies of firmware 3.2 and older ---------------------------------------


def test_an_old_firmware_reply_with_packet_type_68_is_an_ack() -> None:
    # ExternalCallsCommunicationProtocol.md §2.1.2: "for the app 3.2 or below return 0x68 …
    # you can ignore the highest bit (0x80)". Reply to a 7B/12 send, return value 00.
    old = bytes.fromhex("a5 68 32 01 7b 00 01 00 00 00 12 29 01 ae")
    (frame,) = CPOWER.reply_decoder().feed(old)
    assert (frame.reply, frame.ok, frame.address) == (True, True, 1)
    new = bytes.fromhex("a5 e8 32 01 7b 00 01 00 00 00 12 a9 01 ae")
    (frame,) = CPOWER.reply_decoder().feed(new)
    assert (frame.reply, frame.ok, frame.address) == (True, True, 1)


def test_an_old_firmware_reply_over_the_network_is_an_ack() -> None:
    old = bytes.fromhex("ff ff ff ff 0c 00 00 00 68 32 01 7b 00 01 00 00 00 12 29 01")
    (frame,) = CPOWER_NET.reply_decoder().feed(old)
    assert (frame.reply, frame.ok, frame.address) == (True, True, 1)


def test_the_url_can_name_the_framing_outright() -> None:
    profile = load_profile("cpower")
    assert cpower.framing_for("socket://10.1.2.3:5200?framing=serial", profile) == "serial"
    assert cpower.framing_for("socket://10.1.2.3:6000?framing=network", profile) == "network"
