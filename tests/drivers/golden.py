"""Golden files: compare bytes with a stored file; UPDATE_GOLDEN=1 rewrites the file instead."""

from __future__ import annotations

import os
from pathlib import Path


def check_golden(path: Path, data: bytes) -> None:
    """Assert `data` equals the golden file (or write it when UPDATE_GOLDEN=1)."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}: run once with UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes()
    assert data == expected, (
        f"{path.name} differs from the golden file ({len(data)} vs {len(expected)} bytes); "
        "if the change is intended, run with UPDATE_GOLDEN=1 and review the diff"
    )
