"""Email and SMS for notifications already recorded in-app (run by `minxin db_worker`)."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django_tasks import task

from .models import NoticePreference, Notification
from .sms import sms_backend

logger = logging.getLogger(__name__)


def _text(notification: Notification) -> str:
    site = getattr(settings, "MINXIN_SITE_URL", "")
    parts = [notification.title, notification.body]
    if notification.link:
        parts.append(f"{site}{notification.link}")
    return "\n".join(p for p in parts if p)


@task()
def send_notification_task(notification_ids: list[int]) -> dict[str, int]:
    """Email to recipients with an address, SMS to those with a phone, each as they chose
    (`NoticePreference`; no choice: both); one failure does not stop the others (it is logged,
    without the address)."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids)
        .select_related("recipient")
        .order_by("pk")
    )
    chosen = {
        user_id: (by_email, by_sms)
        for user_id, by_email, by_sms in NoticePreference.objects.filter(
            user_id__in={n.recipient_id for n in notifications}
        ).values_list("user_id", "by_email", "by_sms")
    }
    emails = [
        EmailMessage(
            subject=n.title,
            body=_text(n),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[n.recipient.email],
        )
        for n in notifications
        if n.recipient.email and chosen.get(n.recipient_id, (True, True))[0]
    ]
    sent_email = 0
    if emails:
        sent_email = get_connection().send_messages(emails) or 0
    sms = sms_backend()
    sent_sms = 0
    for n in notifications:
        if not n.recipient.phone or not chosen.get(n.recipient_id, (True, True))[1]:
            continue
        try:
            sms.send(phone=n.recipient.phone, text=f"{n.title} {n.body}".strip())
        except Exception:
            logger.exception("SMS for notification %s failed", n.pk)
        else:
            sent_sms += 1
    return {"email": sent_email, "sms": sent_sms}
