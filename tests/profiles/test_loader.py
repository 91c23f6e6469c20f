"""Profile files: inheritance, strictness (file and key named), bounds, required citations."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drivers.profiles import ProfileError, clear_cache, list_profiles, load_profile, profiles_dir

REPO_PROFILES = Path(__file__).resolve().parents[2] / "firmware_profiles"


@pytest.fixture
def profiles_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of firmware_profiles/ selected through YICHUANG_PROFILES_DIR."""
    root = tmp_path / "profiles"
    shutil.copytree(REPO_PROFILES, root)
    monkeypatch.setenv("YICHUANG_PROFILES_DIR", str(root))
    clear_cache()
    yield root
    clear_cache()


def write(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")


CHILD = 'inherits = "generic-escpos-80"\nvendor = "T"\nname = "Test"\nnotes = "manual p.1"\n'


def test_the_repository_profiles_directory_is_found_next_to_the_package() -> None:
    assert profiles_dir() == REPO_PROFILES


def test_every_required_model_is_shipped() -> None:
    ids = {p.id for p in list_profiles()}
    assert {
        "xprinter-xp58",
        "xprinter-xp80c",
        "gprinter-gp80",
        "snbc-btp-r880np",
        "epson-tm-t88v-sc",
        "epson-tm-t82iii",
        "cpower",
        "onbon-bx5",
        "onbon-bx6",
        "plain-rs485-strip",
    } <= ids
    kinds = {p.kind for p in list_profiles()}
    assert kinds == {"printer", "led", "evaluator", "idcard", "keypad"}


def test_every_profile_cites_its_source_and_id_is_the_file_stem() -> None:
    for profile in list_profiles():
        assert profile.file.stem == profile.id
        assert profile.vendor and profile.name and len(profile.notes) > 40


def test_child_inherits_and_overrides_its_parent() -> None:
    xp58 = load_profile("xprinter-xp58")
    assert xp58.inherits == ("generic-escpos-58", "generic-escpos-80")
    spec = xp58.printer_spec
    assert (spec.dots, spec.columns, spec.dpi) == (384, 32, 203)
    assert [q.name for q in spec.status_queries] == [
        "printer",
        "offline_cause",
        "error_cause",
        "paper",
    ]


def test_capabilities_are_asked_by_name_not_by_model() -> None:
    assert load_profile("xprinter-xp80c").supports("qr_native")
    assert not load_profile("xprinter-xp58").supports("qr_native")
    assert not load_profile("xprinter-xp58").supports("cutter_full")
    assert not load_profile("xprinter-xp80c").supports("no_such_feature")


def test_snbc_reads_paper_status_with_dle_eot_4_and_the_epson_bits() -> None:
    # issue 17 item 7: the BTP-R880NP manual documents DLE EOT 4 (10 04 04) with Epson's bits
    paper = load_profile("snbc-btp-r880np").printer_spec.status_queries[-1]
    assert paper.command == bytes.fromhex("10 04 04") and paper.realtime
    assert dict(paper.flags) == {"paper_low": 0x0C, "paper_out": 0x60}
    assert (paper.valid_mask, paper.valid_value) == (0x93, 0x12)


def test_unverified_names_keys_of_the_profile(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-unv.toml", CHILD + 'unverified = ["media.dotz"]\n')
    with pytest.raises(ProfileError) as info:
        load_profile("test-unv")
    assert info.value.key == "unverified" and "media.dotz" in str(info.value)
    write(profiles_copy, "printers/test-unv2.toml", CHILD + 'unverified = ["media.dots"]\n')
    assert load_profile("test-unv2").unverified == ("media.dots",)


def test_onbon_sixth_generation_framing_is_refused(profiles_copy: Path) -> None:
    # Onbon-Protocol-Analysis Form1.cs: protocol version F0 is the 6th-generation framing of
    # the BX-6E/6Q cards, which ignore the version-02 frames this driver sends
    text = (profiles_copy / "led" / "onbon-bx6.toml").read_text(encoding="utf-8")
    write(profiles_copy, "led/onbon-bx6.toml", text + "\n[onbon]\nprotocol_version = 0xF0\n")
    with pytest.raises(ProfileError) as info:
        load_profile("onbon-bx6")
    assert info.value.key == "onbon.protocol_version" and "6E/6Q" in str(info.value)


def test_unknown_key_is_refused_naming_file_and_key(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-typo.toml", CHILD + "[media]\ncolumnz = 48\n")
    with pytest.raises(ProfileError) as info:
        load_profile("test-typo")
    assert info.value.file.endswith("test-typo.toml")
    assert info.value.key == "media.columnz"
    assert "unknown key" in str(info.value)


def test_unknown_key_in_a_parent_names_the_parent_file(profiles_copy: Path) -> None:
    write(
        profiles_copy,
        "printers/test-base.toml",
        CHILD.replace("generic-escpos-80", "xprinter-xp80c") + "colour = 1\n",
    )
    write(
        profiles_copy, "printers/test-child.toml", CHILD.replace("generic-escpos-80", "test-base")
    )
    with pytest.raises(ProfileError) as info:
        load_profile("test-child")
    assert info.value.file.endswith("test-base.toml") and info.value.key == "colour"


def test_numbers_out_of_bounds_are_refused(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-wide.toml", CHILD + "[media]\ndots = 5000\n")
    problem = r"media\.dots: must be a whole number between 256 and 832"
    with pytest.raises(ProfileError, match=problem):
        load_profile("test-wide")


def test_a_profile_without_its_own_notes_is_refused(profiles_copy: Path) -> None:
    write(
        profiles_copy,
        "printers/test-bare.toml",
        'inherits = "xprinter-xp80c"\nvendor = "V"\nname = "N"\n',
    )
    with pytest.raises(ProfileError, match="notes: is required in every profile file"):
        load_profile("test-bare")


def test_inheritance_cycles_and_unknown_parents_are_refused(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-a.toml", CHILD.replace("generic-escpos-80", "test-b"))
    write(profiles_copy, "printers/test-b.toml", CHILD.replace("generic-escpos-80", "test-a"))
    with pytest.raises(ProfileError, match="cycle"):
        load_profile("test-a")
    write(profiles_copy, "printers/test-c.toml", CHILD.replace("generic-escpos-80", "nope"))
    with pytest.raises(ProfileError, match="unknown profile 'nope'"):
        load_profile("test-c")


def test_a_parent_of_another_kind_is_refused(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-x.toml", CHILD.replace("generic-escpos-80", "cpower"))
    with pytest.raises(ProfileError, match="same kind"):
        load_profile("test-x")


def test_a_status_flag_overlapping_the_fixed_bits_is_refused(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-bits.toml", CHILD + "[status.paper]\npaper_out = 0x12\n")
    with pytest.raises(ProfileError, match=r"status\.paper\.paper_out"):
        load_profile("test-bits")


def test_a_feature_unknown_for_the_kind_is_refused(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-feat.toml", CHILD + "[features]\nqr_natve = true\n")
    with pytest.raises(ProfileError, match=r"features\.qr_natve: unknown key"):
        load_profile("test-feat")


def test_an_id_key_must_match_the_file_stem(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-id.toml", CHILD + 'id = "other"\n')
    with pytest.raises(ProfileError, match="must equal the file stem"):
        load_profile("test-id")


def test_a_sign_may_not_carry_another_protocols_table(profiles_copy: Path) -> None:
    text = (REPO_PROFILES / "led/cpower.toml").read_text(encoding="utf-8")
    write(profiles_copy, "led/test-sign.toml", text + "\n[onbon]\narea_id = 1\n")
    with pytest.raises(ProfileError, match="onbon: is not a parameter table of protocol cpower"):
        load_profile("test-sign")


def test_invalid_toml_names_the_file(profiles_copy: Path) -> None:
    write(profiles_copy, "printers/test-broken.toml", "vendor = \n")
    with pytest.raises(ProfileError, match="not valid TOML") as info:
        load_profile("test-broken")
    assert info.value.file.endswith("test-broken.toml")


def test_an_unknown_profile_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="xprinter-xp80c"):
        load_profile("no-such-printer")


def test_a_new_model_is_only_data(profiles_copy: Path) -> None:
    write(
        profiles_copy,
        "printers/test-narrow.toml",
        CHILD.replace("generic-escpos-80", "xprinter-xp80c")
        + "[media]\ndots = 512\ncolumns = 42\n[features]\ncutter_partial = false\n",
    )
    from drivers.printer import decode, render_ticket
    from drivers.printer.samples import standard_ticket

    data = render_ticket(standard_ticket(), load_profile("test-narrow"))
    assert "-" * 42 + "\n" in decode(data) and "-" * 43 not in decode(data)
    assert data.endswith(b"\x1dV\x00")  # full cut: the partial blade is switched off
