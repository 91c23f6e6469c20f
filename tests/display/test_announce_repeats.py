"""Each call is spoken as often as the hall file says (default twice, with a pause between)."""

from __future__ import annotations

import pytest

from display.config import DisplayConfig, ServerConfig
from display.wiring import Display
from drivers.voice import Announcer, RecordingSink, render_call
from server.client import HallClient
from server.config import DEMO_HALL_FILE
from tests.display.test_announcer import ToneEngine


def display_for(client) -> tuple[Display, Announcer]:
    """A display host of the hall with a tone voice (no feed, no lease)."""
    api = HallClient("http://testserver", "demo", "demo-display", transport=client._transport)
    voice = Announcer(ToneEngine(), RecordingSink())
    config = DisplayConfig(server=ServerConfig("http://testserver", "demo", "demo-display"))
    display = Display(config, led=False, announce=False, voice=voice, client=api)
    return display, voice


def seconds(repeats: int, pause: float, recall: bool = False) -> float:
    """How long a call lasts: chime, the words `repeats` times, `pause` between them."""
    engine = ToneEngine()
    words = render_call(engine, "A001", "S01", recall=recall, chime_first=False).duration
    chime = render_call(engine, "A001", "S01", recall=recall).duration - words
    return chime + repeats * words + (repeats - 1) * pause


def test_the_demo_hall_says_each_call_twice_with_a_pause(client):
    settings = client.get("/api/v1/halls/demo", headers={"Authorization": "Bearer demo-display"})
    assert settings.json()["settings"]["announce_repeats"] == 2
    pause = settings.json()["settings"]["announce_pause_s"]
    assert 0.5 <= pause <= 3
    display, voice = display_for(client)
    display.load_layout()
    try:
        assert voice.render("A001", "S01").duration == pytest.approx(seconds(2, pause), abs=0.01)
        recall = voice.render("A001", "S01", recall=True).duration
        assert recall == pytest.approx(seconds(2, pause, recall=True), abs=0.01)
    finally:
        voice.close()


@pytest.fixture
def thrice(make_client, clock, tmp_path):
    """The demo hall, told to say each call three times with 2 s between."""
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    text = text.replace("announce_repeats = 2", "announce_repeats = 3", 1)
    text = text.replace("announce_pause_s = 1.0", "announce_pause_s = 2.0", 1)
    path = tmp_path / "thrice.toml"
    path.write_text(text, encoding="utf-8")
    return make_client(clock, halls=[path])


def test_a_hall_sets_its_own_repeats_and_pause(thrice):
    display, voice = display_for(thrice)
    display.load_layout()
    try:
        assert voice.render("A001", "S01").duration == pytest.approx(seconds(3, 2.0), abs=0.01)
    finally:
        voice.close()


@pytest.mark.parametrize(
    ("line", "problem"),
    [("announce_repeats = 0", "announce_repeats"), ("announce_pause_s = 30", "announce_pause_s")],
)
def test_out_of_range_announce_settings_are_refused(tmp_path, line, problem):
    from server.hallfile import load_hall_file
    from server.tomlreader import ConfigError

    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    key = line.split(" ")[0]
    text = "\n".join(line if row.startswith(f"{key} =") else row for row in text.splitlines())
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        load_hall_file(path)
