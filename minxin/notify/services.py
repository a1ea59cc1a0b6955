"""Telling staff: in-app rows now, email and SMS from a background task after commit.
Confirming a citizen's phone by a one-time SMS code (a rating, a vote): `phone_code_send`,
`phone_code_confirm`. And telling citizens by SMS: `sms_message_record` (the outbox row, in
the event's transaction), `sms_message_deliver` (the worker's send, with retries), and a
phone's opt-out (`sms_preference_set`)."""

import contextlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.errors import MinxinError, ValidationFailed
from minxin.core.privacy import mask_phone
from minxin.core.tasks import enqueue_on_commit

from .models import (
    NoticePreference,
    Notification,
    PhoneCode,
    SmsMessage,
    SmsPreference,
    SmsStatus,
    SmsTemplate,
)
from .phone import code_hash, mobile_clean, phone_hash
from .selectors import sms_opted_out
from .sms import (
    SmsPermanentError,
    SmsTransientError,
    sms_backend,
    sms_backend_path,
    sms_send,
)
from .texts import PLACEHOLDERS, template_render

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

    enqueue_on_commit(enqueue)
    return rows


@transaction.atomic(durable=True)
def notifications_mark_read(*, user: User) -> int:
    """Mark all of the user's unread notifications read; the number marked."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic(durable=True)
def notice_preference_set(*, user: User, by_email: bool, by_sms: bool) -> NoticePreference:
    """The member of staff's own choice of how notifications reach them beyond the inbox."""
    preference, _ = NoticePreference.objects.update_or_create(
        user=user,
        defaults={"by_email": by_email, "by_sms": by_sms, "updated_at": timezone.now()},
    )
    return preference


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


# --- notification SMS to citizens --------------------------------------------------------------


@transaction.atomic(durable=True)
def sms_preference_set(*, phone: str, opted_out: bool, source: str) -> SmsPreference | None:
    """Record a phone's choice (a new row; the latest wins); None when it is already so."""
    hashed = phone_hash(mobile_clean(phone))
    if sms_opted_out(phone_hash=hashed) == opted_out:
        return None
    return SmsPreference.objects.create(phone_hash=hashed, opted_out=opted_out, source=source[:40])


def sms_message_record(
    *, phone: str, template_key: str, subject_type: str, subject_id: int
) -> SmsMessage | None:
    """The record of a notification SMS to send, in the caller's transaction (an outbox: it is
    there whatever happens to the worker); None for a number that cannot take an SMS (a
    landline, none). Whether the phone opted out and the template is switched on is asked when
    it is sent (`sms_message_deliver`): the choice then is the one that counts, and the form a
    citizen sends asks two queries fewer. The caller queues the sending once it commits."""
    try:
        number = mobile_clean(phone)
    except ValidationFailed:
        return None
    return SmsMessage.objects.create(
        template_key=template_key,
        subject_type=subject_type,
        subject_id=subject_id,
        phone_hash=phone_hash(number),
        phone_masked=mask_phone(number),
        status=SmsStatus.QUEUED,
    )


@dataclass(frozen=True)
class SmsRun:
    """What a run of the outbox did: the messages it dealt with (sent, failed or skipped), and
    whether it stopped with its time up (more may wait)."""

    delivered: int
    more: bool


# A run of the outbox gives the worker back after this long (the triage's run takes its turn).
SMS_RUN_SECONDS: Final = 5.0


