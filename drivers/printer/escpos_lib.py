"""python-escpos 3.1, imported without its side effects, and our profiles registered in it.

At import, escpos.capabilities (3.1) calls `logging.basicConfig()` (configuring the host app's
root logger) and evaluates `mkdtemp()` for its pickle cache even when
ESCPOS_CAPABILITIES_PICKLE_DIR is set (the default argument is computed eagerly), leaving an
empty /tmp/tmpXXXX behind on every start. We give it a cache dir, point `tempfile` there for
the import, remove what it created, and keep the root logger as it was.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from drivers.profiles import Profile, ProfileError


@contextlib.contextmanager
def _quiet_import() -> Iterator[None]:
    default = Path(tempfile.gettempdir()) / f"yichuang-escpos-{os.getuid()}"
    cache = Path(os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(default)))
    cache.mkdir(parents=True, exist_ok=True)
    before = set(cache.iterdir())
    root = logging.getLogger()
    guard = logging.NullHandler()
    if not root.handlers:
        root.addHandler(guard)  # basicConfig() does nothing when the root has a handler
    saved = tempfile.tempdir
    tempfile.tempdir = str(cache)
    try:
        yield
    finally:
        tempfile.tempdir = saved
        root.removeHandler(guard)
        for extra in set(cache.iterdir()) - before:
            if extra.is_dir():
                with contextlib.suppress(OSError):
                    extra.rmdir()


with _quiet_import():
    from escpos import capabilities
    from escpos.constants import PAPER_FULL_CUT, PAPER_PART_CUT, QR_ECLEVEL_M
    from escpos.printer import Dummy

__all__ = ["PAPER_FULL_CUT", "PAPER_PART_CUT", "QR_ECLEVEL_M", "Dummy", "escpos_profile_name"]

_registered: dict[str, str] = {}
_lock = threading.Lock()


def escpos_profile_name(profile: Profile) -> str:
    """Register (once) a python-escpos capability profile for ours and return its name.

    It is a deep copy of the `escpos_base` model from escpos-printer-db with our paper width,
    columns and cutter, so python-escpos' own checks (image width, cut mode) follow our data.
    """
    spec = profile.printer_spec
    # the key changes with the file and every value copied in, so an edited profile
    # (or a test's copy of it) never reuses a stale registration
    cut = (profile.supports("cutter_full"), profile.supports("cutter_partial"))
    key = (
        f"yichuang:{profile.id}@{profile.file}:{spec.escpos_base}:{spec.paper_mm}:"
        f"{spec.dots}:{spec.dpi}:{spec.columns}:{cut}:{profile.supports('qr_native')}"
    )
    with _lock:
        if key in _registered:
            return key
        table: dict[str, Any] = capabilities.CAPABILITIES["profiles"]
        if spec.escpos_base not in table:
            raise ProfileError(
                str(profile.file),
                "escpos_base",
                f"{spec.escpos_base!r} is not a "
                "python-escpos profile (see escpos/capabilities.json)",
            )
        data = copy.deepcopy(table[spec.escpos_base])
        data["name"] = profile.name
        data["media"] = {"dpi": spec.dpi, "width": {"mm": spec.paper_mm, "pixels": spec.dots}}
        data["fonts"]["0"]["columns"] = spec.columns
        data["features"].update(
            paperFullCut=profile.supports("cutter_full"),
            paperPartCut=profile.supports("cutter_partial"),
            qrCode=profile.supports("qr_native"),
        )
        table[key] = data
        _registered[key] = key
        return key
