"""Citizen identity rules: resident ID number validation and masking of names and numbers."""

from __future__ import annotations

import datetime as dt

from server.domain.errors import Invalid

# GB 11643-1999: weights and check characters of the 18-digit citizen identity number.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
LOWEST_REGION = 110000  # GB/T 2260: 11 北京 is the first province-level code
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(raw: str, today: dt.date | None = None) -> str:
    """Validate an 18-digit (with check digit) or 15-digit legacy ID number; return 18 digits.

    A 15-digit number is the same person as its 18-digit form (GB 11643: "19" inserted after
    the region code, then the check character), so both hash and mask alike.

    The region code must be a real one (110000 北京 is the lowest) and the birth date lie
    between 1900-01-01 and `today` (not checked against a day when `today` is None).
    Raises `Invalid` with code `invalid_id_number` and a Chinese message explaining what is wrong.
    """
    value = raw.strip().upper().replace(" ", "")
    if len(value) == 18:
        if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
            raise _bad("身份证号码只能由数字和末位 X 组成")
        born = value[6:14]
    elif len(value) == 15:
        if not value.isdigit():
            raise _bad("15 位身份证号码只能由数字组成")
        born = "19" + value[6:12]
    else:
        raise _bad("身份证号码应为 18 位（或旧版 15 位）")
    if int(value[:6]) < LOWEST_REGION:
        raise _bad("身份证号码前 6 位地区代码无效")
    _check_birth(_birth_date(born), today)
    if len(value) == 15:
        return value[:6] + "19" + value[6:] + check_digit(value[:6] + "19" + value[6:])
    if check_digit(value[:17]) != value[17]:
        raise _bad("身份证号码校验位不正确，请核对后重新输入")
    return value


def birth_date(id_number: str) -> dt.date:
    """Return the birth date encoded in a normalized ID number."""
    digits = id_number[6:14] if len(id_number) == 18 else "19" + id_number[6:12]
    return _birth_date(digits)


def age_on(id_number: str, day: dt.date) -> int:
    """Return the citizen's age in whole years on `day`."""
    born = birth_date(id_number)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask_id_number(id_number: str) -> str:
    """Mask an ID number as on the stub: first 6 and last 4 kept ("141002****029X")."""
    return f"{id_number[:6]}****{id_number[-4:]}"


def mask_name(name: str | None) -> str | None:
    """Mask a person's name for public screens: the first character stays ("张*", "欧阳**").

    A one-character name is all hidden ("*").
    """
    if not name:
        return None
    name = name.strip()
    if len(name) <= 1:
        return "*" if name else None  # a one-character name would be shown in full
    # Compound surnames keep their two characters only when the given name is still hidden.
    keep = 2 if len(name) >= 4 and name[:2] in _COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_phone(phone: str | None) -> str | None:
    """Mask a phone number for staff views: 138****5678."""
    if not phone:
        return None
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


_COMPOUND_SURNAMES = frozenset(
    ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文"]
)


def _birth_date(yyyymmdd: str) -> dt.date:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise _bad("身份证号码中的出生日期无效") from None


def _check_birth(born: dt.date, today: dt.date | None) -> None:
    if born < EARLIEST_BIRTH:
        raise _bad("身份证号码中的出生日期早于 1900 年，请核对")
    if today is not None and born > today:
        raise _bad("身份证号码中的出生日期晚于今天，请核对")


def _bad(message: str) -> Invalid:
    return Invalid("invalid_id_number", message)
