from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet

from minxin.accounts.models import User
from minxin.core.errors import ValidationFailed

from .models import NoticePreference, Notification, SmsMessage, SmsPreference, SmsStatus
from .phone import mobile_clean, phone_hash


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first; callers paginate."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notice_preference_for(*, user: User) -> tuple[bool, bool]:
    """(by email, by SMS) as the member of staff chose; both when they never chose."""
    row = NoticePreference.objects.filter(user=user).values_list("by_email", "by_sms").first()
    return row if row is not None else (True, True)


def sms_notices_on(*, phone: str) -> bool | None:
    """Whether notification SMS reach this number: None when it cannot take one (no number, a
    landline), else True unless it opted out."""
    try:
        number = mobile_clean(phone)
    except ValidationFailed:
        return None
    return not sms_opted_out(phone_hash=phone_hash(number))


def sms_opted_out(*, phone_hash: str) -> bool:
    """Whether this phone's latest choice is not to receive notification SMS."""
    latest = (
        SmsPreference.objects.filter(phone_hash=phone_hash)
        .order_by("-created_at", "-pk")
        .values_list("opted_out", flat=True)
        .first()
    )
    return bool(latest)


def sms_messages_due(*, subject_type: str, recorded_before: datetime, limit: int) -> list[int]:
    """Messages recorded before then and still to send, with tries left (their sending lost
    with a crashed worker or database): their ids, oldest first."""
    attempts = int(getattr(settings, "MINXIN_SMS", {}).get("ATTEMPTS", 3))
    return list(
        SmsMessage.objects.filter(
            subject_type=subject_type,
            status=SmsStatus.QUEUED,
            created_at__lt=recorded_before,
            attempts__lt=attempts,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
