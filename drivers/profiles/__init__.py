"""Firmware profiles: one TOML file per device model under firmware_profiles/ (DESIGN §5)."""

from drivers.profiles.loader import clear_cache, list_profiles, load_profile, profiles_dir
from drivers.profiles.reader import ProfileError
from drivers.profiles.schema import (
    KINDS,
    PrinterSpec,
    Profile,
    SerialDeviceSpec,
    SignSpec,
    StatusQuery,
    TransportSpec,
)

__all__ = [
    "KINDS",
    "PrinterSpec",
    "Profile",
    "ProfileError",
    "SerialDeviceSpec",
    "SignSpec",
    "StatusQuery",
    "TransportSpec",
    "clear_cache",
    "list_profiles",
    "load_profile",
    "profiles_dir",
]
