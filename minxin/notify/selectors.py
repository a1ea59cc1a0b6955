from django.db.models import QuerySet

from minxin.accounts.models import User

from .models import Notification


def notification_list_for(*, user: User) -> QuerySet[Notification]:
    """The viewer's own notifications, newest first; callers paginate."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
