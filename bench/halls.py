"""Hall files for the many-hall scenarios: codes, users, device tokens and a cheap hash.

Every hall `code` gets clerks `{code}c01…`, one kiosk (`kiosk-{code}-secret`) and
`screens` displays (`tv{n}-{code}-secret`); window S01… serves `served` of the hall's
queues in an overlapping pattern, so that a queue is served by several windows.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from bench.harness import PASSWORD

# scrypt at n=2: the server checks it exactly as a real hash, but a login costs
# microseconds, so signing in thousands of clerks does not dominate a run's setup
_SALT = b"bench-salt-16byt"
CHEAP_HASH = "$".join(
    [
        "scrypt",
        "2",
        "1",
        "1",
        base64.b64encode(_SALT).decode(),
        base64.b64encode(
            hashlib.scrypt(PASSWORD.encode(), salt=_SALT, n=2, r=1, p=1, dklen=32)
        ).decode(),
    ]
)


@dataclass(frozen=True)
class HallShape:
    """The size of one hall."""

    windows: int = 20
    queues: int = 15
    screens: int = 3
    served: int = 3  # queues per window


def hall_code(i: int, width: int = 4) -> str:
    """h0001 …: sorted order is creation order."""
    return f"h{i:0{width}d}"


def kiosk_token(hall: str) -> str:
    """The hall's kiosk bearer token."""
    return f"kiosk-{hall}-secret"


def screen_token(hall: str, n: int) -> str:
    """The bearer token of the hall's n-th display (1-based)."""
    return f"tv{n}-{hall}-secret"


def clerk(hall: str, window: int) -> str:
    """The username of the clerk of window S{window:02d}."""
    return f"{hall}c{window:02d}"


def queue_codes(shape: HallShape) -> list[str]:
    """A, B, … (at most 26)."""
    return [chr(ord("A") + i) for i in range(shape.queues)]


def served_queues(shape: HallShape, window: int) -> list[str]:
    """The queues window S{window:02d} serves: `served` of them, spread over the hall."""
    codes = queue_codes(shape)
    picked = [codes[(window - 1 + k * shape.windows) % shape.queues] for k in range(shape.served)]
    return list(dict.fromkeys(picked))


def write_halls(folder: Path, codes: list[str], shape: HallShape) -> list[Path]:
    """One hall file per code in `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in codes:
        path = folder / f"{code}.toml"
        path.write_text(hall_text(code, shape), encoding="utf-8")
        paths.append(path)
    return paths


def hall_text(code: str, shape: HallShape) -> str:
    """The TOML of one hall."""
    lines = ["[hall]", f'code = "{code}"', f'name = "测试{code}政务服务中心"']
    lines += ["[[areas]]", 'code = "zh"', 'name = "综合区"']
    for q in queue_codes(shape):
        lines += ["[[queues]]", f'code = "{q}"', f'name = "业务{q}"', 'area = "zh"']
        lines.append("service_minutes = 5")
    for w in range(1, shape.windows + 1):
        served = ", ".join(f'"{q}"' for q in served_queues(shape, w))
        lines += ["[[windows]]", f'code = "S{w:02d}"', 'area = "zh"', f"queues = [{served}]"]
    for w in range(1, shape.windows + 1):
        lines += ["[[users]]", f'username = "{clerk(code, w)}"', f'name = "窗口{w}"']
        lines += ['role = "clerk"', f'password_hash = "{CHEAP_HASH}"']
    devices = [("kiosk-1", "kiosk", kiosk_token(code))]
    devices += [(f"tv-{n}", "display", screen_token(code, n)) for n in range(1, shape.screens + 1)]
    for ident, kind, token in devices:
        lines += ["[[devices]]", f'id = "{ident}"', f'kind = "{kind}"', f'token = "{token}"']
    # The generated clerks act at once: no forced change of the initial password (issue 19).
    lines += ["[security]", "password_force_change = false"]
    return "\n".join(lines) + "\n"
