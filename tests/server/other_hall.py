"""A second hall for cross-hall tests: the demo layout under another code, its own secrets."""

from __future__ import annotations

import re
from pathlib import Path

from server.config import DEMO_HALL_FILE


def write_other_hall(folder: Path, code: str = "east", timezone: str = "Asia/Shanghai") -> Path:
    """Write `<code>.toml`: the demo layout, a clerk `<code>-clerk`, devices `<code>-<kind>`.

    Its clerk signs in with the demo password; its device tokens are `<code>-kiosk`,
    `<code>-display`, `<code>-evaluator` and `<code>-online`.
    """
    demo = DEMO_HALL_FILE.read_text(encoding="utf-8")
    layout = demo.split("# Demo users")[0]
    layout = layout.replace('code = "demo"', f'code = "{code}"', 1)
    layout = layout.replace('timezone = "Asia/Shanghai"', f'timezone = "{timezone}"', 1)
    found = re.search(r'password_hash = "([^"]+)"', demo)
    assert found, "the demo hall file lists its users with password hashes"
    lines = [
        "[[users]]",
        f'username = "{code}-clerk"',
        f'name = "{code}窗口"',
        'role = "clerk"',
        f'password_hash = "{found.group(1)}"',
    ]
    for kind in ("kiosk", "display", "evaluator", "online"):
        lines += ["[[devices]]", f'id = "{kind}-1"', f'kind = "{kind}"', f'token = "{code}-{kind}"']
    path = folder / f"{code}.toml"
    path.write_text(layout + "\n".join(lines) + "\n", encoding="utf-8")
    return path
