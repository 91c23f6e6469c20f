"""Every shipped profile loads, drives its simulator, and sends exactly its golden bytes.

Regenerate the goldens after an intended change with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.evaluator import Evaluator
from drivers.idcard import IdCardReader
from drivers.keypad import Keypad
from drivers.led import Bus, call_lines, codec_for, open_sign
from drivers.printer import TicketPrinter, decode, render_advice, render_notice, render_ticket
from drivers.printer.samples import sample_advice, sample_notice, standard_ticket
from drivers.profiles import Profile, list_profiles
from drivers.serial_link import YcLink
from drivers.sim import get_simulator
from tests.drivers.golden import check_golden

GOLDEN = Path(__file__).parent / "golden"
PROFILES = list_profiles()


@pytest.fixture(autouse=True)
def stop_lines() -> Iterator[None]:
    yield
    YcLink.close_all()
    Bus.close_all()


def by_kind(kind: str) -> list[Profile]:
    return [p for p in PROFILES if p.kind == kind]


@pytest.mark.parametrize("profile", by_kind("printer"), ids=lambda p: p.id)
def test_printer_renders_the_standard_ticket_as_its_golden_bytes(profile: Profile) -> None:
    data = render_ticket(standard_ticket(), profile)
    check_golden(GOLDEN / f"{profile.id}.ticket.bin", data)
    assert len(data) <= 2048
    text = decode(data, profile.printer_spec.encoding)
    assert "办理窗口：S01、S02、S03" in text and "证件号码：141002****029X" in text
    assert "办理窗口：S01、S02、S03".encode(profile.printer_spec.encoding) in data


@pytest.mark.parametrize("profile", by_kind("printer"), ids=lambda p: p.id)
def test_printer_prints_every_document_on_its_simulator(profile: Profile) -> None:
    url = f"sim://{profile.id}?name=shipped"
    printer = TicketPrinter(profile.id, url)
    assert printer.status() == "ok"
    printer.print_ticket(standard_ticket("requeued"))
    sim = get_simulator(url)
    assert "过号重排" in sim.text  # type: ignore[attr-defined]
    assert "受理通知书" in decode(render_notice(sample_notice(), profile))
    assert "可全程网办" in decode(render_advice(sample_advice(), profile))


@pytest.mark.parametrize("profile", by_kind("led"), ids=lambda p: p.id)
def test_sign_sends_its_golden_call_frame_and_shows_the_call(profile: Profile) -> None:
    spec = profile.sign_spec
    lines = call_lines("A012", "S03", spec.lines, spec.columns)
    frame = codec_for(profile).encode_text(spec.default_address, lines)
    check_golden(GOLDEN / f"{profile.id}.call.bin", frame)
    url = f"sim://{profile.id}?name=shipped"
    sign = open_sign(profile.id, url)
    sign.show_call("A012", "S03")
    assert sign.bus.wait_idle()
    assert get_simulator(url).screen == "\n".join(lines)  # type: ignore[attr-defined]
    assert sign.health().ok


@pytest.mark.parametrize("profile", by_kind("evaluator"), ids=lambda p: p.id)
def test_evaluator_sends_its_golden_invitation(profile: Profile) -> None:
    url = f"sim://{profile.id}?name=shipped"
    Evaluator(profile.id, url).request_rating("S03", "A012")
    check_golden(GOLDEN / f"{profile.id}.invite.bin", get_simulator(url).received)


@pytest.mark.parametrize("profile", by_kind("keypad"), ids=lambda p: p.id)
def test_keypad_sends_its_golden_display_frame(profile: Profile) -> None:
    url = f"sim://{profile.id}?name=shipped"
    Keypad(profile.id, url).show("A012")
    check_golden(GOLDEN / f"{profile.id}.display.bin", get_simulator(url).received)


@pytest.mark.parametrize("profile", by_kind("idcard"), ids=lambda p: p.id)
def test_id_reader_sends_its_golden_read_sequence(profile: Profile) -> None:
    url = f"sim://{profile.id}?name=shipped"
    sim = get_simulator(url)
    sim.insert_card("张三", "14100219900101029X")  # type: ignore[attr-defined]
    card = IdCardReader(profile.id, url).read_card()
    assert card is not None and card.name == "张三"
    check_golden(GOLDEN / f"{profile.id}.read.bin", sim.received)
