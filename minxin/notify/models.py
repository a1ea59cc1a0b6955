from django.db import models
from django.db.models import Q
from django.utils import timezone

from minxin.accounts.models import User
from minxin.core.models import key


class Notification(models.Model):
    """One in-app message to one member of staff. Carries no personal data: tracking numbers and
    titles only, never a citizen's name or phone. `link` is a path inside the site."""

    recipient = key(User, "接收人", related_name="notifications")
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(link="") | (Q(link__startswith="/") & ~Q(link__startswith="//")),
                name="notification_link_relative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.title}"
