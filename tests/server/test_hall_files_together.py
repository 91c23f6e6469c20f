"""Several hall files load together only when they agree: no user, device token or hall twice."""

from __future__ import annotations

import logging
import re

import pytest

from server.app import prepare_store
from server.cli import main
from server.config import DEMO_HALL_FILE, Settings
from server.security import hash_password
from server.tomlreader import ConfigError
from tests.server.other_hall import write_other_hall


def _clash(folder, extra: str):
    east = write_other_hall(folder, "east")
    west = write_other_hall(folder, "west")
    west.write_text(west.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return east, west


USER = '[[users]]\nusername = "east-clerk"\nname = "重名"\nrole = "clerk"\npassword_hash = "{h}"\n'


def _user_clash(folder):
    """east and west both list `east-clerk`; no demo secret, so `serve` gets as far as users."""
    hashed = hash_password("not-the-demo-password")
    east, west = _clash(folder, USER.format(h=hashed))
    for path in (east, west):
        text = re.sub(r'password_hash = "[^"]+"', f'password_hash = "{hashed}"', path.read_text())
        path.write_text(text, encoding="utf-8")
    return (east, west), hashed


def test_a_user_name_in_two_hall_files_is_refused_naming_both_files(tmp_path, caplog):
    (east, west), hashed = _user_clash(tmp_path)
    settings = Settings(
        data_dir=tmp_path / "var", database_url=None, hall_files=[east, west], demo=True
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as err:
        prepare_store(settings)
    message = str(err.value)
    assert "east-clerk" in message and str(east) in message and str(west) in message
    assert hashed not in message and hashed not in caplog.text


def test_a_device_token_in_two_hall_files_is_refused(tmp_path):
    extra = '[[devices]]\nid = "kiosk-9"\nkind = "kiosk"\ntoken = "east-kiosk"\n'
    east, west = _clash(tmp_path, extra)
    settings = Settings(
        data_dir=tmp_path / "var", database_url=None, hall_files=[east, west], demo=True
    )
    with pytest.raises(ConfigError) as err:
        prepare_store(settings)
    assert "kiosk-9" in str(err.value) and str(east) in str(err.value)
    assert "east-kiosk" not in str(err.value)  # a token is a secret: named by device, not value


def test_the_same_hall_code_in_two_files_is_refused(tmp_path):
    east = write_other_hall(tmp_path, "east")
    (tmp_path / "copy").mkdir()
    copy = write_other_hall(tmp_path / "copy", "east")
    settings = Settings(
        data_dir=tmp_path / "var", database_url=None, hall_files=[east, copy], demo=True
    )
    with pytest.raises(ConfigError) as err:
        prepare_store(settings)
    assert str(east) in str(err.value) and str(copy) in str(err.value)


def test_serve_says_it_in_one_line_without_a_traceback(tmp_path, capsys):
    (east, west), hashed = _user_clash(tmp_path)
    args = ["serve", "--hall", str(east), "--hall", str(west), "--data-dir", str(tmp_path / "v")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("yichuang: ") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and hashed not in err and "east-clerk" in err


def test_one_hall_file_with_the_demo_hall_still_loads(tmp_path):
    east = write_other_hall(tmp_path, "east")
    settings = Settings(
        data_dir=tmp_path / "var", database_url=None, hall_files=[DEMO_HALL_FILE, east], demo=True
    )
    prepare_store(settings).dispose()
