"""Codes that tie a hall to the government platform：行政区划代码、统一社会信用代码、事项编码."""

from __future__ import annotations

import re

# GB 32100-2015 §4: the 31 characters a code may use (no I, O, S, V, Z) and the weights of
# positions 1–17 (3^(i-1) mod 31); the 18th character is the check character.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB/T 2260: the first two digits name a province-level division.
PROVINCES = frozenset(
    str(n)
    for n in (
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
    )
)
_REGION = re.compile(r"\d{6}|\d{12}")
_CATALOG = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{5,63}")


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character of the first 17 characters of a 统一社会信用代码."""
    if len(first17) != 17 or any(c not in USCC_CHARSET for c in first17):
        raise ValueError("a code body is 17 characters from the GB 32100 character set")
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid 统一社会信用代码 (18 characters, check character), or None."""
    if len(code) != 18:
        return f"must be 18 characters, not {len(code)}"
    bad = [c for c in code if c not in USCC_CHARSET]
    if bad:
        return f"character {bad[0]!r} is not allowed (digits and A-Y without I, O, S, V, Z)"
    if code[2:4] not in PROVINCES and code[2:8] != "100000":  # 100000: central bodies
        return f"characters 3-8 must be a region code, not {code[2:8]!r}"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def region_problem(code: str) -> str | None:
    """Why `code` is not a 行政区划代码 (6 digits, or 12 for the statistical codes), or None."""
    if not _REGION.fullmatch(code):
        return "must be 6 or 12 digits"
    if code[:2] not in PROVINCES:
        return f"{code[:2]!r} is not a province-level code"
    return None


def catalog_problem(code: str) -> str | None:
    """Why `code` is not a plausible 事项编码 (6–64 letters, digits, '.', '_', '-'), or None."""
    return None if _CATALOG.fullmatch(code) else "must be 6 to 64 letters, digits, '.', '_' or '-'"
