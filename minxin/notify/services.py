"""Telling staff: in-app rows now, email and SMS from a background task after commit. And
confirming a citizen's phone by a one-time SMS code (a rating, a vote): `phone_code_send`,
`phone_code_confirm`."""

import hmac
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed

from .models import Notification, PhoneCode
from .phone import code_hash, mobile_clean, phone_hash
from .sms import sms_send

logger = logging.getLogger(__name__)


def notifications_send(
    *, recipients: Iterable[User], title: str, body: str, link: str, kind: str
) -> list[Notification]:
    """One in-app notification per distinct recipient; email/SMS go out once this commits.

    Runs inside the caller's transaction: if that rolls back, nothing is recorded or sent.
    """
    users = {u.pk: u for u in recipients if u.is_active}
    if not users:
        return []
    now = timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk, kind=kind, title=title, body=body, link=link, created_at=now
            )
            for pk in sorted(users)
        ]
    )
    ids = [row.pk for row in rows]

    def enqueue() -> None:
        from .tasks import send_notification_task

        send_notification_task.enqueue(ids)

    transaction.on_commit(enqueue)
    return rows


@transaction.atomic(durable=True)
def notifications_mark_read(*, user: User) -> int:
    """Mark all of the user's unread notifications read; the number marked."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- a phone confirmed by a one-time SMS code ------------------------------------------------

CODE_DIGITS: Final = 6
CODE_TTL: Final = timedelta(minutes=5)
CODE_MAX_ATTEMPTS: Final = 5  # the fifth wrong try locks the code
# Per phone (whatever the purpose), counted from the codes stored: one a minute, a few an hour,
# a handful a day. Per address, the pages add their own limit (django-ratelimit).
RESEND_AFTER: Final = timedelta(seconds=60)
PER_PHONE_HOUR: Final = 5
PER_PHONE_DAY: Final = 10
_PURPOSE: Final = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class TooManyCodes(MinxinError):
    status_code = 429
    default_message = "获取验证码过于频繁，请稍后再试"


@dataclass(frozen=True)
class CodeSent:
    expires_at: datetime
    resend_after: datetime


def _purpose_checked(purpose: str) -> str:
    # A purpose is the code's, not the citizen's: a bad one is a programming error.
    if not _PURPOSE.match(purpose):
        raise ValueError(f"bad phone code purpose: {purpose!r}")
    return purpose


@transaction.atomic(durable=True)
def phone_code_send(*, phone: str, purpose: str) -> CodeSent:
    """A new 6-digit code for this phone and purpose, sent by SMS once this commits; refused
    (429) when the phone asked for one less than a minute ago, or too often this hour or day.
    Neither the number nor the code is written anywhere in clear, logs included."""
    purpose = _purpose_checked(purpose)
    number = mobile_clean(phone)
    hashed = phone_hash(number)
    now = timezone.now()
    recent = PhoneCode.objects.filter(phone_hash=hashed, created_at__gte=now - timedelta(days=1))
    latest = recent.order_by("-created_at").values_list("created_at", flat=True).first()
    if latest is not None and now - latest < RESEND_AFTER:
        wait = int((RESEND_AFTER - (now - latest)).total_seconds()) + 1
        raise TooManyCodes(f"验证码已发送，请{wait}秒后再重新获取")
    if recent.count() >= PER_PHONE_DAY:
        raise TooManyCodes("该手机号今日获取验证码次数过多，请明天再试")
    if recent.filter(created_at__gte=now - timedelta(hours=1)).count() >= PER_PHONE_HOUR:
        raise TooManyCodes("该手机号获取验证码次数过多，请一小时后再试")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = PhoneCode.objects.create(
        phone_hash=hashed,
        purpose=purpose,
        code_hash=code_hash(phone_hash=hashed, purpose=purpose, code=code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    minutes = int(CODE_TTL.total_seconds() // 60)
    text = f"您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。"
    transaction.on_commit(lambda: sms_send(phone=number, text=text))
    logger.info("phone code %s sent for %s", row.pk, purpose)
    return CodeSent(expires_at=row.expires_at, resend_after=now + RESEND_AFTER)


def phone_code_confirm(*, phone: str, code: str, purpose: str) -> str:
    """The phone's hash when `code` is the latest code sent to it for `purpose`, unexpired and
    not locked; the code is then spent. A wrong code counts a try (kept even though the
    confirmation is refused); the fifth locks it until a new one is asked for."""
    purpose = _purpose_checked(purpose)
    hashed = phone_hash(mobile_clean(phone))
    code = "".join((code or "")[:20].split())
    if not code:
        raise ValidationFailed("请填写短信验证码")
    refusal = _code_check(phone_hash=hashed, purpose=purpose, code=code)
    if refusal:
        raise ValidationFailed(refusal)
    return hashed


@transaction.atomic(durable=True)
def _code_check(*, phone_hash: str, purpose: str, code: str) -> str:
    """Why the code is refused, or nothing when it is right (and now spent). A wrong try is
    counted in this transaction, which commits before the caller refuses."""
    row = (
        PhoneCode.objects.select_for_update()
        .filter(phone_hash=phone_hash, purpose=purpose, confirmed_at__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None:
        return "请先获取短信验证码"
    now = timezone.now()
    if row.attempts >= CODE_MAX_ATTEMPTS:
        return "验证码错误次数过多，已失效，请重新获取"
    if row.expires_at <= now:
        return "验证码已过期，请重新获取"
    expected = code_hash(phone_hash=phone_hash, purpose=purpose, code=code)
    if hmac.compare_digest(expected, row.code_hash):
        row.confirmed_at = now
        row.save(update_fields=["confirmed_at"])
        return ""
    row.attempts += 1
    row.save(update_fields=["attempts"])
    left = CODE_MAX_ATTEMPTS - row.attempts
    if left <= 0:
        return "验证码错误次数过多，已失效，请重新获取"
    return f"验证码不正确，还可以再试{left}次"
