"""The example station files in docs/examples: each loads through its app's own loader, says
what the docs show inline, names only shipped firmware profiles, and has a systemd unit."""

from __future__ import annotations

import re
import tomllib

import pytest

from caller.config import load as load_caller
from display.config import load_config as load_display
from drivers.profiles import load_profile
from kiosk.config import load_config as load_kiosk
from tests.helpers import ROOT

EXAMPLES = ROOT / "docs" / "examples"
# example file -> (the doc that shows it inline, the heading the block follows)
INLINE = {
    "kiosk.toml": ("kiosk.md", "## The station file"),
    "caller.toml": ("clerk-pad.md", "## The desktop station file"),
    "display.toml": ("displays.md", "## The display file"),
}


def inline_block(doc: str, heading: str) -> dict:
    """The first ```toml block after `heading` in docs/`doc`, parsed."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = re.compile(r"```toml\n(.*?)```", re.S).search(text, text.index(heading))
    assert found, f"no toml block after {heading!r} in {doc}"
    return tomllib.loads(found.group(1))


@pytest.mark.parametrize("name", sorted(INLINE))
def test_each_example_says_what_its_doc_shows_inline(name):
    example = tomllib.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert example == inline_block(*INLINE[name])


def test_the_kiosk_example_loads_with_its_devices():
    cfg = load_kiosk(EXAMPLES / "kiosk.toml")
    assert (cfg.width, cfg.height, cfg.fullscreen) == (1920, 1080, True)
    assert load_profile(cfg.printer_profile).kind == "printer"
    assert cfg.idcard_profile and load_profile(cfg.idcard_profile).kind == "idcard"


def test_the_caller_example_loads_with_its_devices():
    cfg = load_caller(EXAMPLES / "caller.toml")
    assert cfg.window == "S01" and cfg.password is None
    assert cfg.printer and load_profile(cfg.printer.profile).kind == "printer"
    assert cfg.evaluator and load_profile(cfg.evaluator.profile).kind == "evaluator"


def test_the_display_example_loads_with_its_signs():
    cfg = load_display(EXAMPLES / "display.toml")
    assert cfg.screen.enabled and cfg.announcer.enabled
    assert [load_profile(s.profile).kind for s in cfg.led.signs] == ["led"]


@pytest.mark.parametrize("app", ["kiosk", "caller", "display"])
def test_each_station_has_a_systemd_unit_that_reads_its_file(app):
    unit = (ROOT / "docs" / "deploy" / f"yichuang-{app}.service").read_text(encoding="utf-8")
    assert f"yichuang {app} --config /etc/yichuang/{app}.toml" in unit
    assert (EXAMPLES / f"{app}.toml").is_file()
