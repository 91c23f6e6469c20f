"""LED codecs: the published example frames, round trips, bad checksums and resync."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.checksums import xor8
from drivers.led import CPowerCodec, OnbonCodec, StripCodec, codec_for, cpower, onbon, strip
from drivers.profiles import load_profile

CPOWER = CPowerCodec(load_profile("cpower"))
ONBON = OnbonCodec(load_profile("onbon-bx5"))
STRIP = StripCodec(load_profile("plain-rs485-strip"))


def test_cpower_matches_the_published_power_query_frame() -> None:
    # BasicProtocol.md §1.2.9.1: "For example: a5 68 32 01 76 01 01 13 01 ae"
    assert cpower.frame(1, 0x76, 0x01, b"\x01") == bytes.fromhex("a5 68 32 01 76 01 01 13 01 ae")


def test_cpower_matches_the_published_pure_text_example() -> None:
    # ExternalCallsCommunicationProtocol.md, CC = 0x12, example 2 ("abc" CR "cba", red, 16 px)
    published = bytes.fromhex(
        "A5 68 32 01 7B 01 13 00 00 00 12 00 00 01 00 00 03 02 FF 00 00"
        " 61 62 63 0D 63 62 61 00 9A 04 AE"
    )
    data = cpower.pure_text_data("abc\rcba", encoding="gb2312", align=1, speed=0, stay=3)
    assert cpower.frame(1, 0x7B, 0x01, data) == published
    (frame,) = CPOWER.decoder().feed(published)
    assert frame.command == "text" and frame.lines == ("abc", "cba") and frame.address == 1


def test_cpower_escapes_start_end_and_escape_bytes() -> None:
    assert cpower.escape(b"\xa5\xaa\xae\x01") == b"\xaa\x05\xaa\x0a\xaa\x0e\x01"
    framed = cpower.frame(0xA5, 0x2E, 0x01, b"\xae")
    assert framed.count(0xA5) == 1 and framed.count(0xAE) == 1
    (decoded,) = CPOWER.decoder().feed(framed)
    assert decoded.address == 0xA5 and decoded.command == "ping"


def test_onbon_matches_the_published_ping_and_clear_frames() -> None:
    head = "A5 A5 A5 A5 A5 A5 A5 A5 01 00 00 80 00 00 00 00 00 00 FE 02 05 00"
    assert ONBON.encode_ping(1) == bytes.fromhex(head + " A2 00 01 00 00 68 F8 5A")
    assert ONBON.encode_clear(1) == bytes.fromhex(head + " A3 10 01 00 00 51 F8 5A")


def test_onbon_escapes_and_checks_crc() -> None:
    assert onbon.escape(b"\xa5\xa6\x5a\x5b") == b"\xa6\x02\xa6\x01\x5b\x02\x5b\x01"
    framed = ONBON.encode_text(0x5A, ["A012"])
    assert framed.index(0x5A) == len(framed) - 1  # the only 5A is the end byte
    (frame,) = ONBON.decoder().feed(framed)
    assert (frame.address, frame.lines) == (0x5A, ("A012",))


def test_onbon_text_is_gb2312_with_a_colour_escape() -> None:
    framed = ONBON.encode_text(1, ["请 A012 号"])
    assert "\\C1请 A012 号".encode("gb2312") in onbon.unescape(framed[8:-1])


def test_strip_frame_is_stx_address_command_text_etx_xor() -> None:
    body = b"01TA1\x03"
    assert strip.frame(1, b"T", b"A1") == b"\x02" + body + b"%02X" % xor8(body)
    (frame,) = STRIP.decoder().feed(STRIP.encode_text(7, ["A012→S03"]))
    assert (frame.address, frame.lines) == (7, ("A012→S03",))


def test_a_bad_checksum_is_rejected_and_the_next_frame_still_decodes() -> None:
    for codec in (CPOWER, ONBON, STRIP):
        good = codec.encode_text(2, ["A012"])
        bad = bytearray(codec.encode_text(3, ["B001"]))
        bad[-3] ^= 0x01  # a checksum/CRC byte
        decoder = codec.decoder()
        frames = decoder.feed(bytes(bad) + good)
        assert [f.lines for f in frames] == [("A012",)], codec.protocol
        assert decoder.errors >= 1


def test_garbage_and_cut_frames_are_skipped() -> None:
    for codec in (CPOWER, ONBON, STRIP):
        good = codec.encode_text(4, ["S03"])
        decoder = codec.decoder()
        noise = b"\x00\xff\x13" + good[: len(good) // 2]  # noise, then half a frame
        frames = decoder.feed(noise + good)
        assert [(f.address, f.lines) for f in frames] == [(4, ("S03",))], codec.protocol
        assert decoder.errors >= 1


def test_replies_decode_as_acks_for_the_sign_that_sent_them() -> None:
    for codec in (CPOWER, ONBON, STRIP):
        (request,) = codec.decoder().feed(codec.encode_text(9, ["A012"]))
        (ack,) = codec.decoder().feed(codec.encode_reply(request))
        (nak,) = codec.decoder().feed(codec.encode_reply(request, ok=False))
        assert (ack.reply, ack.ok, ack.address) == (True, True, 9)
        assert (nak.reply, nak.ok) == (True, False)


def test_text_the_font_lacks_and_control_bytes_never_reach_the_sign() -> None:
    (frame,) = CPOWER.decoder().feed(CPOWER.encode_text(1, ["A\x00B𠀀"]))
    assert frame.lines == ("A B\u3000",)


_GB2312_TEXT = st.text(
    alphabet=st.sampled_from(list("请到号窗口办理暂停服务ABCS0123456789 →")), max_size=12
)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["cpower", "onbon-bx5", "onbon-bx6", "plain-rs485-strip"]),
    st.integers(min_value=1, max_value=254),
    st.lists(_GB2312_TEXT.filter(bool), min_size=1, max_size=2),
    st.binary(max_size=8),
    st.integers(min_value=0, max_value=60),
)
def test_any_text_round_trips_through_encode_and_a_split_stream(
    profile_id: str, address: int, lines: list[str], noise: bytes, cut: int
) -> None:
    codec = codec_for(load_profile(profile_id))
    data = codec.encode_text(address, lines)
    decoder = codec.decoder()
    cut = min(cut, len(data))
    frames = decoder.feed(noise) + decoder.feed(data[:cut]) + decoder.feed(data[cut:])
    assert [(f.address, f.lines) for f in frames][-1] == (address, tuple(lines))


@given(st.binary(max_size=64))
def test_escaping_round_trips_for_any_bytes(data: bytes) -> None:
    assert cpower.unescape(cpower.escape(data)) == data
    assert onbon.unescape(onbon.escape(data)) == data


def test_a_false_start_in_noise_does_not_swallow_the_next_frame() -> None:
    codec = codec_for(load_profile("plain-rs485-strip"))
    frames = codec.decoder().feed(b"\x02\x03" + codec.encode_text(7, ["A012"]))
    assert [(f.address, f.lines) for f in frames] == [(7, ("A012",))]
