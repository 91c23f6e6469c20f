"""Find, merge (`inherits`) and validate the TOML profiles under firmware_profiles/."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

from drivers.profiles.reader import ProfileError
from drivers.profiles.schema import (
    KINDS,
    Profile,
    read_device,
    read_features,
    read_printer,
    read_sign,
    read_transport,
)
from drivers.strict_toml import Table, read_toml

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_OWN_KEYS = ("vendor", "name", "notes")
_cache: dict[tuple[str, str], Profile] = {}
_lock = threading.Lock()


def profiles_dir() -> Path:
    """$YICHUANG_PROFILES_DIR, else the repository's firmware_profiles/ next to this package."""
    env = os.environ.get("YICHUANG_PROFILES_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "firmware_profiles"


def clear_cache() -> None:
    """Forget loaded profiles (after editing files in a running process)."""
    with _lock:
        _cache.clear()


def load_profile(profile_id: str) -> Profile:
    """Load, merge and validate one profile by id (its file stem); cached per directory."""
    root = profiles_dir()
    key = (str(root), profile_id)
    with _lock:
        if key in _cache:
            return _cache[key]
    index = _index(root)
    if profile_id not in index:
        known = ", ".join(sorted(index)) or "none"
        raise ProfileError(str(root), profile_id, f"no such profile (known: {known})")
    profile = _build(profile_id, index)
    with _lock:
        _cache[key] = profile
    return profile


def list_profiles(kind: str | None = None) -> list[Profile]:
    """Every profile (or those of one kind: printer, led, evaluator, idcard, keypad)."""
    index = _index(profiles_dir())
    profiles = [load_profile(pid) for pid in index]
    return sorted(
        (p for p in profiles if kind is None or p.kind == kind), key=lambda p: (p.kind, p.id)
    )


def _index(root: Path) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for folder in KINDS:
        for path in sorted((root / folder).glob("*.toml")):
            if not _ID.match(path.stem):
                raise ProfileError(
                    str(path), "id", "file stem must be lower-case letters, digits, -"
                )
            if path.stem in index:
                raise ProfileError(str(path), "id", f"duplicate of {index[path.stem]}")
            index[path.stem] = path
    return index


def _read_file(path: Path) -> dict[str, Any]:
    data = read_toml(path, ProfileError)
    for key in _OWN_KEYS:
        if not isinstance(data.get(key), str) or not data[key].strip():
            # every model cites its own source, even when it inherits the rest
            raise ProfileError(str(path), key, "is required in every profile file")
    if "id" in data and data["id"] != path.stem:
        raise ProfileError(str(path), "id", f"must equal the file stem {path.stem!r}")
    return data


def _chain(profile_id: str, index: dict[str, Path]) -> list[Path]:
    """The file and its ancestors, nearest first; refuses cycles and cross-kind parents."""
    chain = [index[profile_id]]
    while True:
        data = _read_file(chain[-1])
        parent = data.get("inherits")
        if parent is None:
            return chain
        if not isinstance(parent, str) or parent not in index:
            raise ProfileError(str(chain[-1]), "inherits", f"unknown profile {parent!r}")
        if index[parent].parent != chain[-1].parent:
            raise ProfileError(str(chain[-1]), "inherits", "must name a profile of the same kind")
        if index[parent] in chain:
            raise ProfileError(str(chain[-1]), "inherits", "forms a cycle")
        chain.append(index[parent])


def _merge(
    base: dict[str, Any], over: dict[str, Any], file: str, origins: dict[str, str], prefix: str = ""
) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, file, origins, f"{dotted}.")
        else:
            out[key] = value
            origins[dotted] = file
    return out


def _unverified(top: Table, merged: dict[str, Any]) -> tuple[str, ...]:
    """`unverified = ["media.dpi", …]`: facts no reference confirms, each an existing key."""
    keys = tuple(top.texts("unverified", [], max_items=20))
    for dotted in keys:
        node: Any = merged
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            raise top.error("unverified", f"names {dotted!r}, which is not a key of the profile")
    return keys


def _build(profile_id: str, index: dict[str, Path]) -> Profile:
    chain = _chain(profile_id, index)
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for path in reversed(chain):
        merged = _merge(merged, _read_file(path), str(path), origins)
    kind = KINDS[chain[0].parent.name]
    top = Table(merged, str(chain[0]), origins=origins, error=ProfileError)
    top.raw("id", None)
    top.raw("inherits", None)
    profile = Profile(
        id=profile_id,
        kind=kind,
        vendor=top.text("vendor", max_len=80),
        name=top.text("name", max_len=120),
        notes=top.text("notes", max_len=4000),
        file=chain[0],
        inherits=tuple(p.stem for p in chain[1:]),
        quirks=tuple(top.texts("quirks", [], max_items=20)),
        unverified=_unverified(top, merged),
        features=read_features(top.table("features", {}), kind),
        transport=read_transport(top.table("transport", {})),
        printer=read_printer(top) if kind == "printer" else None,
        sign=read_sign(top) if kind == "led" else None,
        device=read_device(top, kind) if kind in ("evaluator", "idcard", "keypad") else None,
    )
    top.done()
    return profile
