"""Personal data shown only as much as the viewer needs."""

import re

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; landlines keep area code and last four."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[-4:]}"
    return (
        f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
        if len(phone) > 7
        else ("*" * (len(phone) - 4) + phone[-4:])
    )


def mask_name(name: str) -> str:
    """张三丰 → 张**; a nickname keeps its first character only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * min(len(name) - 1, 3) if len(name) > 1 else "*"


def is_valid_phone(phone: str) -> bool:
    """Mainland mobile (11 digits from 13x–19x) or landline with area code."""
    return bool(_PHONE_RE.match(phone))
