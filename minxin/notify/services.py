"""Telling staff: in-app rows now, email and SMS from a background task after commit."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from minxin.accounts.models import User

from .models import Notification


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
