"""A phone number as the site keeps it: normalised, and then only as a keyed hash.

`phone_hash` is the one identity of a phone across the site (a project's ratings, the votes to
come): an HMAC keyed by `MINXIN_PHONE_HASH_KEY` (the site's secret when unset), so a leaked
table cannot be reversed by hashing the 10⁹ mobile numbers without the key. Rotating the key
makes every stored hash unmatchable: a person could then rate again."""

import hashlib
import hmac
import re
from datetime import datetime
from typing import Final

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from minxin.core.errors import ValidationFailed

_MOBILE: Final = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS: Final = re.compile(r"[\s\-()（）]")


def _key() -> bytes:
    return (getattr(settings, "MINXIN_PHONE_HASH_KEY", "") or settings.SECRET_KEY).encode()


def mobile_clean(raw: str | None) -> str:
    """A mainland mobile number, 11 digits (spaces, dashes and a +86 prefix dropped); codes go
    by SMS, so landlines are refused."""
    phone = _SEPARATORS.sub("", (raw or "")[:40])
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not phone:
        raise ValidationFailed("请填写手机号")
    if not _MOBILE.match(phone):
        raise ValidationFailed("请填写正确的11位手机号")
    return phone


def phone_hash(phone: str) -> str:
    """The keyed hash of a normalised mobile number (64 hex characters)."""
    return hmac.new(_key(), f"phone:{phone}".encode(), hashlib.sha256).hexdigest()


def code_hash(*, phone_hash: str, purpose: str, code: str) -> str:
    """A code's keyed hash, bound to its phone and purpose (a code for one cannot serve another)."""
    message = f"phone-code:{phone_hash}:{purpose}:{code}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


# --- a confirmed phone, kept in the browser's session ---------------------------------------
# After the code is confirmed, the page keeps the phone's hash (never the number) for the
# purpose a short while, so a resident can rate without asking for another code.

CONFIRMED_KEY: Final = "phone_confirmed"
CONFIRMED_SECONDS: Final = 30 * 60


def phone_confirmed_keep(
    session: SessionBase, *, purpose: str, phone_hash: str, now: datetime | None = None
) -> None:
    held = session.get(CONFIRMED_KEY)
    held = dict(held) if isinstance(held, dict) else {}
    until = (now or timezone.now()).timestamp() + CONFIRMED_SECONDS
    held[purpose] = [phone_hash, until]
    session[CONFIRMED_KEY] = held


def phone_confirmed(session: SessionBase, *, purpose: str, now: datetime | None = None) -> str:
    """The hash of the phone this browser confirmed for `purpose`, while it lasts; else ""."""
    held = session.get(CONFIRMED_KEY)
    entry = held.get(purpose) if isinstance(held, dict) else None
    if not (isinstance(entry, list) and len(entry) == 2):
        return ""
    hashed, until = entry
    if not isinstance(hashed, str) or not isinstance(until, int | float):
        return ""
    if (now or timezone.now()).timestamp() >= until:
        return ""
    return hashed


def phone_confirmed_forget(session: SessionBase, *, purpose: str) -> None:
    held = session.get(CONFIRMED_KEY)
    if isinstance(held, dict) and purpose in held:
        held = dict(held)
        del held[purpose]
        session[CONFIRMED_KEY] = held