def sms_outbox_deliver(
    *,
    subject_type: str,
    recipient: Callable[[int], tuple[str, Mapping[str, str]] | None],
    seconds: float = SMS_RUN_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> SmsRun:
    """The worker's run of the outbox: the messages of `subject_type` still to send, oldest
    first, each claimed (FOR UPDATE SKIP LOCKED on PostgreSQL: two workers never send one
    twice) and sent in its own transaction (`sms_message_deliver`) to its recipient, whose
    number and placeholders `recipient(subject_id)` reads now (None: the subject is gone, the
    message skipped); until none is left, or after `seconds` with more perhaps left."""
    deadline = time.monotonic() + seconds
    delivered = 0
    while True:
        with transaction.atomic(durable=True):
            message = _sms_claim(subject_type)
            if message is None:
                return SmsRun(delivered=delivered, more=False)
            found = recipient(message.subject_id)
            if found is None:
                _sms_outcome(message, status=SmsStatus.SKIPPED, error="通知对象不存在")
            else:
                phone, params = found
                sms_message_deliver(message_id=message.pk, phone=phone, params=params, sleep=sleep)
        delivered += 1
        if time.monotonic() >= deadline:
            return SmsRun(delivered=delivered, more=True)


def _sms_claim(subject_type: str) -> SmsMessage | None:
    """The oldest message of `subject_type` still to send, with tries left, locked until the
    caller's transaction ends; one another worker holds is skipped."""
    return (
        SmsMessage.objects.filter(
            subject_type=subject_type, status=SmsStatus.QUEUED, attempts__lt=_sms_settings()[0]
        )
        .order_by("created_at", "pk")
        .select_for_update(skip_locked=True)
        .first()
    )


def _sms_settings() -> tuple[int, float]:
    conf = getattr(settings, "MINXIN_SMS", {})
    return int(conf.get("ATTEMPTS", 3)), float(conf.get("BACKOFF_SECONDS", 2.0))


def sms_message_deliver(
    *,
    message_id: int,
    phone: str,
    params: Mapping[str, str],
    sleep: Callable[[float], None] = time.sleep,
) -> SmsMessage:
    """Send a recorded message through the configured backend (run by the worker): the text from
    its template and `params`, tried up to MINXIN_SMS["ATTEMPTS"] times while the failure is
    transient, waiting BACKOFF_SECONDS, then twice that, and so on; each try counted on the
    record with its error. Not sent, and marked so with the reason, to a phone that has opted
    out, with its template switched off, or to a number that is no longer the one recorded. A
    message sent or given up on is left as it is (a task run twice sends once). Logs carry the
    record's id, never the number or the text."""
    message = SmsMessage.objects.filter(pk=message_id, status=SmsStatus.QUEUED).first()
    if message is None:
        return SmsMessage.objects.get(pk=message_id)
    template = SmsTemplate.objects.filter(key=message.template_key, is_active=True).first()
    number = ""
    with contextlib.suppress(ValidationFailed):
        number = mobile_clean(phone)
    why = _sms_not_to_send(message, template, number)
    if why or template is None:
        return _sms_outcome(message, status=SmsStatus.SKIPPED, error=why)
    return _sms_tries(message, template, number, params, sleep)


def _sms_tries(
    message: SmsMessage,
    template: SmsTemplate,
    number: str,
    params: Mapping[str, str],
    sleep: Callable[[float], None],
) -> SmsMessage:
    """The tries of one message to be sent, until it is sent, refused or out of tries."""
    spec = PLACEHOLDERS[message.template_key]
    text = template_render(template.text, params)
    secrets = [params[name] for name in spec.secret if params.get(name)]
    backend = sms_backend()
    provider = sms_backend_path().rsplit(".", 1)[-1][:40]
    attempts, backoff = _sms_settings()
    used = {k: v for k, v in params.items() if f"${{{k}}}" in template.text}  # the template's
    for attempt in range(message.attempts + 1, attempts + 1):
        tried = {"attempts": attempt, "provider": provider}
        try:
            provider_id = backend.send(
                phone=number,
                text=text,
                template_code=template.provider_code,
                params=used,
                secrets=secrets,
            )
        except SmsTransientError as exc:
            message = _sms_outcome(message, status=SmsStatus.QUEUED, error=str(exc), **tried)
            logger.warning("SMS %s attempt %s failed: %s", message.pk, attempt, exc)
            if attempt < attempts:
                sleep(backoff * 2 ** (attempt - 1))
            continue
        except SmsPermanentError as exc:
            logger.warning("SMS %s refused: %s", message.pk, exc)
            return _sms_outcome(message, status=SmsStatus.FAILED, error=str(exc), **tried)
        logger.info("SMS %s sent (attempt %s)", message.pk, attempt)
        return _sms_outcome(
            message,
            status=SmsStatus.SENT,
            error="",
            provider_message_id=provider_id[:80],
            sent_at=timezone.now(),
            **tried,
        )
    return _sms_outcome(
        message, status=SmsStatus.FAILED, error=f"重试{attempts}次仍失败：{message.error}"
    )


def _sms_not_to_send(message: SmsMessage, template: SmsTemplate | None, number: str) -> str:
    """Why the message is not to be sent now ("" when it is)."""
    if sms_opted_out(phone_hash=message.phone_hash):
        return "已退订短信通知"
    if template is None:
        return "短信模板未启用"
    if not number or phone_hash(number) != message.phone_hash:
        return "号码已变更，未发送"
    return ""


def _sms_outcome(message: SmsMessage, **fields: Any) -> SmsMessage:
    """The record updated after a try, in its own short write (the worker's, not a request's)."""
    fields["error"] = str(fields.get("error", ""))[:300]
    SmsMessage.objects.filter(pk=message.pk).update(updated_at=timezone.now(), **fields)
    message.refresh_from_db()
    return message
