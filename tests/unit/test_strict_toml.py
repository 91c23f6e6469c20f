"""The one strict TOML reader behind hall files, firmware profiles and station files."""

from __future__ import annotations

from pathlib import Path

import pytest

from caller.config import ConfigError as CallerConfigError
from display.config import DisplayConfigError
from drivers.profiles import ProfileError
from drivers.strict_toml import Table, TomlFileError, read_toml
from kiosk.config import KioskConfigError
from server.tomlreader import ConfigError


@pytest.mark.parametrize(
    "error", [ConfigError, ProfileError, DisplayConfigError, KioskConfigError, CallerConfigError]
)
def test_every_kind_of_file_reports_through_the_one_reader(error):
    assert issubclass(error, TomlFileError)


def test_a_typo_is_refused_naming_the_file_and_the_dotted_key():
    root = Table({"screen": {"widht": 1080}}, "kiosk.toml", error=KioskConfigError)
    screen = root.table("screen")
    assert screen.integer("width", 1920, lo=320, hi=7680) == 1920
    with pytest.raises(KioskConfigError) as err:
        screen.done()
    assert (err.value.file, err.value.key, err.value.problem) == (
        "kiosk.toml",
        "screen.widht",
        "unknown key",
    )


def test_types_and_ranges_are_checked_and_a_boolean_is_not_a_number():
    t = Table({"n": True, "big": 900, "x": 2.5}, "f.toml")
    with pytest.raises(TomlFileError, match="n: has the wrong type"):
        t.integer("n", lo=0, hi=10)
    with pytest.raises(TomlFileError, match="big: must be a whole number between 0 and 10"):
        t.integer("big", lo=0, hi=10)
    assert t.number("x", lo=0, hi=10) == 2.5


def test_errors_in_an_array_of_tables_name_the_element():
    root = Table({"signs": [{"window": "S01"}, {"window": ""}]}, "display.toml")
    signs = root.tables("signs")
    assert signs[0].text("window") == "S01"
    with pytest.raises(TomlFileError, match=r"display\.toml: signs\[1\]\.window: must be a non"):
        signs[1].text("window")


def test_a_missing_or_broken_file_is_named(tmp_path: Path):
    with pytest.raises(ProfileError, match="file not found"):
        read_toml(tmp_path / "none.toml", ProfileError)
    bad = tmp_path / "bad.toml"
    bad.write_text("[x\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"bad\.toml: -: not valid TOML"):
        read_toml(bad, ProfileError)
