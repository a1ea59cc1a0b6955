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


class PhoneCode(models.Model):
    """A one-time code sent by SMS to confirm that a person holds a phone (a resident's rating
    of a project, later the residents' and deputies' votes). Neither the number nor the code is
    stored: the phone as a keyed hash (`notify.phone.phone_hash`), the code as a keyed hash of
    itself bound to that phone and purpose. Wrong tries are counted; the fifth locks the code."""

    phone_hash = models.CharField("手机号摘要", max_length=64)
    purpose = models.CharField("用途", max_length=40)
    code_hash = models.CharField("验证码摘要", max_length=64)
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    confirmed_at = models.DateTimeField("验证时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [
            models.Index(fields=["phone_hash", "purpose", "created_at"], name="phone_code_latest"),
            models.Index(fields=["created_at"], name="phone_code_time"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
